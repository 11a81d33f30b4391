import { Alert, Box, Card, CardContent, Chip, FormControl, FormHelperText, FormLabel, Grid, Stack, Table, TableBody, TableCell, TableRow, Typography } from '@mui/material';
import { useEffect, useMemo, useRef, useState } from 'react';
import { AutocompleteInput, Button, DateInput, Form, NumberInput, ReferenceInput, SaveButton, TextInput, Title, maxLength, maxValue, minValue, required, useInput, useTranslate } from 'react-admin';
import { useFormContext, useWatch } from 'react-hook-form';
import { Link } from 'react-router-dom';
import { apiFetch } from '../api';
import { AttachmentsInput, type Attachment } from '../attachments/AttachmentsInput';
import { beijingToday, errorInWords, fieldProblems, getJson, newSourceRef, points, pointsRange, reasonInWords, standardInForce, type RecordResult, type Standard, type StandardItem, type StandardSummary } from './api';

/**
 * 信用记分 (C2): a district or city officer records an item of the standard in force against
 * an enterprise, optionally its project or its project manager, with evidence. A bad item is a
 * pre-deduction: the platform notifies the enterprise at once (a 信用记分告知 case) and it
 * counts only when final. The form has its own id (sourceRef), so sending it twice records once.
 */
const FIELDS = ['enterpriseId', 'projectId', 'staffId', 'itemCode', 'points', 'occurredOn', 'description', 'rectifyDays', 'evidence'] as const;

interface Values {
  enterpriseId?: number | null;
  projectId?: number | null;
  staffId?: number | null;
  itemCode?: string | null;
  points?: number | null;
  occurredOn: string;
  description?: string;
  rectifyDays?: number | null;
  evidence: Attachment[];
}

const useItem = (items: StandardItem[]): StandardItem | undefined => {
  const code = useWatch({ name: 'itemCode' }) as string | null | undefined;
  return items.find((i) => i.code === code);
};

/** The item's points go into the form when it is chosen, fixed or the range's least. */
const PointsInput = ({ items }: { items: StandardItem[] }) => {
  const translate = useTranslate();
  const item = useItem(items);
  const { setValue } = useFormContext();
  const chosen = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!item || chosen.current === item.code) return;
    chosen.current = item.code;
    setValue('points', item.pointsMin === item.pointsMax ? item.pointsMin : null, { shouldDirty: true });
  }, [item, setValue]);
  const help = item ? (item.pointsMin === item.pointsMax ? translate('credit.record.points_fixed', { points: points(item.pointsMin) }) : translate('credit.record.points_range', { range: pointsRange(item) })) : ' ';
  return (
    <NumberInput
      source="points"
      label="credit.record.points"
      step={0.5}
      helperText={help}
      validate={[required(), ...(item ? [minValue(item.pointsMin), maxValue(item.pointsMax)] : [])]}
      fullWidth
      slotProps={{ htmlInput: { 'data-testid': 'credit-points' } }}
    />
  );
};

const EvidenceInput = ({ items }: { items: StandardItem[] }) => {
  const translate = useTranslate();
  const item = useItem(items);
  const { field, fieldState } = useInput({ source: 'evidence', defaultValue: [] });
  const message = fieldState.error?.message;
  return (
    <FormControl error={Boolean(message)} fullWidth data-testid="credit-evidence">
      <FormLabel sx={{ mb: 0.5 }}>{translate('credit.record.evidence')}</FormLabel>
      <AttachmentsInput value={(field.value as Attachment[] | undefined) ?? []} onChange={field.onChange} />
      <FormHelperText>{message ? translate(message, { _: message }) : item?.evidenceRequired ? translate('credit.record.evidence_required') : translate('credit.record.evidence_optional')}</FormHelperText>
    </FormControl>
  );
};

/** The chosen item as the standard states it. */
const ItemDetails = ({ items }: { items: StandardItem[] }) => {
  const translate = useTranslate();
  const item = useItem(items);
  if (!item) return null;
  const rows: Array<[string, React.ReactNode]> = [
    ['credit.items.area', translate(`credit.areas.${item.area}`, { _: item.area })],
    ['credit.items.kind', <Chip key="k" size="small" color={item.kind === 'bad' ? 'error' : 'success'} label={translate(`credit.kinds.${item.kind}`)} />],
    ['credit.items.points', translate('credit.points', { points: pointsRange(item) })],
    ['credit.items.validity', item.validityMonths === null ? translate('credit.items.until_rectified') : translate('credit.items.months', { smart_count: item.validityMonths })],
    ['credit.items.subjects', item.subjects.map((s) => translate(`credit.subjects.${s}`)).join('、')],
  ];
  return (
    <Box data-testid="credit-item-details" sx={{ mb: 2 }}>
      <Table size="small">
        <TableBody>
          {rows.map(([label, value]) => (
            <TableRow key={label}>
              <TableCell sx={{ width: 120, color: 'text.secondary' }}>{translate(label)}</TableCell>
              <TableCell>{value}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {item.veto && (
        <Alert severity="error" sx={{ mt: 1 }}>
          {translate('credit.items.veto_help')}
        </Alert>
      )}
      {item.kind === 'bad' && (
        <Alert severity="info" sx={{ mt: 1 }}>
          {translate('credit.record.pending_help')}
        </Alert>
      )}
    </Box>
  );
};

/** Project and manager belong to the enterprise: chosen among its own, cleared when it changes. */
const SubjectInputs = ({ items }: { items: StandardItem[] }) => {
  const enterpriseId = useWatch({ name: 'enterpriseId' }) as number | null | undefined;
  const item = useItem(items);
  const { setValue } = useFormContext();
  const previous = useRef(enterpriseId);
  useEffect(() => {
    if (previous.current === enterpriseId) return;
    previous.current = enterpriseId;
    setValue('projectId', null);
    setValue('staffId', null);
  }, [enterpriseId, setValue]);
  const forManager = !item || item.subjects.includes('manager');
  const forProject = !item || item.subjects.includes('project') || item.subjects.includes('manager');
  return (
    <>
      {forProject && (
        <Grid size={{ xs: 12, md: 6 }}>
          <ReferenceInput source="projectId" reference="projects" filter={{ enterprise_id: enterpriseId ?? -1 }} enableGetChoices={() => Boolean(enterpriseId)}>
            <AutocompleteInput
              label="credit.record.project"
              optionText={(p: { name: string; code: string }) => `${p.name}（${p.code}）`}
              filterToQuery={(q: string) => ({ q })}
              disabled={!enterpriseId}
              helperText="credit.record.project_help"
              fullWidth
            />
          </ReferenceInput>
        </Grid>
      )}
      {forManager && (
        <Grid size={{ xs: 12, md: 6 }}>
          <ReferenceInput source="staffId" reference="staff" filter={{ enterprise_id: enterpriseId ?? -1, role: 'project_manager' }} enableGetChoices={() => Boolean(enterpriseId)}>
            <AutocompleteInput label="credit.record.manager" optionText="name" filterToQuery={(q: string) => ({ q })} disabled={!enterpriseId} helperText="credit.record.manager_help" fullWidth />
          </ReferenceInput>
        </Grid>
      )}
    </>
  );
};

const RectifyInput = ({ items }: { items: StandardItem[] }) => {
  const item = useItem(items);
  if (item?.kind !== 'bad') return null;
  return <NumberInput source="rectifyDays" label="credit.record.rectify_days" helperText="credit.record.rectify_help" validate={[minValue(1), maxValue(365)]} step={1} fullWidth />;
};

const RecordResultCard = ({ result, onAnother }: { result: RecordResult; onAnother: () => void }) => {
  const translate = useTranslate();
  return (
    <Card sx={{ mt: 2 }} data-testid="credit-record-result">
      <CardContent>
        <Stack spacing={1.5}>
          <Alert severity="success">{translate(result.created ? 'credit.record.saved' : 'credit.record.duplicate')}</Alert>
          <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
            <Typography>{translate('credit.record.status')}：</Typography>
            <Chip color={result.status === 'pending' ? 'warning' : result.status === 'final' ? 'success' : 'default'} label={translate(`credit.status.${result.status}`)} data-testid="credit-record-status" data-status={result.status} />
            <Typography>
              {translate('credit.points', { points: points(result.points) })}
              {result.validUntil ? ` · ${translate('credit.record.valid_until', { day: result.validUntil })}` : ''}
            </Typography>
          </Stack>
          {result.status === 'pending' && (
            <Typography variant="body2" data-testid="credit-record-notice">
              {result.notice ? (
                <>
                  {translate('credit.record.notice_case')}：<Link to={`/cases/${result.notice.caseId}/show`}>{result.notice.number}</Link>
                </>
              ) : (
                translate('credit.record.notice_later')
              )}
            </Typography>
          )}
          <Box>
            <Button variant="contained" label="credit.record.another" onClick={onAnother} />
          </Box>
        </Stack>
      </CardContent>
    </Card>
  );
};

export const CreditRecordEntry = () => {
  const translate = useTranslate();
  const [standard, setStandard] = useState<Standard | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [sourceRef, setSourceRef] = useState(newSourceRef);
  const [result, setResult] = useState<RecordResult | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    getJson<StandardSummary[]>('/api/credit/standards')
      .then((list) => {
        const current = standardInForce(list);
        return current ? getJson<Standard>(`/api/credit/standards/${current.id}`) : null;
      })
      .then((s) => live && setStandard(s))
      .catch((e: unknown) => live && setLoadError(errorInWords(e, translate)));
    return () => {
      live = false;
    };
  }, [translate]);

  const items = useMemo(() => standard?.items ?? [], [standard]);
  const itemChoices = useMemo(
    () => items.map((i) => ({ id: i.code, name: `${i.code} ${i.name}（${translate(`credit.kinds.${i.kind}`)} ${translate('credit.points', { points: pointsRange(i) })} · ${translate(`credit.areas.${i.area}`, { _: i.area })}）` })),
    [items, translate],
  );
  const defaults: Values = { occurredOn: beijingToday(), evidence: [], projectId: null, staffId: null, rectifyDays: null };

  const submit = async (raw: Record<string, unknown>) => {
    const values = raw as unknown as Values;
    const item = items.find((i) => i.code === values.itemCode);
    setProblem(null);
    if (item?.evidenceRequired && !values.evidence?.length) return { evidence: 'credit.reasons.evidence_required' };
    const body = {
      sourceRef,
      itemCode: values.itemCode,
      enterpriseId: values.enterpriseId,
      projectId: values.projectId || null,
      staffId: values.staffId || null,
      points: values.points === null || values.points === undefined ? undefined : Number(values.points),
      occurredOn: values.occurredOn,
      description: values.description,
      evidence: (values.evidence ?? []).map((a) => ({ name: a.name, fileId: a.fileId })),
      rectifyDays: item?.kind === 'bad' && values.rectifyDays ? Number(values.rectifyDays) : null,
    };
    try {
      setResult((await (await apiFetch('/api/credit/records', { method: 'POST', body: JSON.stringify(body) })).json()) as RecordResult);
      return undefined;
    } catch (error) {
      const problems = fieldProblems(error);
      const byField: Record<string, string> = {};
      const elsewhere: string[] = [];
      for (const p of problems) {
        const words = reasonInWords(p.reason, translate);
        if ((FIELDS as readonly string[]).includes(p.field)) byField[p.field] ??= words;
        else elsewhere.push(words);
      }
      // What no input shows goes in the alert: the refusal itself when it names no field.
      setProblem(!problems.length ? errorInWords(error, translate, 'credit.reasons.district_only') : elsewhere.length ? elsewhere.join('；') : translate('credit.record.check_fields'));
      return Object.keys(byField).length ? byField : undefined;
    }
  };

  const another = () => {
    setResult(null);
    setProblem(null);
    setSourceRef(newSourceRef());
  };

  return (
    <Box sx={{ mt: 2, maxWidth: 960 }}>
      <Title title="credit.record.title" />
      {loadError && <Alert severity="error">{loadError}</Alert>}
      {standard === null && <Alert severity="warning">{translate('credit.record.no_standard')}</Alert>}
      {standard && result && <RecordResultCard result={result} onAnother={another} />}
      {standard && !result && (
        <Card>
          <CardContent>
            <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }} data-testid="credit-standard-in-force">
              {translate('credit.record.standard_in_force', { name: standard.name, version: standard.version ?? '—', from: standard.effectiveFrom ?? '—' })}
            </Typography>
            <Form key={sourceRef} defaultValues={defaults} onSubmit={submit} noValidate>
              <Grid container columnSpacing={2}>
                <Grid size={12}>
                  <ReferenceInput source="enterpriseId" reference="enterprises">
                    <AutocompleteInput label="credit.record.enterprise" optionText="name" filterToQuery={(q: string) => ({ q })} validate={required()} fullWidth />
                  </ReferenceInput>
                </Grid>
                <SubjectInputs items={items} />
                <Grid size={12}>
                  <AutocompleteInput source="itemCode" label="credit.record.item" choices={itemChoices} translateChoice={false} validate={required()} fullWidth />
                  <ItemDetails items={items} />
                </Grid>
                <Grid size={{ xs: 12, md: 4 }}>
                  <PointsInput items={items} />
                </Grid>
                <Grid size={{ xs: 12, md: 4 }}>
                  <DateInput source="occurredOn" label="credit.record.occurred_on" validate={required()} helperText="credit.record.occurred_help" fullWidth />
                </Grid>
                <Grid size={{ xs: 12, md: 4 }}>
                  <RectifyInput items={items} />
                </Grid>
                <Grid size={12}>
                  <TextInput source="description" label="credit.record.description" multiline minRows={3} validate={[required(), maxLength(500)]} fullWidth />
                </Grid>
                <Grid size={12}>
                  <EvidenceInput items={items} />
                </Grid>
              </Grid>
              {problem && (
                <Alert severity="error" sx={{ mt: 2 }} data-testid="credit-record-problem">
                  {problem}
                </Alert>
              )}
              <Box sx={{ mt: 2 }}>
                <SaveButton label="credit.record.submit" alwaysEnable />
              </Box>
            </Form>
          </CardContent>
        </Card>
      )}
    </Box>
  );
};
