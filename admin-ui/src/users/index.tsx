import {
  BooleanField,
  BooleanInput,
  Button,
  Create,
  DataTable,
  Edit,
  List,
  PasswordInput,
  ReferenceField,
  ReferenceInput,
  AutocompleteInput,
  SearchInput,
  SelectField,
  SelectInput,
  SimpleForm,
  TextInput,
  TopToolbar,
  required,
  useNotify,
  useRecordContext,
  useRefresh,
  usePermissions,
} from 'react-admin';
import LockOpenIcon from '@mui/icons-material/LockOpen';
import { apiFetch } from '../api';
import { DateTimeField } from '../fields';
import { ROLE_CHOICES } from '../choices';

const filters = [<SearchInput key="q" source="q" alwaysOn />, <SelectInput key="role" source="role" choices={ROLE_CHOICES} />];

export const UserList = () => {
  const { permissions } = usePermissions<string[]>();
  const canWrite = permissions?.includes('users:write');
  return (
    <List filters={filters} sort={{ field: 'id', order: 'ASC' }}>
      <DataTable rowClick={canWrite ? 'edit' : false} bulkActionButtons={false}>
        <DataTable.Col source="username" />
        <DataTable.Col source="display_name" />
        <DataTable.Col source="role">
          <SelectField source="role" choices={ROLE_CHOICES} />
        </DataTable.Col>
        <DataTable.Col source="organisation_name" disableSort />
        <DataTable.Col source="phone" disableSort />
        <DataTable.Col source="active">
          <BooleanField source="active" />
        </DataTable.Col>
        <DataTable.Col source="locked_until" disableSort>
          <DateTimeField source="locked_until" />
        </DataTable.Col>
        <DataTable.Col source="last_login_at">
          <DateTimeField source="last_login_at" />
        </DataTable.Col>
      </DataTable>
    </List>
  );
};

const UnlockButton = () => {
  const record = useRecordContext<{ id: number; locked_until: string | null }>();
  const notify = useNotify();
  const refresh = useRefresh();
  if (!record?.locked_until || new Date(record.locked_until) < new Date()) return null;
  return (
    <Button
      label="app.unlock"
      onClick={async () => {
        await apiFetch(`/api/users/${record.id}/unlock`, { method: 'POST' });
        notify('app.unlocked', { type: 'success' });
        refresh();
      }}
    >
      <LockOpenIcon />
    </Button>
  );
};

const userFields = [
  <TextInput key="display_name" source="display_name" validate={required()} />,
  <TextInput key="phone" source="phone" />,
  <SelectInput key="role" source="role" choices={ROLE_CHOICES} validate={required()} />,
  <ReferenceInput key="org" source="organisation_id" reference="organisations" perPage={50}>
    <AutocompleteInput optionText="name" filterToQuery={(q: string) => ({ q })} validate={required()} />
  </ReferenceInput>,
  <BooleanInput key="active" source="active" defaultValue={true} />,
];

export const UserEdit = () => (
  <Edit
    mutationMode="pessimistic"
    actions={
      <TopToolbar>
        <UnlockButton />
      </TopToolbar>
    }
  >
    <SimpleForm>
      <TextInput source="username" disabled />
      {userFields}
      <ReferenceField source="organisation_id" reference="organisations" link={false} />
    </SimpleForm>
  </Edit>
);

export const UserCreate = () => (
  <Create redirect="list">
    <SimpleForm>
      <TextInput source="username" validate={required()} />
      <PasswordInput source="password" validate={required()} />
      {userFields}
    </SimpleForm>
  </Create>
);
