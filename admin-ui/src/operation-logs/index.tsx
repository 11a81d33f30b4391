import { DataTable, DateTimeInput, FilterButton, List, SelectField, SelectInput, TextInput, TopToolbar, useLocaleState, useRecordContext } from 'react-admin';
import { actionWords, targetWords } from '../../../lib/audit/action-words';
import { ExportXlsxButton } from '../lists/ExportXlsxButton';
import { SavedFilters } from '../lists/SavedFilters';
import { RESULT_CHOICES, ROLE_CHOICES } from '../choices';
import { DateTimeField } from '../fields';

const filters = [
  <TextInput key="username" source="username" alwaysOn />,
  <SelectInput key="result" source="result" choices={RESULT_CHOICES} alwaysOn />,
  <TextInput key="action" source="action" />,
  <DateTimeInput key="from" source="from" parse={(v: string) => (v ? new Date(v).toISOString() : undefined)} />,
  <DateTimeInput key="to" source="to" parse={(v: string) => (v ? new Date(v).toISOString() : undefined)} />,
];

type Logged = { action: string; target_type: string | null; target_id: string | null; target_name: string | null };
const useLocale = () => (useLocaleState()[0].startsWith('en') ? 'en' : 'zh-CN');

/** What was done, in words (登录, 办理任务, 导出企业), the code kept as a tooltip for support. */
const ActionField = () => {
  const record = useRecordContext<Logged>();
  const locale = useLocale();
  if (!record) return null;
  return (
    <span title={record.action} data-testid="oplog-action">
      {actionWords(record.action, locale)}
    </span>
  );
};

/** On what: a case by its number, a user or an organisation by name, else the kind and id. */
const TargetField = () => {
  const record = useRecordContext<Logged>();
  const locale = useLocale();
  if (!record) return null;
  return <span data-testid="oplog-target">{targetWords(record.target_type, record.target_id, record.target_name, locale)}</span>;
};

const Actions = () => (
  <TopToolbar>
    <FilterButton />
    <SavedFilters />
    <ExportXlsxButton label="lists.export" />
  </TopToolbar>
);

const Detail = () => {
  const record = useRecordContext<{ detail: unknown; request_id: string }>();
  return (
    <pre style={{ margin: 0, whiteSpace: 'pre-wrap', fontSize: 12 }}>
      {record?.request_id}
      {'\n'}
      {record?.detail ? JSON.stringify(record.detail, null, 2) : ''}
    </pre>
  );
};

export const OperationLogList = () => (
  <List filters={filters} sort={{ field: 'id', order: 'DESC' }} perPage={50} exporter={false} actions={<Actions />}>
    <DataTable bulkActionButtons={false} expand={<Detail />} rowClick="expand">
      <DataTable.Col source="at">
        <DateTimeField source="at" />
      </DataTable.Col>
      <DataTable.Col source="username" />
      <DataTable.Col source="role" disableSort>
        <SelectField source="role" choices={ROLE_CHOICES} />
      </DataTable.Col>
      <DataTable.Col source="ip" disableSort />
      <DataTable.Col source="action">
        <ActionField />
      </DataTable.Col>
      <DataTable.Col source="target_id" label="resources.operation-logs.fields.target" disableSort>
        <TargetField />
      </DataTable.Col>
      <DataTable.Col source="result">
        <SelectField source="result" choices={RESULT_CHOICES} />
      </DataTable.Col>
      <DataTable.Col source="status" />
    </DataTable>
  </List>
);
