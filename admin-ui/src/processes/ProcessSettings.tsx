import SaveIcon from '@mui/icons-material/Save';
import { Alert, MenuItem, Stack, TextField, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { Button, useNotify, usePermissions, useRecordContext, useRefresh, useTranslate } from 'react-admin';
import type { ProcessCategory, ProcessStatus } from '../../../lib/processes/lifecycle';
import { saveSettings } from './api';
import { STATUS_CHOICES, useCategoryChoices } from './lifecycle';

/**
 * A process's lifecycle for those who may publish: the status (only an enabled process is
 * offered on 发起申请 and may be started) and the category. Each change is in the operation log.
 */
export const ProcessSettings = () => {
  const record = useRecordContext<{ id: string; status: ProcessStatus; category: ProcessCategory | null }>();
  const { permissions } = usePermissions<string[]>();
  const translate = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  const categories = useCategoryChoices();
  const [status, setStatus] = useState<ProcessStatus | ''>('');
  const [category, setCategory] = useState<ProcessCategory | ''>('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setStatus(record?.status ?? '');
    setCategory(record?.category ?? '');
  }, [record?.status, record?.category]);

  if (!record || !permissions?.includes('processes:publish')) return null;
  const changed = status !== record.status || category !== (record.category ?? '');
  const onSave = async () => {
    setBusy(true);
    try {
      await saveSettings(record.id, { ...(status && status !== record.status ? { status } : {}), ...(category && category !== record.category ? { category } : {}) });
      notify('processes.settings_saved', { type: 'success' });
      refresh();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack spacing={1.5} data-testid="process-settings">
      <Typography variant="subtitle2">{translate('processes.settings')}</Typography>
      {record.status === 'draft' && <Alert severity="info">{translate('processes.draft_hint')}</Alert>}
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
        <TextField select size="small" label={translate('processes.status_label')} value={status} onChange={(e) => setStatus(e.target.value as ProcessStatus)} sx={{ minWidth: 160 }} data-testid="process-status-select">
          {STATUS_CHOICES.map((c) => (
            <MenuItem key={c.id} value={c.id}>
              {translate(c.name)}
            </MenuItem>
          ))}
        </TextField>
        <TextField select size="small" label={translate('processes.category_label')} value={category} onChange={(e) => setCategory(e.target.value as ProcessCategory)} sx={{ minWidth: 160 }} data-testid="process-category-select">
          {categories.map((c) => (
            <MenuItem key={c.id} value={c.id}>
              {c.name}
            </MenuItem>
          ))}
        </TextField>
        <Button label="processes.save_settings" variant="contained" onClick={onSave} disabled={busy || !changed}>
          <SaveIcon />
        </Button>
      </Stack>
    </Stack>
  );
};
