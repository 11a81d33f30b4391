import { Alert, Autocomplete, Box, Button as MuiButton, Card, CardActionArea, CardContent, Checkbox, FormControl, FormControlLabel, Grid, IconButton, InputLabel, MenuItem, Select, Stack, TextField, Typography } from '@mui/material';
import DeleteIcon from '@mui/icons-material/Delete';
import { useEffect, useMemo, useState } from 'react';
import { Button, Title, useNotify, useTranslate } from 'react-admin';
import { useNavigate, useParams } from 'react-router-dom';
import { apiFetch } from '../api';
import { AttachmentsInput, type Attachment } from '../attachments/AttachmentsInput';
import { formProblems, initialValues, isVisible, materialsFor, prepareFormData, type FormField, type FormValues, type StartableProcess, type StartForm } from './startForm';

/**
 * Starting an application (P3, E4): the processes the caller's role may start, then a form per
 * process built from its shipped description, with uploads for the required materials.
 */
export const StartCase = () => {
  const { key } = useParams<{ key?: string }>();
  const translate = useTranslate();
  const navigate = useNavigate();
  const [processes, setProcesses] = useState<StartableProcess[] | null>(null);
  useEffect(() => {
    void apiFetch('/api/processes/startable')
      .then((r) => r.json() as Promise<StartableProcess[]>)
      .then(setProcesses);
  }, []);
  const chosen = processes?.find((p) => p.key === key);

  if (!processes) return null;
  if (!chosen) {
    return (
      <Box sx={{ mt: 2 }}>
        <Title title="cases.start" />
        <Typography variant="h6" gutterBottom>
          {translate('cases.choose_process')}
        </Typography>
        {processes.length === 0 && <Alert severity="info">{translate('cases.nothing_to_start')}</Alert>}
        <Grid container spacing={2}>
          {processes.map((p) => (
            <Grid key={p.key} size={{ xs: 12, md: 6, lg: 4 }}>
              <Card sx={{ height: '100%' }}>
                <CardActionArea onClick={() => navigate(`/cases/start/${encodeURIComponent(p.key)}`)} sx={{ height: '100%' }} data-testid={`start-${p.key}`}>
                  <CardContent>
                    <Typography variant="subtitle1">{p.form?.title ?? p.name}</Typography>
                    <Typography variant="body2" color="text.secondary">
                      {p.form?.description ?? ''}
                    </Typography>
                  </CardContent>
                </CardActionArea>
              </Card>
            </Grid>
          ))}
        </Grid>
      </Box>
    );
  }
  return <ApplicationForm process={chosen} />;
};

function ApplicationForm({ process }: { process: StartableProcess }) {
  const translate = useTranslate();
  const notify = useNotify();
  const navigate = useNavigate();
  const form: StartForm = useMemo(() => process.form ?? { processKey: process.key, title: process.name, fields: [] }, [process]);
  const [values, setValues] = useState<FormValues>(() => initialValues(form.fields));
  const [title, setTitle] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const set = (name: string, value: unknown) => setValues((v) => ({ ...v, [name]: value }));

  const submit = async () => {
    // The same checks the server runs (lib/forms/start-form.ts), before anything is sent.
    const found = formProblems(form, values);
    if (Object.keys(found).length) {
      setProblems(Object.fromEntries(Object.entries(found).map(([field, reason]) => [field, reason === 'is required' ? translate('ra.validation.required') : reason])));
      return;
    }
    setBusy(true);
    try {
      // Hidden and empty fields dropped, defaults filled in: what the case will keep.
      const { formData } = prepareFormData(form, values);
      const body: Record<string, unknown> = { processKey: process.key, formData, ...(title.trim() ? { title: title.trim() } : {}) };
      // A project's case is reviewed by the project's district and street, not the applicant's.
      if (form.scope === 'project' && values.projectId) {
        const project = (await (await apiFetch(`/api/projects/${values.projectId}`)).json()) as { district_code?: string; street_code?: string };
        if (project.district_code) body.districtCode = project.district_code;
        if (project.street_code) body.streetCode = project.street_code;
      }
      const created = (await (await apiFetch('/api/cases', { method: 'POST', body: JSON.stringify(body) })).json()) as { id: number; number: string };
      notify('cases.started', { type: 'success', messageArgs: { number: created.number } });
      // A route change, not work to wait for.
      void navigate(`/cases/${created.id}/show`);
    } catch (error) {
      const details = (error as { body?: { error?: { details?: Array<{ field: string; reason: string }> } } }).body?.error?.details ?? [];
      setProblems(Object.fromEntries(details.map((d) => [d.field.replace(/^body\.(formData\.)?/, ''), d.reason])));
      notify((error as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card sx={{ mt: 2, maxWidth: 860 }}>
      <Title title={form.title} />
      <CardContent>
        <Stack spacing={2}>
          <Typography variant="h6">{form.title}</Typography>
          {form.description && <Typography color="text.secondary">{form.description}</Typography>}
          <TextField label={translate('cases.subject')} value={title} onChange={(e) => setTitle(e.target.value)} helperText={translate('cases.subject_help')} />
          {form.fields
            .filter((f) => isVisible(f, values))
            .map((f) => (
              <FieldInput key={f.name} field={f} form={form} values={values} value={values[f.name]} error={problems[f.name]} onChange={(v) => set(f.name, v)} />
            ))}
          <Box>
            <Button variant="contained" label="cases.submit_application" onClick={submit} disabled={busy} />
          </Box>
        </Stack>
      </CardContent>
    </Card>
  );
}

function FieldInput(props: { field: FormField; form: StartForm; values: FormValues; value: unknown; error?: string; onChange: (v: unknown) => void }) {
  const { field, value, error, onChange } = props;
  const label = `${field.label}${field.required ? ' *' : ''}`;
  const common = { label, error: Boolean(error), helperText: error ?? field.help, fullWidth: true, slotProps: { htmlInput: { 'data-field': field.name } } };
  switch (field.type) {
    case 'string':
    case 'duration':
      return <TextField {...common} value={(value as string) ?? ''} onChange={(e) => onChange(e.target.value)} />;
    case 'text':
      return <TextField {...common} multiline minRows={3} value={(value as string) ?? ''} onChange={(e) => onChange(e.target.value)} />;
    case 'number':
      return <TextField {...common} type="number" value={value ?? ''} onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))} />;
    case 'date':
      return <TextField {...common} type="date" value={(value as string) ?? ''} onChange={(e) => onChange(e.target.value)} slotProps={{ inputLabel: { shrink: true }, htmlInput: { 'data-field': field.name } }} />;
    case 'boolean':
      return <FormControlLabel control={<Checkbox checked={Boolean(value)} onChange={(e) => onChange(e.target.checked)} />} label={field.label} />;
    case 'enum':
      return (
        <FormControl fullWidth error={Boolean(error)}>
          <InputLabel id={`${field.name}-label`}>{label}</InputLabel>
          <Select labelId={`${field.name}-label`} label={label} value={(value as string) ?? ''} onChange={(e) => onChange(e.target.value)}>
            {(field.options ?? []).map((o) => (
              <MenuItem key={o.value} value={o.value}>
                {o.label}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
      );
    case 'ref':
      return <RefInput field={field} label={label} error={error} value={value as number | undefined} onChange={onChange} />;
    case 'list':
      return <ListInput field={field} value={(value as FormValues[]) ?? []} onChange={onChange} />;
    case 'materials':
      return <MaterialsInput field={field} form={props.form} values={props.values} value={(value as Array<Attachment & { code: string }>) ?? []} error={error} onChange={onChange} />;
  }
}

/** Picks a registry record (project, enterprise, committee, credit event) the caller may see. */
function RefInput({ field, label, error, value, onChange }: { field: FormField; label: string; error?: string; value?: number; onChange: (v: unknown) => void }) {
  const [q, setQ] = useState('');
  const [options, setOptions] = useState<Array<{ id: number; label: string }>>([]);
  useEffect(() => {
    const timer = setTimeout(async () => {
      const filter = encodeURIComponent(JSON.stringify(q ? { q } : {}));
      const res = await apiFetch(`/api/${field.ref}?range=[0,19]&filter=${filter}`).catch(() => null);
      const rows = res ? ((await res.json()) as Array<Record<string, unknown>>) : [];
      setOptions(rows.map((r) => ({ id: Number(r.id), label: String(r.name ?? r.title ?? r.description ?? `#${String(r.id)}`) })));
    }, 200);
    return () => clearTimeout(timer);
  }, [q, field.ref]);
  return (
    <Autocomplete
      options={options}
      filterOptions={(x) => x}
      getOptionLabel={(o) => o.label}
      isOptionEqualToValue={(a, b) => a.id === b.id}
      onInputChange={(_, v) => setQ(v)}
      onChange={(_, v) => onChange(v?.id)}
      value={options.find((o) => o.id === value) ?? null}
      renderInput={(params) => <TextField {...params} label={label} error={Boolean(error)} helperText={error ?? field.help} />}
    />
  );
}

function ListInput({ field, value, onChange }: { field: FormField; value: FormValues[]; onChange: (v: unknown) => void }) {
  const translate = useTranslate();
  const items = field.itemFields ?? [];
  const update = (i: number, name: string, v: unknown) => onChange(value.map((row, j) => (j === i ? { ...row, [name]: v } : row)));
  return (
    <Box>
      <Typography variant="subtitle2">{field.label}</Typography>
      {value.map((row, i) => (
        <Stack key={i} direction="row" spacing={1} sx={{ mt: 1, alignItems: 'center' }}>
          {items.map((item) => (
            <Box key={item.name} sx={{ flex: 1 }}>
              <FieldInput field={item} form={{ processKey: '', title: '', fields: items }} values={row} value={row[item.name]} onChange={(v) => update(i, item.name, v)} />
            </Box>
          ))}
          <IconButton aria-label={translate('ra.action.remove')} onClick={() => onChange(value.filter((_, j) => j !== i))}>
            <DeleteIcon />
          </IconButton>
        </Stack>
      ))}
      <MuiButton size="small" onClick={() => onChange([...value, initialValues(items)])} sx={{ mt: 1 }}>
        {translate('ra.action.add')}
      </MuiButton>
    </Box>
  );
}

/** One upload per required material; the value is [{ code, fileId, name }]. */
function MaterialsInput(props: { field: FormField; form: StartForm; values: FormValues; value: Array<Attachment & { code: string }>; error?: string; onChange: (v: unknown) => void }) {
  const { field, form, values, value, error, onChange } = props;
  const specs = materialsFor(form, values);
  const slots = specs.length ? specs : [{ code: 'other', label: field.label }];
  return (
    <Box>
      <Typography variant="subtitle2" color={error ? 'error' : undefined}>
        {field.label}
        {field.required ? ' *' : ''} {error ?? ''}
      </Typography>
      {slots.map((spec) => (
        <Stack key={spec.code} direction="row" spacing={2} sx={{ alignItems: 'center', mt: 1 }} data-material={spec.code}>
          <Typography variant="body2" sx={{ width: 240 }}>
            {spec.label}
          </Typography>
          <AttachmentsInput value={value.filter((m) => m.code === spec.code)} onChange={(next) => onChange([...value.filter((m) => m.code !== spec.code), ...next.map((a) => ({ ...a, code: spec.code }))])} />
        </Stack>
      ))}
    </Box>
  );
}
