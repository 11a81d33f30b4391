import { Alert, Box, Card, CardActionArea, CardContent, Grid, Stack, TextField, Typography } from '@mui/material';
import { useEffect, useRef, useState } from 'react';
import { Button, Title, useNotify, useTranslate } from 'react-admin';
import { useNavigate, useParams } from 'react-router-dom';
import { apiFetch } from '../api';
import { CamundaForm, type CamundaFormHandle } from '../forms/CamundaForm';
import { formDescription, formScope, labelsByKey } from '../../../lib/forms/form-schema';
import { fetchStartable, type StartableProcess } from './startForm';

/**
 * Starting an application (P3, E4): the processes the caller's role may start, then a form per
 * process: its Camunda start form (form-js), checked with the server's rules before it is sent.
 */
export const StartCase = () => {
  const { key } = useParams<{ key?: string }>();
  const translate = useTranslate();
  const navigate = useNavigate();
  const [processes, setProcesses] = useState<StartableProcess[] | null>(null);
  useEffect(() => {
    void fetchStartable().then(setProcesses);
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
                    <Typography variant="subtitle1">{p.name}</Typography>
                    <Typography variant="body2" color="text.secondary">
                      {formDescription(p.form)}
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
  const form = useRef<CamundaFormHandle>(null);
  const [title, setTitle] = useState('');
  const [problems, setProblems] = useState<Array<{ field: string; reason: string }>>([]);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    try {
      // Checked in the form with the server's own rules (lib/forms/form-values.ts); null: a field is wrong.
      const formData = process.form ? await form.current?.submit() : {};
      if (!formData) return;
      const body: Record<string, unknown> = { processKey: process.key, formData, ...(title.trim() ? { title: title.trim() } : {}) };
      // A project's case is reviewed by the project's district and street, not the applicant's.
      if (formScope(process.form) === 'project' && formData.projectId) {
        const project = (await (await apiFetch(`/api/projects/${String(formData.projectId)}`)).json()) as { district_code?: string; street_code?: string };
        if (project.district_code) body.districtCode = project.district_code;
        if (project.street_code) body.streetCode = project.street_code;
      }
      const created = (await (await apiFetch('/api/cases', { method: 'POST', body: JSON.stringify(body) })).json()) as { id: number; number: string };
      notify('cases.started', { type: 'success', messageArgs: { number: created.number } });
      // A route change, not work to wait for.
      void navigate(`/cases/${created.id}/show`);
    } catch (error) {
      const details = (error as { body?: { error?: { details?: Array<{ field: string; reason: string }> } } }).body?.error?.details ?? [];
      setProblems(details.map((d) => ({ field: d.field.replace(/^body\.(formData\.)?/, ''), reason: d.reason })));
      notify((error as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card sx={{ mt: 2, maxWidth: 860 }}>
      <Title title={process.name} />
      <CardContent>
        <Stack spacing={2}>
          <Typography variant="h6">{process.name}</Typography>
          <TextField label={translate('cases.subject')} value={title} onChange={(e) => setTitle(e.target.value)} helperText={translate('cases.subject_help')} />
          {process.form && <CamundaForm ref={form} schema={process.form} />}
          {problems.length > 0 && (
            <Alert severity="error" data-testid="start-problems">
              {problems.map((p) => `${labelsByKey(process.form).get(p.field) ?? p.field}：${p.reason}`).join('；')}
            </Alert>
          )}
          <Box>
            <Button variant="contained" label="cases.submit_application" onClick={submit} disabled={busy} />
          </Box>
        </Stack>
      </CardContent>
    </Card>
  );
}
