import { DataTable, DateTimeInput, List, SelectField, SelectInput, TextInput, useRecordContext } from 'react-admin';
import { RESULT_CHOICES, ROLE_CHOICES } from '../choices';
import { DateTimeField } from '../fields';

const filters = [
  <TextInput key="username" source="username" alwaysOn />,
  <SelectInput key="result" source="result" choices={RESULT_CHOICES} alwaysOn />,
  <TextInput key="action" source="action" />,
  <DateTimeInput key="from" source="from" parse={(v: string) => (v ? new Date(v).toISOString() : undefined)} />,
  <DateTimeInput key="to" source="to" parse={(v: string) => (v ? new Date(v).toISOString() : undefined)} />,
];

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
  <List filters={filters} sort={{ field: 'id', order: 'DESC' }} perPage={50} exporter={false}>
    <DataTable bulkActionButtons={false} expand={<Detail />} rowClick="expand">
      <DataTable.Col source="at">
        <DateTimeField source="at" />
      </DataTable.Col>
      <DataTable.Col source="username" />
      <DataTable.Col source="role" disableSort>
        <SelectField source="role" choices={ROLE_CHOICES} />
      </DataTable.Col>
      <DataTable.Col source="ip" disableSort />
      <DataTable.Col source="action" />
      <DataTable.Col source="target_type" disableSort />
      <DataTable.Col source="target_id" disableSort />
      <DataTable.Col source="result">
        <SelectField source="result" choices={RESULT_CHOICES} />
      </DataTable.Col>
      <DataTable.Col source="status" />
    </DataTable>
  </List>
);
