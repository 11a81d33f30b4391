import { AutocompleteInput, Create, DataTable, DateField, DateInput, Edit, EditButton, List, ReferenceInput, SearchInput, SelectField, SelectInput, Show, SimpleForm, SimpleShowLayout, TopToolbar, usePermissions } from 'react-admin';
import { HistoryPanel, RegionInput, RegistryListActions, SaveOnlyToolbar, choicesOf } from '../registries/components';
import { FieldGrid, InputGrid, choice, day, num, ref, text, type FieldDef } from '../registries/fields';

/** 物业诚信档案 (D2): credit events of enterprises and project managers; pending = pre-deduction open to appeal. */
const R = 'credit-events';

const FIELDS: FieldDef[] = [
  ref('enterprise_id', 'enterprises', 'name', { required: true }),
  ref('staff_id', 'staff', 'name', { filter: { role: 'project_manager' } }),
  ref('project_id', 'projects', 'name'),
  choice('category', 'credit_category', { required: true }),
  num('points', { required: true, step: 0.5 }),
  choice('source', 'credit_source'),
  text('source_ref'),
  day('occurred_on', { required: true }),
  text('description', { required: true, multiline: true }),
  choice('status', 'credit_status'),
];

const filters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <SelectInput key="category" source="category" choices={choicesOf('credit_category')} alwaysOn />,
  <SelectInput key="status" source="status" choices={choicesOf('credit_status')} />,
  <RegionInput key="district_code" source="district_code" level="district" />,
  <ReferenceInput key="enterprise_id" source="enterprise_id" reference="enterprises">
    <AutocompleteInput optionText="name" filterToQuery={(q: string) => ({ q })} />
  </ReferenceInput>,
  <DateInput key="occurred_from" source="occurred_from" />,
  <DateInput key="occurred_to" source="occurred_to" />,
];

export const CreditEventList = () => {
  const { permissions } = usePermissions<string[]>();
  return (
    <List filters={filters} sort={{ field: 'occurred_on', order: 'DESC' }} exporter={false} actions={<RegistryListActions canCreate={Boolean(permissions?.includes('credit:write'))} />}>
      <DataTable rowClick="show" bulkActionButtons={false}>
        <DataTable.Col source="occurred_on">
          <DateField source="occurred_on" />
        </DataTable.Col>
        <DataTable.Col source="enterprise_name" disableSort />
        <DataTable.Col source="staff_name" disableSort />
        <DataTable.Col source="project_name" disableSort />
        <DataTable.Col source="category">
          <SelectField source="category" choices={choicesOf('credit_category')} />
        </DataTable.Col>
        <DataTable.Col source="points" />
        <DataTable.Col source="status">
          <SelectField source="status" choices={choicesOf('credit_status')} />
        </DataTable.Col>
        <DataTable.Col source="description" disableSort />
      </DataTable>
    </List>
  );
};

const ShowActions = () => {
  const { permissions } = usePermissions<string[]>();
  return <TopToolbar>{permissions?.includes('credit:write') && <EditButton />}</TopToolbar>;
};

export const CreditEventShow = () => (
  <Show actions={<ShowActions />}>
    <SimpleShowLayout>
      <FieldGrid defs={FIELDS} resource={R} />
      <HistoryPanel entity="credit_event" />
    </SimpleShowLayout>
  </Show>
);

const CreditEventForm = () => (
  <SimpleForm toolbar={<SaveOnlyToolbar />}>
    <InputGrid defs={FIELDS} resource={R} />
  </SimpleForm>
);

export const CreditEventEdit = () => (
  <Edit mutationMode="pessimistic" redirect="show">
    <CreditEventForm />
  </Edit>
);

export const CreditEventCreate = () => (
  <Create redirect="show">
    <CreditEventForm />
  </Create>
);
