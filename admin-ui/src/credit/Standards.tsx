import { Alert, Box, Card, CardContent, Chip, Dialog, DialogActions, DialogContent, DialogTitle, Grid, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { useCallback, useEffect, useState } from 'react';
import { Button, Loading, Title, useNotify, usePermissions, useTranslate } from 'react-admin';
import { useNavigate, useParams } from 'react-router-dom';
import { apiFetch } from '../api';
import { beijingTime } from '../beijing-time';
import { beijingToday, errorInWords, fieldProblems, getJson, points, pointsRange, reasonInWords, standardInForce, type Standard, type StandardSummary } from './api';
import { GradeChip } from './grades';
import { NewDraftButton } from './StandardEditor';

/** 信用标准 (C1): the city's versions; the city drafts a new one from any version, edits it (StandardEditor.tsx) and publishes it from a day. */
const StatusChip = ({ s, inForce }: { s: Pick<StandardSummary, 'status'>; inForce: boolean }) => {
  const translate = useTranslate();
  return (
    <Stack direction="row" spacing={0.5}>
      <Chip size="small" color={s.status === 'published' ? 'success' : 'default'} variant={s.status === 'published' ? 'filled' : 'outlined'} label={translate(`credit.standards.status.${s.status}`)} />
      {inForce && <Chip size="small" color="primary" label={translate('credit.standards.in_force')} />}
    </Stack>
  );
};

const versionOf = (s: Pick<StandardSummary, 'version'>, translate: (k: string, o?: Record<string, unknown>) => string) =>
  s.version === null ? translate('credit.standards.draft') : translate('credit.standards.version_n', { version: s.version });

export const CreditStandardList = () => {
  const translate = useTranslate();
  const navigate = useNavigate();
  const [rows, setRows] = useState<StandardSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    getJson<StandardSummary[]>('/api/credit/standards')
      .then((r) => live && setRows(r))
      .catch((e: unknown) => live && setError(errorInWords(e, translate)));
    return () => {
      live = false;
    };
  }, [translate]);
  const current = rows ? standardInForce(rows) : null;
  return (
    <Box sx={{ mt: 2 }}>
      <Title title="credit.standards.title" />
      {error && <Alert severity="error">{error}</Alert>}
      <Card>
        <Table size="small" data-testid="credit-standards">
          <TableHead>
            <TableRow>
              {['version', 'name', 'status', 'effective_from', 'items', 'published_at'].map((k) => (
                <TableCell key={k}>{translate(`credit.standards.columns.${k}`)}</TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {rows?.map((s) => (
              <TableRow key={s.id} hover sx={{ cursor: 'pointer' }} onClick={() => navigate(`/credit/standards/${s.id}/show`)}>
                <TableCell>{versionOf(s, translate)}</TableCell>
                <TableCell>{s.name}</TableCell>
                <TableCell>
                  <StatusChip s={s} inForce={current?.id === s.id} />
                </TableCell>
                <TableCell>{s.effectiveFrom ?? '—'}</TableCell>
                <TableCell>{s.items}</TableCell>
                <TableCell>{s.publishedAt ? beijingTime(s.publishedAt) : '—'}</TableCell>
              </TableRow>
            ))}
            {rows && !rows.length && (
              <TableRow>
                <TableCell colSpan={6}>
                  <Typography variant="body2" color="text.secondary">
                    {translate('credit.standards.empty')}
                  </Typography>
                </TableCell>
              </TableRow>
            )}
          </TableBody>
        </Table>
      </Card>
    </Box>
  );
};

/** 发布: a draft becomes the next version, in force from a Beijing day (today or later). */
const PublishButton = ({ standard, onPublished }: { standard: Standard; onPublished: () => void }) => {
  const translate = useTranslate();
  const notify = useNotify();
  const [open, setOpen] = useState(false);
  const [day, setDay] = useState(beijingToday());
  const [problem, setProblem] = useState<string | null>(null);
  const publish = async () => {
    setProblem(null);
    try {
      const res = await apiFetch(`/api/credit/standards/${standard.id}/publish`, { method: 'POST', body: JSON.stringify({ effectiveFrom: day }) });
      const published = (await res.json()) as Standard;
      notify(translate('credit.standards.published', { version: published.version ?? '', day }), { type: 'success' });
      setOpen(false);
      onPublished();
    } catch (error) {
      const reasons = fieldProblems(error).map((p) => reasonInWords(p.reason, translate));
      setProblem(reasons.length ? reasons.join('；') : errorInWords(error, translate));
    }
  };
  return (
    <>
      <Button variant="contained" label="credit.standards.publish" onClick={() => setOpen(true)} data-testid="credit-standard-publish" />
      <Dialog open={open} onClose={() => setOpen(false)}>
        <DialogTitle>{translate('credit.standards.publish_title', { name: standard.name })}</DialogTitle>
        <DialogContent>
          <Typography variant="body2" sx={{ mb: 2 }}>
            {translate('credit.standards.publish_help')}
          </Typography>
          <TextField type="date" label={translate('credit.standards.columns.effective_from')} value={day} onChange={(e) => setDay(e.target.value)} slotProps={{ inputLabel: { shrink: true }, htmlInput: { min: beijingToday() } }} fullWidth />
          {problem && (
            <Alert severity="error" sx={{ mt: 2 }}>
              {problem}
            </Alert>
          )}
        </DialogContent>
        <DialogActions>
          <Button label="ra.action.cancel" onClick={() => setOpen(false)} />
          <Button variant="contained" label="credit.standards.publish" onClick={publish} disabled={!day} />
        </DialogActions>
      </Dialog>
    </>
  );
};

const Fact = ({ label, children }: { label: string; children: React.ReactNode }) => {
  const translate = useTranslate();
  return (
    <Grid size={{ xs: 12, sm: 6, md: 4 }}>
      <Typography variant="caption" color="text.secondary">
        {translate(label)}
      </Typography>
      <Box>{children}</Box>
    </Grid>
  );
};

export const CreditStandardShow = () => {
  const translate = useTranslate();
  const navigate = useNavigate();
  const { id } = useParams();
  const { permissions } = usePermissions<string[]>();
  const [standard, setStandard] = useState<Standard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    getJson<Standard>(`/api/credit/standards/${encodeURIComponent(id ?? '')}`)
      .then(setStandard)
      .catch((e: unknown) => setError(errorInWords(e, translate)));
  }, [id, translate]);
  useEffect(load, [load]);
  if (error)
    return (
      <Alert severity="error" sx={{ mt: 2 }}>
        {error}
      </Alert>
    );
  if (!standard) return <Loading />;
  const m = standard.model;
  const grades = (list: string[]) => (list.length ? list.map((g) => <GradeChip key={g} grade={g} />) : '—');
  return (
    <Box sx={{ mt: 2 }}>
      <Title title="credit.standards.title" />
      <Stack spacing={2}>
        <Card>
          <CardContent>
            <Stack direction="row" spacing={2} sx={{ alignItems: 'center', mb: 2 }}>
              <Box sx={{ flex: 1 }}>
                <Typography variant="h6">{standard.name}</Typography>
                <Typography variant="body2" color="text.secondary">
                  {versionOf(standard, translate)} · {standard.effectiveFrom ? translate('credit.standards.effective', { day: standard.effectiveFrom }) : translate('credit.standards.status.draft')}
                </Typography>
              </Box>
              <StatusChip s={standard} inForce={false} />
              {permissions?.includes('credit:standards') && <NewDraftButton standard={standard} />}
              {standard.status === 'draft' && permissions?.includes('credit:standards') && (
                <Button label="credit.editor.edit" variant="outlined" onClick={() => navigate(`/credit/standards/${standard.id}`)} data-testid="credit-standard-edit" />
              )}
              {standard.status === 'draft' && permissions?.includes('credit:standards') && <PublishButton standard={standard} onPublished={load} />}
            </Stack>
            <Typography variant="subtitle2" sx={{ mb: 1 }}>
              {translate('credit.standards.model')}
            </Typography>
            <Grid container spacing={2} data-testid="credit-standard-model">
              <Fact label="credit.standards.base">{translate('credit.points', { points: points(m.base) })}</Fact>
              <Fact label="credit.standards.good_cap">{m.goodCap === null ? translate('credit.standards.no_cap') : translate('credit.points', { points: points(m.goodCap) })}</Fact>
              <Fact label="credit.standards.appeal_days">{translate('credit.standards.days', { smart_count: m.appealDays })}</Fact>
              <Fact label="credit.standards.grades">
                <Stack spacing={0.5}>
                  {m.grades.map((g, i) => (
                    <Stack key={g.grade} direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                      <GradeChip grade={g.grade} />
                      <span>{i === m.grades.length - 1 ? translate('credit.standards.band_rest', { max: points(m.grades[i - 1]?.min ?? 0) }) : translate('credit.standards.band', { min: points(g.min) })}</span>
                    </Stack>
                  ))}
                </Stack>
              </Fact>
              <Fact label="credit.standards.red_list">
                <Stack direction="row" spacing={0.5}>
                  {grades(m.redListGrades)}
                </Stack>
              </Fact>
              <Fact label="credit.standards.black_list">
                <Stack direction="row" spacing={0.5} sx={{ alignItems: 'center' }}>
                  {grades(m.blackListGrades)}
                  {m.blackListMinDays > 0 && <span>{translate('credit.standards.black_min_days', { smart_count: m.blackListMinDays })}</span>}
                </Stack>
              </Fact>
              <Fact label="credit.standards.without_bad">{m.gradeWithoutBadRecords ? <GradeChip grade={m.gradeWithoutBadRecords} /> : '—'}</Fact>
              <Fact label="credit.standards.cycle">{translate('credit.standards.cycle_from', { day: m.cycleStart })}</Fact>
              <Fact label="credit.standards.carry">{translate(m.carryUnrectified ? 'credit.yes' : 'credit.no')}</Fact>
            </Grid>
          </CardContent>
        </Card>
        <Card>
          <CardContent>
            <Typography variant="subtitle2" sx={{ mb: 1 }}>
              {translate('credit.standards.items_of', { smart_count: standard.items.length })}
            </Typography>
            <Table size="small" data-testid="credit-standard-items">
              <TableHead>
                <TableRow>
                  {['code', 'name', 'data_class', 'area', 'kind', 'points', 'validity', 'subjects', 'evidence'].map((k) => (
                    <TableCell key={k}>{translate(`credit.items.${k}`)}</TableCell>
                  ))}
                </TableRow>
              </TableHead>
              <TableBody>
                {standard.items.map((i) => (
                  <TableRow key={i.code}>
                    <TableCell sx={{ whiteSpace: 'nowrap' }}>{i.code}</TableCell>
                    <TableCell>
                      {i.name}
                      {i.veto && <Chip size="small" color="error" variant="outlined" label={translate('credit.veto')} sx={{ ml: 0.5 }} />}
                    </TableCell>
                    <TableCell>{translate(`credit.data_classes.${i.dataClass}`, { _: i.dataClass })}</TableCell>
                    <TableCell>{translate(`credit.areas.${i.area}`, { _: i.area })}</TableCell>
                    <TableCell>
                      <Chip size="small" color={i.kind === 'bad' ? 'error' : 'success'} label={translate(`credit.kinds.${i.kind}`)} />
                    </TableCell>
                    <TableCell sx={{ whiteSpace: 'nowrap' }}>{pointsRange(i)}</TableCell>
                    <TableCell sx={{ whiteSpace: 'nowrap' }}>{i.validityMonths === null ? translate('credit.items.until_rectified') : translate('credit.items.months', { smart_count: i.validityMonths })}</TableCell>
                    <TableCell>{i.subjects.map((s) => translate(`credit.subjects.${s}`)).join('、')}</TableCell>
                    <TableCell>{translate(i.evidenceRequired ? 'credit.items.required' : 'credit.items.optional')}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </CardContent>
        </Card>
      </Stack>
    </Box>
  );
};
