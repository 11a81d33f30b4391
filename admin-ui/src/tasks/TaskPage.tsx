import { Alert, Box, Card, CardContent, Chip, Dialog, DialogActions, DialogContent, DialogTitle, FormControl, Grid, InputLabel, MenuItem, Select, Stack, TextField, Typography } from '@mui/material';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Button, Title, useGetIdentity, useNotify, usePermissions, useRefresh, useTranslate } from 'react-admin';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { AttachmentLinks, AttachmentsInput, type Attachment } from '../attachments/AttachmentsInput';
import { AutomaticChecks } from '../cases/CaseExtras';
import { CamundaForm, type CamundaFormHandle } from '../forms/CamundaForm';
import { CaseDataSummary } from '../forms/CaseDataSummary';
import { givenMaterials } from '../../../lib/forms/materials';
import { Timeline } from '../cases/Timeline';
import { BpmnViewer } from '../bpmn/BpmnViewer';
import { elementNames, fetchCase, fetchDiagram, fetchHistory, fetchTask, post, type CaseDetail, type CaseDiagram, type HistoryEntry, type TaskRow } from '../cases/api';
import { TenderScoring } from '../tenders';
import { UserPicker, type UserOption } from './UserPicker';
import { beijingTime } from '../beijing-time';

type PeopleAction = 'transfer' | 'delegate' | 'add-signer' | 'copy';

/** The entries that are someone's decision on the case: what the reviewer reads before deciding. */
const DECISION_KINDS = ['task_completed', 'countersign_completed', 'supplied', 'returned'];

/**
 * One task (E3): the case it belongs to, the decision form (approve, reject, return to an
 * earlier step or to the applicant, with comment and attachments) and the task actions: claim,
 * unclaim, transfer, delegate, resolve, add a signer, copy, remind.
 */
export const TaskPage = () => {
  const { id } = useParams<{ id: string }>();
  const translate = useTranslate();
  const notify = useNotify();
  const navigate = useNavigate();
  const refresh = useRefresh(); // inbox counts in the menu follow every action
  const { data: me } = useGetIdentity();
  const { permissions } = usePermissions<string[]>();
  const [task, setTask] = useState<TaskRow | null>(null);
  const [detail, setDetail] = useState<CaseDetail | null>(null);
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const [names, setNames] = useState<Record<string, string>>({});
  const [diagram, setDiagram] = useState<CaseDiagram | null>(null);
  const [outcome, setOutcome] = useState('');
  const [returnTo, setReturnTo] = useState('applicant');
  const [comment, setComment] = useState('');
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const [people, setPeople] = useState<{ action: PeopleAction; users: UserOption[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const taskForm = useRef<CamundaFormHandle>(null);

  const load = useCallback(async () => {
    if (!id) return;
    try {
      const t = await fetchTask(id);
      setTask(t);
      const [c, h, d] = await Promise.all([fetchCase(t.case_id), fetchHistory(t.case_id), fetchDiagram(t.case_id)]);
      setDetail(c);
      setHistory(h);
      setNames(elementNames(d.xml));
      setDiagram(d);
      setOutcome((o) => o || t.outcomes[0] || '');
    } catch (e) {
      setError((e as Error).message);
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);

  // Return targets: user tasks this case has completed before (退回到任一已办步骤), or the applicant (补正).
  const returnTargets = useMemo(() => {
    const seen = new Map<string, string>();
    for (const e of history) if (e.kind === 'task_completed' && e.node_id && e.node_id !== task?.node_id) seen.set(e.node_id, names[e.node_id] ?? e.node_id);
    return [...seen.entries()];
  }, [history, names, task]);

  // The case's diagram with this step as the current one (and the others the case is at).
  const marks = useMemo(() => (diagram ? { done: diagram.completed, active: [...new Set([...(task?.status === 'open' ? [task.node_id] : []), ...diagram.active])], overdue: diagram.overdue } : undefined), [diagram, task]);
  const decisions = useMemo(() => history.filter((e) => DECISION_KINDS.includes(e.kind) && e.task_key !== task?.task_key), [history, task]);

  if (error) return <Alert severity="error">{error}</Alert>;
  if (!task || !detail) return null;

  const open = task.status === 'open';
  const holder = me?.id === task.assignee_id;
  const claimable = open && task.assignee_id === null && task.candidate;
  const delegated = holder && task.owner_id !== null && task.owner_id !== me?.id;
  // A task offered to nobody (待分配): an administrator assigns it (a transfer, checked by the API).
  const assignable = open && !holder && task.assignee_id === null && task.pooled && permissions?.includes('cases:admin');

  const run = async (path: string, body: unknown, message: string, after?: () => void) => {
    try {
      await post(`/api/tasks/${task.id}/${path}`, body);
      notify(message, { type: 'success' });
      refresh();
      if (after) after();
      else await load();
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    }
  };
  const decide = async () => {
    // The task's Camunda form, checked with the server's rules; a return sends the case back without it.
    const formData = task.form && outcome !== 'return' ? await taskForm.current?.submit() : undefined;
    if (task.form && outcome !== 'return' && !formData) return;
    await run('decide', { outcome, ...(outcome === 'return' ? { returnTo } : {}), comment: comment || undefined, attachments, ...(formData ? { formData } : {}) }, 'tasks.decided', () => navigate('/inbox/todo'));
  };
  const submitPeople = async () => {
    if (!people || people.users.length === 0) return;
    const body = people.action === 'copy' ? { to: people.users.map((u) => u.id), comment: comment || undefined } : { to: people.users[0].id, comment: comment || undefined };
    setPeople(null);
    await run(people.action, body, `tasks.done_${people.action.replace('-', '_')}`);
  };

  return (
    <Box sx={{ mt: 2 }}>
      <Title title={`${task.name} · ${task.case_number}`} />
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, lg: 7 }}>
          <Card>
            <CardContent>
              <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                <Typography variant="h6" sx={{ flex: 1 }}>
                  {task.name}
                </Typography>
                {task.overdue && <Chip color="error" label={translate('inbox.overdue')} />}
                <Chip label={translate(`task_status.${task.status}`, { _: task.status })} />
              </Stack>
              <Typography variant="body2">
                <Link to={`/cases/${task.case_id}/show`} data-testid="task-case-link">
                  {task.case_number}
                </Link>{' '}
                {task.case_title}
              </Typography>
              <Typography variant="body2" color="text.secondary">
                {translate('cases.applicant')}：{detail.applicant_name} · {translate('cases.holder')}：{task.assignee_name ?? translate('inbox.unclaimed')} · {translate('cases.due_at')}：{beijingTime(task.due_at)}
              </Typography>
              <AttachmentLinks attachments={detail.variables.attachments as Attachment[] | undefined} />
              <AttachmentLinks attachments={givenMaterials(detail.variables.materials).map((m) => ({ fileId: m.fileId, name: m.name ?? m.code }))} />
              <AutomaticChecks variables={detail.variables} />
              <CaseDataSummary form={detail.form ?? null} labels={detail.form_labels ?? {}} variables={detail.variables} />
            </CardContent>
          </Card>

          <Card sx={{ mt: 2 }}>
            <CardContent>
              <Typography variant="subtitle2">{translate('tasks.earlier_decisions')}</Typography>
              {decisions.length ? (
                <Timeline entries={decisions} names={names} testId="earlier-decisions" />
              ) : (
                <Typography variant="body2" color="text.secondary" data-testid="earlier-decisions-none">
                  {translate('tasks.no_earlier_decisions')}
                </Typography>
              )}
            </CardContent>
          </Card>

          {open && (
            <Card sx={{ mt: 2 }}>
              <CardContent>
                <Stack spacing={2}>
                  {claimable && <Button variant="contained" label="tasks.claim" onClick={() => run('claim', {}, 'tasks.done_claim')} />}
                  {assignable && (
                    <>
                      <Alert severity="info">{translate('tasks.assign_help')}</Alert>
                      <Button variant="contained" label="tasks.assign" onClick={() => setPeople({ action: 'transfer', users: [] })} data-testid="assign-task" />
                    </>
                  )}
                  {holder && task.process_key === 'tender' && task.node_id === 'scoring' && <TenderScoring caseId={task.case_id} />}
                  {holder && (
                    <>
                      <FormControl size="small">
                        <InputLabel id="outcome-label">{translate('tasks.outcome')}</InputLabel>
                        <Select labelId="outcome-label" label={translate('tasks.outcome')} value={outcome} onChange={(e) => setOutcome(e.target.value)} data-testid="outcome-select">
                          {task.outcomes.map((o) => (
                            <MenuItem key={o} value={o}>
                              {translate(`outcomes.${o}`, { _: o })}
                            </MenuItem>
                          ))}
                        </Select>
                      </FormControl>
                      {outcome === 'return' && (
                        <FormControl size="small">
                          <InputLabel id="return-label">{translate('tasks.return_to')}</InputLabel>
                          <Select labelId="return-label" label={translate('tasks.return_to')} value={returnTo} onChange={(e) => setReturnTo(e.target.value)} data-testid="return-select">
                            <MenuItem value="applicant">{translate('tasks.return_applicant')}</MenuItem>
                            {returnTargets.map(([nodeId, name]) => (
                              <MenuItem key={nodeId} value={nodeId}>
                                {name}
                              </MenuItem>
                            ))}
                          </Select>
                        </FormControl>
                      )}
                      {task.form && <CamundaForm ref={taskForm} schema={task.form} data={detail.variables} />}
                      {task.foreign_form && (
                        <Alert severity="info" data-testid="foreign-form">
                          {task.foreign_form.url ? (
                            <>
                              {translate('tasks.external_form')}{' '}
                              <a href={task.foreign_form.url} target="_blank" rel="noopener noreferrer">
                                {translate('tasks.open_external_form')}
                              </a>
                            </>
                          ) : (
                            translate('tasks.foreign_form', { reference: task.foreign_form.reference })
                          )}
                        </Alert>
                      )}
                      <TextField label={translate('cases.comment')} value={comment} onChange={(e) => setComment(e.target.value)} multiline minRows={3} slotProps={{ htmlInput: { 'data-testid': 'decision-comment' } }} />
                      <AttachmentsInput value={attachments} onChange={setAttachments} />
                      <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap' }}>
                        <Button variant="contained" label="tasks.submit" onClick={decide} disabled={!outcome} />
                        {delegated ? (
                          <Button label="tasks.resolve" onClick={() => run('resolve', { comment: comment || undefined }, 'tasks.done_resolve')} />
                        ) : (
                          <>
                            <Button label="tasks.transfer" onClick={() => setPeople({ action: 'transfer', users: [] })} />
                            <Button label="tasks.delegate" onClick={() => setPeople({ action: 'delegate', users: [] })} />
                            <Button label="tasks.add_signer" onClick={() => setPeople({ action: 'add-signer', users: [] })} />
                          </>
                        )}
                        <Button label="tasks.copy" onClick={() => setPeople({ action: 'copy', users: [] })} />
                        <Button label="tasks.unclaim" onClick={() => run('unclaim', {}, 'tasks.done_unclaim')} />
                      </Stack>
                    </>
                  )}
                  {!holder && task.assignee_id !== null && <Button label="tasks.remind" onClick={() => run('remind', { comment: comment || undefined }, 'tasks.done_remind')} />}
                </Stack>
              </CardContent>
            </Card>
          )}
        </Grid>
        <Grid size={{ xs: 12, lg: 5 }}>
          {diagram?.xml && (
            <Card sx={{ mb: 2 }}>
              <CardContent>
                <Typography variant="subtitle2">{translate('tasks.where_in_process')}</Typography>
                <BpmnViewer xml={diagram.xml} marks={marks} height={320} />
              </CardContent>
            </Card>
          )}
          <Card>
            <CardContent>
              <Typography variant="subtitle2">{translate('cases.history')}</Typography>
              <Timeline entries={history} names={names} />
            </CardContent>
          </Card>
        </Grid>
      </Grid>
      <Dialog open={people !== null} onClose={() => setPeople(null)}>
        <DialogTitle>{people ? translate(`tasks.${people.action.replace('-', '_')}`) : ''}</DialogTitle>
        <DialogContent sx={{ pt: 1 }}>
          <Box sx={{ pt: 1 }}>
            <UserPicker label={translate('tasks.to_whom')} multiple={people?.action === 'copy'} onChange={(users) => setPeople((p) => (p ? { ...p, users } : p))} />
          </Box>
        </DialogContent>
        <DialogActions>
          <Button label="ra.action.cancel" onClick={() => setPeople(null)} />
          <Button variant="contained" label="ra.action.confirm" onClick={submitPeople} disabled={!people?.users.length} />
        </DialogActions>
      </Dialog>
    </Box>
  );
};
