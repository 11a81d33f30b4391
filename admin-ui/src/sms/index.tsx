import { Card, CardContent, Checkbox, Chip, FormControlLabel, FormGroup, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { ExportXlsxButton } from '../lists/ExportXlsxButton';
import {
  BooleanField,
  BooleanInput,
  Create,
  DataTable,
  DateTimeInput,
  Edit,
  FormDataConsumer,
  List,
  ReferenceInput,
  SelectField,
  SelectInput,
  SimpleForm,
  TextInput,
  Title,
  required,
  useNotify,
  useRecordContext,
  useTranslate,
  AutocompleteInput,
  TopToolbar,
  usePermissions,
  Button,
} from 'react-admin';
import { apiFetch } from '../api';
import { ROLE_CHOICES } from '../choices';
import { DateTimeField } from '../fields';
import { beijingTime } from '../beijing-time';

/** The SMS platform in the admin UI (M2–M5): messages, notices, categories, one's own subscriptions, modems. */
const MESSAGE_STATUS = ['queued', 'sending', 'sent', 'delivered', 'failed'].map((id) => ({ id, name: `sms.status.${id}` }));
const NOTICE_STATUS = ['scheduled', 'sending', 'done', 'cancelled', 'failed'].map((id) => ({ id, name: `sms.notice_status.${id}` }));
const TARGET_KINDS = ['category', 'role', 'organisation'].map((id) => ({ id, name: `sms.target.${id}` }));
const statusColor = (s: string) => (({ delivered: 'success', sent: 'primary', failed: 'error', sending: 'warning' }) as Record<string, 'success' | 'primary' | 'error' | 'warning'>)[s] ?? 'default';

const MessageStatus = () => {
  const record = useRecordContext<{ status: string }>();
  const translate = useTranslate();
  return record ? <Chip size="small" color={statusColor(record.status)} label={translate(`sms.status.${record.status}`, { _: record.status })} /> : null;
};

/** Filters, then the log as a ledger: numbers masked, or clear for a role with pii:export (logged either way). */
const MessageLogActions = () => {
  const { permissions } = usePermissions<string[]>();
  return (
    <TopToolbar>
      <ExportXlsxButton label="lists.export" />
      {permissions?.includes('pii:export') && <ExportXlsxButton clearPersonal />}
    </TopToolbar>
  );
};

export const SmsMessageList = () => (
  <List sort={{ field: 'id', order: 'DESC' }} filters={[<SelectInput key="status" source="status" choices={MESSAGE_STATUS} alwaysOn />, <TextInput key="phone" source="phone" alwaysOn />]} actions={<MessageLogActions />} exporter={false}>
    <DataTable bulkActionButtons={false} rowClick={false}>
      <DataTable.Col source="id" />
      <DataTable.Col source="phone" />
      <DataTable.Col source="text" disableSort />
      <DataTable.Col source="status">
        <MessageStatus />
      </DataTable.Col>
      <DataTable.Col source="modem_imei" disableSort />
      <DataTable.Col source="attempts" disableSort />
      <DataTable.Col source="created_at">
        <DateTimeField source="created_at" />
      </DataTable.Col>
      <DataTable.Col source="sent_at">
        <DateTimeField source="sent_at" />
      </DataTable.Col>
      <DataTable.Col source="error_text" disableSort />
    </DataTable>
  </List>
);

export const SmsNoticeList = () => (
  <List sort={{ field: 'id', order: 'DESC' }} filters={[<SelectInput key="status" source="status" choices={NOTICE_STATUS} alwaysOn />]} exporter={false}>
    <DataTable bulkActionButtons={false} rowClick={false}>
      <DataTable.Col source="id" />
      <DataTable.Col source="text" disableSort />
      <DataTable.Col source="target_kind" disableSort>
        <SelectField source="target_kind" choices={TARGET_KINDS} />
      </DataTable.Col>
      <DataTable.Col source="status">
        <SelectField source="status" choices={NOTICE_STATUS} />
      </DataTable.Col>
      <DataTable.Col source="send_at">
        <DateTimeField source="send_at" />
      </DataTable.Col>
      <DataTable.Col source="recipient_count" disableSort />
      <DataTable.Col source="sent_count" disableSort />
      <DataTable.Col source="failed_count" disableSort />
      <DataTable.Col source="created_by_username" disableSort />
    </DataTable>
  </List>
);

// The form edits flat fields; the API takes the target as one object.
const noticeBody = (data: Record<string, unknown>) => ({
  text: data.text,
  sendAt: data.sendAt ? new Date(String(data.sendAt)).toISOString() : null,
  target: data.target_kind === 'category' ? { kind: 'category', categoryId: data.categoryId } : data.target_kind === 'role' ? { kind: 'role', role: data.role } : { kind: 'organisation', organisationId: data.organisationId },
});

export const SmsNoticeCreate = () => (
  <Create transform={noticeBody} redirect="list">
    <SimpleForm defaultValues={{ target_kind: 'category' }}>
      <TextInput source="text" multiline minRows={3} fullWidth validate={required()} />
      <SelectInput source="target_kind" choices={TARGET_KINDS} validate={required()} />
      <FormDataConsumer>
        {({ formData }) =>
          formData.target_kind === 'category' ? (
            <ReferenceInput source="categoryId" reference="sms/categories">
              <SelectInput optionText="name" validate={required()} />
            </ReferenceInput>
          ) : formData.target_kind === 'role' ? (
            <SelectInput source="role" choices={ROLE_CHOICES} validate={required()} />
          ) : (
            <ReferenceInput source="organisationId" reference="organisations">
              <AutocompleteInput optionText="name" filterToQuery={(q: string) => ({ q })} validate={required()} />
            </ReferenceInput>
          )
        }
      </FormDataConsumer>
      <DateTimeInput source="sendAt" />
    </SimpleForm>
  </Create>
);

export const SmsCategoryList = () => (
  <List sort={{ field: 'id', order: 'ASC' }} exporter={false}>
    <DataTable bulkActionButtons={false} rowClick="edit">
      <DataTable.Col source="code" />
      <DataTable.Col source="name" />
      <DataTable.Col source="description" disableSort />
      <DataTable.Col source="active" disableSort>
        <BooleanField source="active" />
      </DataTable.Col>
    </DataTable>
  </List>
);

const CategoryForm = () => (
  <SimpleForm>
    <TextInput source="code" validate={required()} />
    <TextInput source="name" validate={required()} />
    <TextInput source="description" fullWidth />
    <BooleanInput source="active" defaultValue={true} />
  </SimpleForm>
);
const categoryBody = ({ code, name, description, active }: Record<string, unknown>) => ({ code, name, description: description || null, active });
export const SmsCategoryCreate = () => (
  <Create transform={categoryBody} redirect="list">
    <CategoryForm />
  </Create>
);
export const SmsCategoryEdit = () => (
  <Edit transform={categoryBody} mutationMode="pessimistic">
    <CategoryForm />
  </Edit>
);

interface Subscriptions {
  categoryIds: number[];
  categories: Array<{ id: number; name: string; description: string | null; subscribed: boolean }>;
}

/** Every user chooses the notice categories they receive by SMS (M2). */
export const MySubscriptions = () => {
  const translate = useTranslate();
  const notify = useNotify();
  const [data, setData] = useState<Subscriptions | null>(null);
  const [chosen, setChosen] = useState<number[]>([]);
  useEffect(() => {
    void apiFetch('/api/sms/subscriptions/me')
      .then((r) => r.json() as Promise<Subscriptions>)
      .then((d) => {
        setData(d);
        setChosen(d.categoryIds);
      });
  }, []);
  const save = async () => {
    await apiFetch('/api/sms/subscriptions/me', { method: 'PUT', body: JSON.stringify({ categoryIds: chosen }) });
    notify('sms.subscriptions_saved', { type: 'success' });
  };
  return (
    <Card sx={{ mt: 2, maxWidth: 560 }}>
      <Title title="sms.my_subscriptions" />
      <CardContent>
        <Typography variant="h6">{translate('sms.my_subscriptions')}</Typography>
        <FormGroup>
          {data?.categories.map((c) => (
            <FormControlLabel
              key={c.id}
              control={<Checkbox checked={chosen.includes(c.id)} onChange={(e) => setChosen((ids) => (e.target.checked ? [...ids, c.id] : ids.filter((id) => id !== c.id)))} />}
              label={c.description ? `${c.name}（${c.description}）` : c.name}
            />
          ))}
        </FormGroup>
        <Button variant="contained" label="ra.action.save" onClick={save} />
      </CardContent>
    </Card>
  );
};

interface ModemRow {
  imei: string;
  port: string;
  status: string;
  reason: string | null;
  rssi: number | null;
  storage_used: number | null;
  storage_total: number | null;
  updated_at: string;
}
interface StatsRow {
  day: string;
  modem_imei: string;
  sent: number;
  failed: number;
  delivered: number;
  inbound: number;
  failed_attempts: number;
}

/** Modem health as the SMS worker last reported it, and traffic per modem and day (M5). */
export const SmsModems = () => {
  const translate = useTranslate();
  const [modems, setModems] = useState<ModemRow[]>([]);
  const [stats, setStats] = useState<StatsRow[]>([]);
  useEffect(() => {
    const load = async () => {
      setModems((await (await apiFetch('/api/sms/modems')).json()) as ModemRow[]);
      setStats(((await (await apiFetch('/api/sms/stats')).json()) as { rows: StatsRow[] }).rows);
    };
    void load();
    const timer = setInterval(() => void load(), 30_000);
    return () => clearInterval(timer);
  }, []);
  const header = (keys: string[]) => (
    <TableHead>
      <TableRow>
        {keys.map((k) => (
          <TableCell key={k}>{translate(`sms.columns.${k}`)}</TableCell>
        ))}
      </TableRow>
    </TableHead>
  );
  return (
    <Stack spacing={2} sx={{ mt: 2 }}>
      <Title title="sms.modems" />
      <Card>
        <CardContent>
          <Typography variant="h6">{translate('sms.modems')}</Typography>
          <Table size="small" data-testid="sms-modems">
            {header(['port', 'imei', 'status', 'rssi', 'storage', 'updated_at'])}
            <TableBody>
              {modems.map((m) => (
                <TableRow key={m.imei}>
                  <TableCell>{m.port}</TableCell>
                  <TableCell>{m.imei}</TableCell>
                  <TableCell>
                    <Chip size="small" color={m.status === 'ready' ? 'success' : 'error'} label={translate(`sms.modem_status.${m.status}`, { _: m.status })} /> {m.reason ?? ''}
                  </TableCell>
                  <TableCell>{m.rssi ?? '—'}</TableCell>
                  <TableCell>{m.storage_total ? `${m.storage_used ?? 0}/${m.storage_total}` : '—'}</TableCell>
                  <TableCell>{beijingTime(m.updated_at)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </CardContent>
      </Card>
      <Card>
        <CardContent>
          <Typography variant="h6">{translate('sms.stats')}</Typography>
          <Table size="small">
            {header(['day', 'imei', 'sent', 'delivered', 'failed', 'inbound', 'failed_attempts'])}
            <TableBody>
              {stats.map((s) => (
                <TableRow key={`${s.day}-${s.modem_imei}`}>
                  <TableCell>{s.day}</TableCell>
                  <TableCell>{s.modem_imei || '—'}</TableCell>
                  <TableCell>{s.sent}</TableCell>
                  <TableCell>{s.delivered}</TableCell>
                  <TableCell>{s.failed}</TableCell>
                  <TableCell>{s.inbound}</TableCell>
                  <TableCell>{s.failed_attempts}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </CardContent>
      </Card>
    </Stack>
  );
};
