import { DataTable, List, SearchInput, SelectInput, TextInput } from 'react-admin';
import { DateTimeField } from '../fields';
import { EmptyBox } from '../inbox/EmptyBox';
import { CaseStateField } from './outcome';

const STATUS_CHOICES = ['running', 'supplement', 'completed', 'withdrawn', 'terminated', 'incident'].map((id) => ({ id, name: `case_status.${id}` }));

/** Every case the caller may see (scope, own, held, copied), searchable by number and title. */
export const CaseList = () => (
  <List
    sort={{ field: 'started_at', order: 'DESC' }}
    filters={[
      <SearchInput key="q" source="q" alwaysOn />,
      <SelectInput key="status" source="status" choices={STATUS_CHOICES} />,
      <TextInput key="process_key" source="process_key" />,
      <TextInput key="district_code" source="district_code" />,
    ]}
    exporter={false}
    empty={<EmptyBox kind="cases" />}
  >
    <DataTable rowClick="show" bulkActionButtons={false} empty={<EmptyBox kind="cases" />}>
      <DataTable.Col source="number" />
      <DataTable.Col source="title" disableSort />
      <DataTable.Col source="applicant_name" disableSort />
      <DataTable.Col source="status">
        <CaseStateField />
      </DataTable.Col>
      <DataTable.Col source="current_steps" disableSort />
      <DataTable.Col source="started_at">
        <DateTimeField source="started_at" />
      </DataTable.Col>
    </DataTable>
  </List>
);
