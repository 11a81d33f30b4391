import { Alert, Box, Card, CardContent, Chip, Grid, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField as MuiTextField, Typography } from '@mui/material';
import { givenMaterials } from '../../../lib/forms/materials';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Button, Title, useGetIdentity, useNotify, usePermissions, useTranslate } from 'react-admin';
import { Link, useParams } from 'react-router-dom';
import { AttachmentLinks, AttachmentsInput, type Attachment } from '../attachments/AttachmentsInput';
import { BpmnViewer } from '../bpmn/BpmnViewer';
import { fetchIncident, type CaseIncident } from '../incidents/api';
import { useIncidentWords } from '../incidents/words';
import { AutomaticChecks, CaseDocuments, CaseOperations, LinkedCases } from './CaseExtras';
import { resultColor, statusColor } from './outcome';
import { Timeline } from './Timeline';
import { elementNames, fetchCase, fetchDiagram, fetchHistory, post, type CaseDetail, type CaseDiagram, type HistoryEntry } from './api';
import { beijingTime } from '../beijing-time';

/**
 * A case (E4, E5): status, current steps with holders and deadlines, the diagram of its own
 * process version with completed, active and overdue elements marked (click one to see its
 * history), and the full timeline. The applicant can withdraw or supply materials here. A case
 * stopped at an incident shows where and why, in red on the diagram too; administrators retry,
 * move the token or terminate it here.
 */
export const CaseShow = () => {
  const { id } = useParams<{ id: string }>();
  const translate = useTranslate();
  const incidentWords = useIncidentWords();
  const notify = useNotify();
  const { data: me } = useGetIdentity();
  const [detail, setDetail] = useState<CaseDetail | null>(null);
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const [diagram, setDiagram] = useState<CaseDiagram | null>(null);
  const [focus, setFocus] = useState<string | null>(null);
  const [comment, setComment] = useState('');
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const [error, setError] = useState<string | null>(null);
  const { permissions } = usePermissions<string[]>();
  const [incident, setIncident] = useState<CaseIncident | null>(null);

  const load = useCallback(async () => {
    if (!id) return;
    try {
      const [c, h, d] = await Promise.all([fetchCase(id), fetchHistory(id), fetchDiagram(id)]);
      setDetail(c);
      setHistory(h);
      setDiagram(d);
      // Where it stopped, from the case row (the live state may be unreachable).
      setIncident(c.status === 'incident' ? await fetchIncident(id).catch(() => null) : null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);

  const names = useMemo(() => elementNames(diagram?.xml ?? null), [diagram]);
  const marks = useMemo(() => (diagram ? { done: diagram.completed, active: diagram.active, overdue: diagram.overdue } : undefined), [diagram]);
  const badges = useMemo(
    () =>
      (detail?.open_tasks ?? []).map((t) => ({
        elementId: t.node_id,
        text: t.assignee_name ?? t.candidate_groups.map((g) => translate(`roles.${g}`, { _: g })).join('/'),
        overdue: t.overdue,
      })),
    [detail, translate],
  );
  // Every token stopped at an incident (the live state), else the one the case row records.
  const incidents = useMemo(() => {
    if (detail?.status !== 'incident') return [];
    const live = (detail as CaseDetail & { live?: { incidents?: Array<{ nodeId: string; message: string }> } | null }).live?.incidents ?? [];
    if (live.length) return live.map((i) => ({ elementId: i.nodeId, message: incidentWords(i.message) }));
    return incident?.nodeId ? [{ elementId: incident.nodeId, message: incidentWords(incident.message) }] : [];
  }, [detail, incident, incidentWords]);
  const ending = useMemo(
    () => (diagram?.ended?.length ? { elementIds: diagram.ended, result: diagram.result, label: diagram.result ? translate(`case_result.${diagram.result}`, { _: diagram.result }) : translate('case_status.completed') } : null),
    [diagram, translate],
  );
  const onElementClick = useCallback((elementId: string) => setFocus((f) => (f === elementId ? null : elementId)), []);

  if (error) return <Alert severity="error">{error}</Alert>;
  if (!detail) return null;

  const isApplicant = me?.id === detail.started_by || (me as { organisationId?: number } | undefined)?.organisationId === detail.applicant_organisation_id;
  const act = async (path: string, body: unknown, message: string) => {
    try {
      await post(`/api/cases/${detail.id}/${path}`, body);
      notify(message, { type: 'success' });
      setComment('');
      setAttachments([]);
      await load();
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    }
  };
  const attachmentsOfCase = [...((detail.variables.attachments as Array<{ name: string; fileId?: string }> | undefined) ?? []), ...givenMaterials(detail.variables.materials).map((m) => ({ fileId: m.fileId, name: m.name ?? m.code }))];

  return (
    <Box sx={{ mt: 2 }}>
      <Title title={`${detail.number} ${detail.title}`} />
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, lg: 8 }}>
          <Card>
            <CardContent>
              <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 1 }}>
                <Typography variant="h6" data-testid="case-number">
                  {detail.number}
                </Typography>
                <Chip label={translate(`case_status.${detail.status}`, { _: detail.status })} color={detail.result ? 'default' : statusColor(detail.status)} variant={detail.result ? 'outlined' : 'filled'} data-testid="case-status" />
                {detail.result && <Chip color={resultColor(detail.result)} label={translate(`case_result.${detail.result}`, { _: detail.result })} data-testid="case-result" data-result={detail.result} />}
              </Stack>
              <Typography>{detail.title}</Typography>
              <Typography variant="body2" color="text.secondary">
                {translate('cases.applicant')}：{detail.applicant_name}（{detail.started_by_name}） · {translate('cases.started_at')}：{beijingTime(detail.started_at)} · {translate('cases.process')}：
                {detail.process_name ?? detail.process_key}（{translate('cases.version', { n: detail.process_version })}）{detail.check_code ? ` · ${translate('cases.check_code')}：${detail.check_code}` : ''}
              </Typography>
              {detail.status === 'incident' && (
                <Alert severity="error" sx={{ mt: 1 }} data-testid="case-incident">
                  {translate('incidents.alert')}
                  {incidents.length
                    ? incidents.map((i) => (
                        <div key={i.elementId}>
                          {translate('incidents.at_element', { name: names[i.elementId] ?? i.elementId })}：{i.message}
                        </div>
                      ))
                    : incident?.message && <div>{incidentWords(incident.message)}</div>}
                </Alert>
              )}
              <AttachmentLinks attachments={attachmentsOfCase} />
              <CaseDocuments caseId={detail.id} refreshKey={detail.status} />
              <AutomaticChecks variables={detail.variables} />
              <LinkedCases linked={detail.linked} />
              {detail.open_tasks.length > 0 && (
                <Table size="small" sx={{ mt: 1 }} data-testid="case-open-tasks">
                  <TableHead>
                    <TableRow>
                      <TableCell>{translate('cases.current_step')}</TableCell>
                      <TableCell>{translate('cases.holder')}</TableCell>
                      <TableCell>{translate('cases.due_at')}</TableCell>
                    </TableRow>
                  </TableHead>
                  <TableBody>
                    {detail.open_tasks.map((t) => (
                      <TableRow key={t.id}>
                        <TableCell>
                          <Link to={`/tasks/${t.id}`}>{t.name}</Link>
                        </TableCell>
                        <TableCell>{t.assignee_name ?? t.candidate_groups.map((g) => translate(`roles.${g}`, { _: g })).join(' / ')}</TableCell>
                        <TableCell>
                          {beijingTime(t.due_at)} {t.overdue && <Chip size="small" color="error" label={translate('inbox.overdue')} />}
                        </TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              )}
            </CardContent>
          </Card>
          {diagram?.xml && (
            <Card sx={{ mt: 2 }}>
              <CardContent>
                <Typography variant="subtitle2" gutterBottom>
                  {translate('cases.diagram')}
                </Typography>
                <BpmnViewer xml={diagram.xml} marks={marks} badges={badges} incidents={incidents} ending={ending} onElementClick={onElementClick} height={440} />
              </CardContent>
            </Card>
          )}
          {permissions?.includes('cases:admin') && <CaseOperations caseId={detail.id} caseNumber={detail.number} status={detail.status} onDone={() => void load()} />}
          {isApplicant && (detail.status === 'running' || detail.status === 'supplement') && (
            <Card sx={{ mt: 2 }}>
              <CardContent>
                <Stack spacing={1}>
                  {detail.status === 'supplement' && <Alert severity="warning">{translate('cases.supplement_needed')}</Alert>}
                  <MuiTextField label={translate('cases.comment')} value={comment} onChange={(e) => setComment(e.target.value)} multiline minRows={2} fullWidth />
                  {detail.status === 'supplement' && <AttachmentsInput value={attachments} onChange={setAttachments} />}
                  <Stack direction="row" spacing={1}>
                    {detail.status === 'supplement' && <Button variant="contained" label="cases.supply" onClick={() => act('supply', { comment: comment || undefined, attachments }, 'cases.supplied')} />}
                    <Button color="warning" label="cases.withdraw" onClick={() => act('withdraw', { comment: comment || undefined }, 'cases.withdrawn')} />
                  </Stack>
                </Stack>
              </CardContent>
            </Card>
          )}
        </Grid>
        <Grid size={{ xs: 12, lg: 4 }}>
          <Card>
            <CardContent>
              <Stack direction="row" sx={{ alignItems: 'center' }}>
                <Typography variant="subtitle2" sx={{ flex: 1 }}>
                  {translate('cases.history')}
                  {focus ? ` · ${names[focus] ?? focus}` : ''}
                </Typography>
                {focus && <Button label="cases.show_all" onClick={() => setFocus(null)} />}
              </Stack>
              <Timeline entries={history} names={names} onlyNode={focus} />
            </CardContent>
          </Card>
        </Grid>
      </Grid>
    </Box>
  );
};
