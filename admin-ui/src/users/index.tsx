import { Alert, Dialog, DialogContent, DialogTitle } from '@mui/material';
import { useState, type MouseEvent } from 'react';
import {
  BooleanField,
  Confirm,
  Form,
  SaveButton,
  useGetIdentity,
  useTranslate,
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
import ManageAccountsIcon from '@mui/icons-material/ManageAccounts';
import PhonelinkEraseIcon from '@mui/icons-material/PhonelinkErase';
import { apiFetch } from '../api';
import { DateTimeField } from '../fields';
import { BUSINESS_ROLE_CHOICES, ROLE_CHOICES } from '../choices';

interface UserRecord {
  id: number;
  display_name: string;
  role: string;
  organisation_id: number;
  locked_until: string | null;
  totp_enabled_at: string | null;
}

const stop = (e: MouseEvent) => e.stopPropagation();

const filters = [<SearchInput key="q" source="q" alwaysOn />, <SelectInput key="role" source="role" choices={ROLE_CHOICES} />];

/**
 * Accounts. The system administrator creates and edits them (name, phone, enabled, password);
 * the security administrator assigns roles and organisations, unlocks and resets second factors
 * (docs/security.md "Separation of powers"), from the row's buttons.
 */
export const UserList = () => {
  const { permissions } = usePermissions<string[]>();
  const canWrite = permissions?.includes('users:write');
  const canAssign = permissions?.includes('roles:assign');
  const canSecure = permissions?.includes('security:manage');
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
        <DataTable.Col source="totp_enabled_at" disableSort>
          <DateTimeField source="totp_enabled_at" />
        </DataTable.Col>
        <DataTable.Col source="last_login_at">
          <DateTimeField source="last_login_at" />
        </DataTable.Col>
        {canAssign || canSecure ? (
          <DataTable.Col label="ra.action.edit" disableSort>
            {canAssign ? <AssignRoleButton /> : null}
            {canSecure ? <UnlockButton /> : null}
            {canSecure ? <ResetSecondFactorButton /> : null}
          </DataTable.Col>
        ) : null}
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
      onClick={async (e) => {
        e.stopPropagation();
        await apiFetch(`/api/users/${record.id}/unlock`, { method: 'POST' });
        notify('app.unlocked', { type: 'success' });
        refresh();
      }}
    >
      <LockOpenIcon />
    </Button>
  );
};

/** The security administrator's assignment of a role and its organisation (never to oneself: the API refuses it too). */
const AssignRoleButton = () => {
  const record = useRecordContext<UserRecord>();
  const { identity } = useGetIdentity();
  const translate = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  const [open, setOpen] = useState(false);
  if (!record || identity?.id === record.id) return null;
  const submit = async (values: { role?: string; organisation_id?: number }) => {
    try {
      await apiFetch(`/api/users/${record.id}/role`, { method: 'PUT', body: JSON.stringify({ role: values.role, organisation_id: values.organisation_id }) });
      notify('app.role_assigned', { type: 'success' });
      setOpen(false);
      refresh();
      return undefined;
    } catch (error) {
      return (error as { body?: { errors?: Record<string, string> } }).body?.errors ?? { role: (error as Error).message };
    }
  };
  return (
    <>
      <Button
        label="app.assign_role"
        onClick={(e) => {
          e.stopPropagation();
          setOpen(true);
        }}
      >
        <ManageAccountsIcon />
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} onClick={stop} fullWidth maxWidth="sm">
        <DialogTitle>
          {translate('app.assign_role')}：{record.display_name}
        </DialogTitle>
        <DialogContent>
          <Alert severity="info" sx={{ mb: 2 }}>
            {translate('app.admin_role_hint')}
          </Alert>
          <Form record={{ role: record.role, organisation_id: record.organisation_id }} onSubmit={submit as never}>
            <SelectInput source="role" choices={ROLE_CHOICES} validate={required()} fullWidth />
            <ReferenceInput source="organisation_id" reference="organisations" perPage={50}>
              <AutocompleteInput optionText="name" filterToQuery={(q: string) => ({ q })} validate={required()} fullWidth />
            </ReferenceInput>
            <SaveButton alwaysEnable label="app.assign_role" />
          </Form>
        </DialogContent>
      </Dialog>
    </>
  );
};

/** A lost phone: the account's second factor and recovery codes go, and it enrols again at the next sign-in. */
const ResetSecondFactorButton = () => {
  const record = useRecordContext<UserRecord>();
  const { identity } = useGetIdentity();
  const notify = useNotify();
  const refresh = useRefresh();
  const [open, setOpen] = useState(false);
  if (!record?.totp_enabled_at || identity?.id === record.id) return null;
  return (
    <>
      <Button
        label="app.reset_second_factor"
        onClick={(e) => {
          e.stopPropagation();
          setOpen(true);
        }}
      >
        <PhonelinkEraseIcon />
      </Button>
      <Confirm
        isOpen={open}
        title="app.reset_second_factor"
        content="app.reset_second_factor_confirm"
        onClose={() => setOpen(false)}
        onConfirm={async () => {
          setOpen(false);
          try {
            await apiFetch(`/api/users/${record.id}/second-factor/reset`, { method: 'POST' });
            notify('app.second_factor_reset_done', { type: 'success' });
          } catch (error) {
            notify((error as Error).message, { type: 'error' });
          }
          refresh();
        }}
      />
    </>
  );
};

const commonFields = [<TextInput key="display_name" source="display_name" validate={required()} />, <TextInput key="phone" source="phone" />];
const activeField = <BooleanInput key="active" source="active" defaultValue={true} />;

/** Role and organisation are shown, not edited: they are the security administrator's to assign. */
export const UserEdit = () => (
  <Edit mutationMode="pessimistic" actions={<TopToolbar />}>
    <SimpleForm>
      <TextInput source="username" disabled />
      {commonFields}
      <SelectInput source="role" choices={ROLE_CHOICES} disabled />
      <ReferenceField source="organisation_id" reference="organisations" link={false} />
      {activeField}
    </SimpleForm>
  </Edit>
);

/** A new account gets a business role; administrator roles are assigned by the security administrator. */
export const UserCreate = () => (
  <Create redirect="list">
    <SimpleForm>
      <TextInput source="username" validate={required()} />
      <PasswordInput source="password" validate={required()} />
      {commonFields}
      <SelectInput source="role" choices={BUSINESS_ROLE_CHOICES} validate={required()} />
      <ReferenceInput source="organisation_id" reference="organisations" perPage={50}>
        <AutocompleteInput optionText="name" filterToQuery={(q: string) => ({ q })} validate={required()} />
      </ReferenceInput>
      {activeField}
    </SimpleForm>
  </Create>
);
