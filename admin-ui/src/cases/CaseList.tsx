import { DataTable, FilterButton, List, SearchInput, SelectInput, TopToolbar } from 'react-admin';
import { CASE_STATUS_WORDS } from '../../../lib/cases/words';
import { DateTimeField } from '../fields';
import { EmptyBox } from '../inbox/EmptyBox';
import { ExportXlsxButton } from '../lists/ExportXlsxButton';
import { DayInput, ProcessPicker, ResultPicker } from '../lists/pickers';
import { SavedFilters } from '../lists/SavedFilters';
import { RegionInput } from '../registries/components';
import { CaseStateField } from './outcome';

const STATUS_CHOICES = Object.keys(CASE_STATUS_WORDS).map((id) => ({ id, name: `case_status.${id}` }));

/** The filters every case list offers (this list, 我发起的, 抄送我的): names and days, no codes. */
export const caseFilters = (opts: { status?: boolean } = {}) => [
  <SearchInput key="q" source="q" alwaysOn />,
  ...(opts.status === false ? [] : [<SelectInput key="status" source="status" label="resources.cases.fields.status" choices={STATUS_CHOICES} />]),
  <ResultPicker key="result" source="result" label="lists.result" />,
  <ProcessPicker key="process_key" source="process_key" label="lists.process" />,
  <RegionInput key="district_code" level="district" source="district_code" label="lists.district" />,
  <DayInput key="started_from" source="started_from" label="lists.started_from" />,
  <DayInput key="started_to" source="started_to" label="lists.started_to" />,
];

/** Filters, then the ledger of what they select (办件台账, streamed by the server). */
export const LedgerActions = () => (
  <TopToolbar>
    <FilterButton />
    <SavedFilters />
    <ExportXlsxButton label="lists.export" />
  </TopToolbar>
);

/** Every case the caller may see (scope, own, held, copied), searchable by number and title. */
export const CaseList = () => (
  <List sort={{ field: 'started_at', order: 'DESC' }} filters={caseFilters()} actions={<LedgerActions />} exporter={false} empty={<EmptyBox kind="cases" />}>
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
