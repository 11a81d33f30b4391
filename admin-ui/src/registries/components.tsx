import UploadIcon from '@mui/icons-material/Upload';
import VerifiedIcon from '@mui/icons-material/Verified';
import { Alert, Box, Chip, Dialog, DialogActions, DialogContent, DialogTitle, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Button, CreateButton, FilterButton, SaveButton, SelectInput, Toolbar, TopToolbar, useGetList, useNotify, usePermissions, useRecordContext, useRefresh, useResourceContext, useTranslate, type SelectInputProps } from 'react-admin';
import { useWatch } from 'react-hook-form';
import { personalFieldsOf } from '../../../lib/pii';
import { apiFetch } from '../api';
import { ExportXlsxButton } from '../lists/ExportXlsxButton';
import registriesZh from './messages-zh-CN';
import { beijingTime } from '../beijing-time';

/** Choices of a registry enum; labels are translation keys so they follow the language. */
export function choicesOf(group: keyof typeof registriesZh.choices) {
  return Object.keys(registriesZh.choices[group]).map((id) => ({ id, name: `registries.choices.${group}.${id}` }));
}

interface Region {
  code: string;
  name: string;
}

/** District, street or residents' committee, from the public region list; a child level follows its parent's value. */
export const RegionInput = ({ level, parentSource, ...props }: SelectInputProps & { level: 'district' | 'street' | 'community'; parentSource?: string }) => {
  const parent = useWatch({ name: parentSource ?? '__none__' }) as string | undefined;
  const [regions, setRegions] = useState<Region[]>([]);
  useEffect(() => {
    if (level !== 'district' && !parent) {
      setRegions([]);
      return;
    }
    const query = level === 'district' ? 'level=district' : `parent_code=${encodeURIComponent(parent!)}`;
    let live = true;
    apiFetch(`/api/regions?${query}`)
      .then((r) => r.json() as Promise<Region[]>)
      .then((rows) => live && setRegions(rows))
      .catch(() => live && setRegions([]));
    return () => {
      live = false;
    };
  }, [level, parent]);
  return <SelectInput {...props} choices={regions.map((r) => ({ id: r.code, name: r.name }))} translateChoice={false} />;
};

export const ApprovedChip = () => {
  const record = useRecordContext<{ approved?: boolean }>();
  const translate = useTranslate();
  if (!record) return null;
  return record.approved ? <Chip size="small" color="success" label={translate('registries.ui.approved')} /> : <Chip size="small" color="warning" label={translate('registries.ui.not_approved')} />;
};

/** The clear export, for a resource with personal fields and a user with pii:export. */
const ClearExportButton = () => {
  const resource = useResourceContext() ?? '';
  const { permissions } = usePermissions<string[]>();
  if (!permissions?.includes('pii:export') || Object.keys(personalFieldsOf(resource)).length === 0) return null;
  return <ExportXlsxButton clearPersonal />;
};

interface ImportReport {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: Array<{ row: number; field: string; reason: string }>;
  committed: boolean;
}

/** Uploads an .xlsx/.csv as the raw request body and shows what was written or why nothing was. */
export const ImportButton = ({ keyLabel }: { keyLabel: string }) => {
  const resource = useResourceContext();
  const input = useRef<HTMLInputElement>(null);
  const notify = useNotify();
  const refresh = useRefresh();
  const translate = useTranslate();
  const [report, setReport] = useState<ImportReport | null>(null);
  const upload = async (file: File) => {
    try {
      const res = await apiFetch(`/api/${resource}/import`, { method: 'POST', body: file, headers: { 'Content-Type': file.type || 'application/octet-stream' } });
      const body = (await res.json()) as ImportReport;
      setReport(body);
      if (body.committed) refresh();
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    }
  };
  return (
    <>
      <Button label="registries.ui.import" title={translate('registries.ui.import_hint', { key: keyLabel })} onClick={() => input.current?.click()}>
        <UploadIcon />
      </Button>
      <input
        ref={input}
        type="file"
        hidden
        accept=".xlsx,.csv"
        data-testid="registry-import-file"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void upload(file);
        }}
      />
      <Dialog open={report !== null} onClose={() => setReport(null)} maxWidth="md" fullWidth>
        <DialogTitle>{translate('registries.ui.import_title')}</DialogTitle>
        <DialogContent>
          {report?.committed ? (
            <Alert severity="success">{translate('registries.ui.import_done', { created: report.created, updated: report.updated, unchanged: report.unchanged })}</Alert>
          ) : (
            <Alert severity="error">{translate('registries.ui.import_rejected', { count: report?.rejected.length ?? 0 })}</Alert>
          )}
          {report && report.rejected.length > 0 && (
            <Table size="small">
              <TableHead>
                <TableRow>
                  <TableCell>{translate('registries.ui.import_row')}</TableCell>
                  <TableCell>{translate('registries.ui.import_field')}</TableCell>
                  <TableCell>{translate('registries.ui.import_reason')}</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {report.rejected.map((r, i) => (
                  <TableRow key={i}>
                    <TableCell>{r.row}</TableCell>
                    <TableCell>{translate(`resources.${resource}.fields.${r.field}`, { _: r.field })}</TableCell>
                    <TableCell>{r.reason}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </DialogContent>
        <DialogActions>
          <Button label="registries.ui.close" onClick={() => setReport(null)} />
        </DialogActions>
      </Dialog>
    </>
  );
};

/** The list toolbar: filters, create (when the role may), Excel export and import. */
export const RegistryListActions = ({ canCreate, importKey }: { canCreate: boolean; importKey?: string }) => (
  <TopToolbar>
    <FilterButton />
    {canCreate && <CreateButton />}
    <ExportXlsxButton />
    <ClearExportButton />
    {importKey && canCreate && <ImportButton keyLabel={importKey} />}
  </TopToolbar>
);

/** Marks a changed record as reviewed (it lost its approved flag when edited). */
export const ReviewButton = () => {
  const record = useRecordContext<{ id: number; approved: boolean }>();
  const resource = useResourceContext();
  const { permissions } = usePermissions<string[]>();
  const notify = useNotify();
  const refresh = useRefresh();
  if (!record || record.approved || !permissions?.includes('registries:review')) return null;
  return (
    <Button
      label="registries.ui.review"
      onClick={async () => {
        try {
          await apiFetch(`/api/${resource}/${record.id}/review`, { method: 'POST' });
          notify('registries.ui.reviewed', { type: 'success' });
          refresh();
        } catch (e) {
          notify((e as Error).message, { type: 'error' });
        }
      }}
    >
      <VerifiedIcon />
    </Button>
  );
};

interface Change {
  id: number;
  action: string;
  changed_fields: string[];
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  username: string | null;
  case_ref: string | null;
  at: string;
}

const show = (v: unknown, translate: (key: string) => string): string =>
  v === null || v === undefined || v === '' ? '—' : typeof v === 'boolean' ? translate(`ra.boolean.${v}`) : Array.isArray(v) ? `[${v.length}]` : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** Who changed what and when, newest first, with each changed field's old and new value. */
export const HistoryPanel = ({ entity }: { entity: string }) => {
  const record = useRecordContext<{ id: number }>();
  const resource = useResourceContext();
  const translate = useTranslate();
  const { data, isPending } = useGetList<Change>('registry-changes', { filter: { entity, entity_id: record?.id }, pagination: { page: 1, perPage: 100 }, sort: { field: 'id', order: 'DESC' } }, { enabled: Boolean(record?.id) });
  if (isPending) return null;
  if (!data?.length) return <Typography color="text.secondary">{translate('registries.ui.history_empty')}</Typography>;
  const label = (f: string) => translate(`resources.${resource}.fields.${f}`, { _: f });
  return (
    <Table size="small" data-testid="registry-history">
      <TableHead>
        <TableRow>
          <TableCell>{translate('registries.ui.history_at')}</TableCell>
          <TableCell>{translate('registries.ui.history_who')}</TableCell>
          <TableCell>{translate('registries.ui.history_what')}</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {data.map((c) => (
          <TableRow key={c.id}>
            <TableCell sx={{ whiteSpace: 'nowrap', verticalAlign: 'top' }}>{beijingTime(c.at)}</TableCell>
            <TableCell sx={{ verticalAlign: 'top' }}>
              {c.username ?? c.case_ref}
              <Box component="span" sx={{ ml: 1 }}>
                <Chip size="small" label={translate(`registries.ui.history_action.${c.action}`, { _: c.action })} />
              </Box>
            </TableCell>
            <TableCell>
              {c.changed_fields.map((f) => (
                <div key={f} className="registry-change">
                  <strong>{label(f)}</strong>：{show(c.before?.[f], translate)} → {show(c.after?.[f], translate)}
                </div>
              ))}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
};

/** A labelled group of fields in a Show page. */
export const Section = ({ children }: { children: ReactNode }) => <Box sx={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(240px, 1fr))', gap: 2, width: '100%' }}>{children}</Box>;

/** Registry records are never deleted (they are deregistered or marked inactive), so forms only save. */
export const SaveOnlyToolbar = () => (
  <Toolbar>
    <SaveButton />
  </Toolbar>
);
