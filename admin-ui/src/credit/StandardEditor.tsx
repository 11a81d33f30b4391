import { Alert, Box, Card, CardContent, Checkbox, FormControlLabel, Grid, MenuItem, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { Button, Loading, Title, useNotify, useTranslate } from 'react-admin';
import { useNavigate, useParams } from 'react-router-dom';
import { CREDIT_SUBJECTS, DATA_CLASSES, PROJECT_NATURES, QUALIFICATION_LEVELS, SCORE_AREAS } from '../../../lib/credit/standard';
import { apiFetch } from '../api';
import { errorInWords, getJson, reasonInWords, type Standard } from './api';

/**
 * 编辑草案 (C1): the city edits a draft standard — its name, the scoring model's numbers and
 * weights, and its items — and saves it whole (PUT /api/credit/standards/:id). The server checks
 * the draft with the same rules it publishes under (lib/credit/standard.ts) and answers each
 * problem with its field; they are listed here in the interface's words. Floor-area classes are
 * kept as they are (set through the API).
 */
type Model = Standard['model'];
type Item = Omit<Standard['items'][number], 'id'>;

const EMPTY_ITEM: Item = {
  code: '',
  name: '',
  dataClass: 'daily_service',
  area: 'performance',
  kind: 'bad',
  pointsMin: 1,
  pointsMax: 1,
  validityMonths: 12,
  veto: false,
  subjects: ['enterprise', 'project'],
  evidenceRequired: true,
  managerShare: 0,
};

const num = (v: string): number | null => (v.trim() === '' ? null : Number(v));

/** 以此为基础新建草案: a draft with this version's content, opened in the editor. */
export const NewDraftButton = ({ standard }: { standard: Standard }) => {
  const translate = useTranslate();
  const notify = useNotify();
  const navigate = useNavigate();
  const create = async () => {
    try {
      const res = await apiFetch('/api/credit/standards', {
        method: 'POST',
        body: JSON.stringify({ name: translate('credit.editor.draft_name', { name: standard.name }).slice(0, 128), model: standard.model, items: standard.items.map(({ id: _id, ...item }) => item) }),
      });
      const draft = (await res.json()) as Standard;
      notify('credit.editor.created', { type: 'success' });
      void navigate(`/credit/standards/${draft.id}`);
    } catch (error) {
      notify(errorInWords(error, translate), { type: 'error' });
    }
  };
  return <Button label="credit.editor.new_draft" variant="outlined" onClick={() => void create()} data-testid="credit-standard-new-draft" />;
};

export const CreditStandardEdit = () => {
  const translate = useTranslate();
  const notify = useNotify();
  const navigate = useNavigate();
  const { id } = useParams();
  const [name, setName] = useState('');
  const [model, setModel] = useState<Model | null>(null);
  const [items, setItems] = useState<Item[]>([]);
  const [problems, setProblems] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    getJson<Standard>(`/api/credit/standards/${encodeURIComponent(id ?? '')}`)
      .then((s) => {
        if (s.status !== 'draft') return navigate(`/credit/standards/${s.id}/show`);
        setName(s.name);
        setModel(s.model);
        setItems(s.items.map(({ id: _id, ...item }) => item));
      })
      .catch((e: unknown) => setError(errorInWords(e, translate)));
  }, [id, navigate, translate]);
  if (error) return <Alert severity="error">{error}</Alert>;
  if (!model) return <Loading />;

  const setModelField = <K extends keyof Model>(key: K, value: Model[K]) => setModel({ ...model, [key]: value });
  const setWeight = (group: 'projectTypeWeights' | 'qualificationWeights', key: string, value: string) => {
    const next: Record<string, number> = { ...(model[group] as Record<string, number>) };
    const w = num(value);
    if (w === null) delete next[key];
    else next[key] = w;
    setModel({ ...model, [group]: next });
  };
  const setItem = (i: number, change: Partial<Item>) => setItems(items.map((it, j) => (j === i ? { ...it, ...change } : it)));
  const label = (field: string) => {
    const [root, index, key] = field.replace(/^body\./, '').split('.');
    if (root === 'items' && index !== undefined) return `${translate('credit.editor.items')} ${Number(index) + 1}${key ? ` · ${key}` : ''}`;
    return field.replace(/^body\./, '');
  };

  const save = async () => {
    setProblems([]);
    try {
      await apiFetch(`/api/credit/standards/${id}`, { method: 'PUT', body: JSON.stringify({ name, model, items }) });
      notify('credit.editor.saved', { type: 'success' });
      void navigate(`/credit/standards/${id}/show`);
    } catch (e) {
      const details = (e as { body?: { error?: { details?: Array<{ field: string; reason: string }> } } }).body?.error?.details ?? [];
      setProblems(details.length ? details.map((d) => `${label(d.field)}：${reasonInWords(d.reason, translate)}`) : [errorInWords(e, translate)]);
    }
  };
  const remove = async () => {
    try {
      await apiFetch(`/api/credit/standards/${id}`, { method: 'DELETE' });
      notify('credit.editor.deleted', { type: 'success' });
      void navigate('/credit/standards');
    } catch (e) {
      setProblems([errorInWords(e, translate)]);
    }
  };

  const numberField = (key: string, value: number | null, onChange: (v: string) => void, testId?: string) => (
    <TextField size="small" type="number" label={translate(key)} value={value ?? ''} onChange={(e) => onChange(e.target.value)} fullWidth slotProps={{ htmlInput: { step: 'any', 'data-testid': testId } }} />
  );

  return (
    <Box sx={{ mt: 2 }}>
      <Title title={translate('credit.editor.title', { name })} />
      <Stack spacing={2}>
        {problems.length > 0 && (
          <Alert severity="error" data-testid="credit-editor-problems">
            {translate('credit.editor.problems')}
            {problems.map((p) => (
              <div key={p}>{p}</div>
            ))}
          </Alert>
        )}
        <Card>
          <CardContent>
            <Grid container spacing={2}>
              <Grid size={12}>
                <TextField size="small" label={translate('credit.editor.name')} value={name} onChange={(e) => setName(e.target.value)} fullWidth slotProps={{ htmlInput: { maxLength: 128, 'data-testid': 'credit-editor-name' } }} />
              </Grid>
              <Grid size={{ xs: 6, md: 3 }}>{numberField('credit.editor.base', model.base, (v) => setModelField('base', num(v) ?? 0), 'credit-editor-base')}</Grid>
              <Grid size={{ xs: 6, md: 3 }}>{numberField('credit.editor.good_cap', model.goodCap, (v) => setModelField('goodCap', num(v)))}</Grid>
              <Grid size={{ xs: 6, md: 3 }}>{numberField('credit.editor.appeal_days', model.appealDays, (v) => setModelField('appealDays', num(v) ?? 0))}</Grid>
              <Grid size={{ xs: 6, md: 3 }}>{numberField('credit.editor.black_min_days', model.blackListMinDays, (v) => setModelField('blackListMinDays', num(v) ?? 0))}</Grid>
              {model.grades.slice(0, -1).map((g, i) => (
                <Grid key={g.grade} size={{ xs: 6, md: 3 }}>
                  {numberField(translate('credit.editor.band_min', { grade: g.grade }), g.min, (v) =>
                    setModelField(
                      'grades',
                      model.grades.map((b, j) => (j === i ? { ...b, min: num(v) ?? 0 } : b)),
                    ),
                  )}
                </Grid>
              ))}
              <Grid size={{ xs: 6, md: 3 }}>
                <TextField size="small" label={translate('credit.editor.cycle_start')} value={model.cycleStart} onChange={(e) => setModelField('cycleStart', e.target.value)} fullWidth />
              </Grid>
              <Grid size={{ xs: 12, md: 6 }}>
                <FormControlLabel control={<Checkbox checked={model.carryUnrectified} onChange={(e) => setModelField('carryUnrectified', e.target.checked)} />} label={translate('credit.editor.carry')} />
              </Grid>
              <Grid size={12}>
                <Typography variant="subtitle2">{translate('credit.editor.type_weights')}</Typography>
              </Grid>
              {PROJECT_NATURES.map((n) => (
                <Grid key={n} size={{ xs: 6, md: 2 }}>
                  {numberField(`registries.choices.nature.${n}`, (model.projectTypeWeights as Record<string, number | undefined>)[n] ?? null, (v) => setWeight('projectTypeWeights', n, v))}
                </Grid>
              ))}
              <Grid size={12}>
                <Typography variant="subtitle2">{translate('credit.editor.qualification_weights')}</Typography>
              </Grid>
              {QUALIFICATION_LEVELS.map((l) => (
                <Grid key={l} size={{ xs: 6, md: 2 }}>
                  {numberField(`registries.choices.qualification_level.${l}`, (model.qualificationWeights as Record<string, number | undefined>)[l] ?? null, (v) => setWeight('qualificationWeights', l, v))}
                </Grid>
              ))}
              <Grid size={12}>
                <Typography variant="body2" color="text.secondary">
                  {model.areaClasses.length ? translate('credit.editor.area_classes_kept', { classes: model.areaClasses.map((c) => `${c.name} ×${c.weight}`).join('、') }) : translate('credit.editor.area_classes_none')}
                </Typography>
              </Grid>
            </Grid>
          </CardContent>
        </Card>
        <Card>
          <CardContent>
            <Typography variant="subtitle2" sx={{ mb: 1 }}>
              {translate('credit.editor.items')}
            </Typography>
            <Table size="small" data-testid="credit-editor-items">
              <TableHead>
                <TableRow>
                  {[
                    'credit.items.code',
                    'credit.items.name',
                    'credit.items.data_class',
                    'credit.items.area',
                    'credit.items.kind',
                    'credit.editor.points_min',
                    'credit.editor.points_max',
                    'credit.editor.validity',
                    'credit.items.subjects',
                    'credit.editor.veto',
                    'credit.editor.evidence',
                    'credit.editor.manager_share',
                    '',
                  ].map((k, i) => (
                    <TableCell key={k || i}>{k ? translate(k) : ''}</TableCell>
                  ))}
                </TableRow>
              </TableHead>
              <TableBody>
                {items.map((it, i) => (
                  <TableRow key={i}>
                    <TableCell>
                      <TextField size="small" value={it.code} onChange={(e) => setItem(i, { code: e.target.value })} slotProps={{ htmlInput: { maxLength: 32 } }} />
                    </TableCell>
                    <TableCell>
                      <TextField size="small" value={it.name} onChange={(e) => setItem(i, { name: e.target.value })} slotProps={{ htmlInput: { maxLength: 128, 'data-testid': `credit-editor-item-name-${i}` } }} />
                    </TableCell>
                    <TableCell>
                      <TextField select size="small" value={it.dataClass} onChange={(e) => setItem(i, { dataClass: e.target.value as Item['dataClass'] })}>
                        {DATA_CLASSES.map((c) => (
                          <MenuItem key={c} value={c}>
                            {translate(`credit.data_classes.${c}`)}
                          </MenuItem>
                        ))}
                      </TextField>
                    </TableCell>
                    <TableCell>
                      <TextField select size="small" value={it.area} onChange={(e) => setItem(i, { area: e.target.value as Item['area'] })}>
                        {SCORE_AREAS.map((a) => (
                          <MenuItem key={a} value={a}>
                            {translate(`credit.areas.${a}`)}
                          </MenuItem>
                        ))}
                      </TextField>
                    </TableCell>
                    <TableCell>
                      <TextField select size="small" value={it.kind} onChange={(e) => setItem(i, { kind: e.target.value as Item['kind'] })}>
                        {(['good', 'bad'] as const).map((k) => (
                          <MenuItem key={k} value={k}>
                            {translate(`credit.kinds.${k}`)}
                          </MenuItem>
                        ))}
                      </TextField>
                    </TableCell>
                    <TableCell>
                      <TextField size="small" type="number" value={it.pointsMin} onChange={(e) => setItem(i, { pointsMin: Number(e.target.value) })} sx={{ width: 80 }} slotProps={{ htmlInput: { step: 'any' } }} />
                    </TableCell>
                    <TableCell>
                      <TextField size="small" type="number" value={it.pointsMax} onChange={(e) => setItem(i, { pointsMax: Number(e.target.value) })} sx={{ width: 80 }} slotProps={{ htmlInput: { step: 'any' } }} />
                    </TableCell>
                    <TableCell>
                      <TextField size="small" type="number" value={it.validityMonths ?? ''} onChange={(e) => setItem(i, { validityMonths: num(e.target.value) })} sx={{ width: 80 }} />
                    </TableCell>
                    <TableCell>
                      {CREDIT_SUBJECTS.map((sub) => (
                        <FormControlLabel
                          key={sub}
                          control={<Checkbox size="small" checked={it.subjects.includes(sub)} onChange={(e) => setItem(i, { subjects: e.target.checked ? [...it.subjects, sub] : it.subjects.filter((x) => x !== sub) })} />}
                          label={translate(`credit.subjects.${sub}`)}
                        />
                      ))}
                    </TableCell>
                    <TableCell>
                      <Checkbox size="small" checked={it.veto} onChange={(e) => setItem(i, { veto: e.target.checked })} />
                    </TableCell>
                    <TableCell>
                      <Checkbox size="small" checked={it.evidenceRequired} onChange={(e) => setItem(i, { evidenceRequired: e.target.checked })} />
                    </TableCell>
                    <TableCell>
                      <TextField size="small" type="number" value={it.managerShare} onChange={(e) => setItem(i, { managerShare: Number(e.target.value) })} sx={{ width: 70 }} slotProps={{ htmlInput: { step: 0.1, min: 0, max: 1 } }} />
                    </TableCell>
                    <TableCell>
                      <Button label="credit.editor.remove_item" color="error" onClick={() => setItems(items.filter((_, j) => j !== i))} />
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            <Button label="credit.editor.add_item" onClick={() => setItems([...items, { ...EMPTY_ITEM }])} sx={{ mt: 1 }} />
          </CardContent>
        </Card>
        <Stack direction="row" spacing={1}>
          <Button label="credit.editor.save" variant="contained" onClick={() => void save()} data-testid="credit-editor-save" />
          <Button label="credit.editor.delete" color="error" onClick={() => void remove()} />
        </Stack>
      </Stack>
    </Box>
  );
};
