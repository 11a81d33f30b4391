import DownloadIcon from '@mui/icons-material/Download';
import { Alert, Box, Card, CardContent, Chip, Grid, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useEffect, useMemo, useState } from 'react';
import { Button, Loading, Title, useGetIdentity, useGetList, useNotify, useTranslate } from 'react-admin';
import { Link, useParams } from 'react-router-dom';
import { apiFetch } from '../api';
import { SCORE_AREA_WORDS } from '../../../lib/credit/words';
import { errorInWords, getJson, points, type CreditScore } from './api';
import { Chart, type ChartOption } from './Chart';
import { GradeChip } from './grades';

/** The report's file name as the server gives it (Content-Disposition, RFC 5987), else a plain one. */
function fileNameOf(res: Response, fallback: string): string {
  const header = res.headers.get('content-disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) return decodeURIComponent(star[1]!);
  return /filename="?([^";]+)"?/i.exec(header)?.[1] ?? fallback;
}

/** 下载信用报告: the PDF fetched with the session's cookie and saved under the server's name. */
const ReportButton = ({ enterpriseId }: { enterpriseId: number }) => {
  const translate = useTranslate();
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    try {
      const res = await apiFetch(`/api/credit/reports/enterprise/${enterpriseId}`, { headers: { Accept: 'application/pdf' } });
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = fileNameOf(res, `信用报告-${enterpriseId}.pdf`);
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      notify(errorInWords(error, translate), { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button variant="contained" label="credit.enterprise.download" onClick={download} disabled={busy} data-testid="credit-report">
      <DownloadIcon />
    </Button>
  );
};

// The standard's areas in its order (lib/credit/words.ts names every one).
const SCORE_AREAS = Object.keys(SCORE_AREA_WORDS);

const RECORD_STATUS_COLOUR: Record<string, 'warning' | 'success' | 'default'> = { pending: 'warning', final: 'success', cancelled: 'default' };

interface EventRow {
  id: number;
  occurred_on: string;
  description: string;
  points: number | string;
  status: string;
  project_name?: string | null;
  staff_name?: string | null;
}

/** The enterprise's latest records (the 信用记录 registry), and the way to all of them there. */
const Records = ({ enterpriseId }: { enterpriseId: number }) => {
  const translate = useTranslate();
  const { data, total } = useGetList<EventRow>('credit-events', { filter: { enterprise_id: enterpriseId }, sort: { field: 'occurred_on', order: 'DESC' }, pagination: { page: 1, perPage: 10 } });
  const listUrl = `/credit-events?${new URLSearchParams({ filter: JSON.stringify({ enterprise_id: enterpriseId }), order: 'DESC', sort: 'occurred_on' }).toString()}`;
  return (
    <Card>
      <CardContent>
        <Stack direction="row" sx={{ alignItems: 'center', mb: 1 }}>
          <Typography variant="subtitle2" sx={{ flex: 1 }}>
            {translate('credit.enterprise.records')}
          </Typography>
          <Link to={listUrl} data-testid="credit-records-link">
            {translate('credit.enterprise.all_records', { smart_count: total ?? 0 })}
          </Link>
        </Stack>
        <Table size="small" data-testid="credit-records">
          <TableHead>
            <TableRow>
              {['occurred_on', 'description', 'subject', 'points', 'status'].map((k) => (
                <TableCell key={k} align={k === 'points' ? 'right' : 'left'}>
                  {translate(`credit.enterprise.columns.${k}`)}
                </TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {data?.map((r) => (
              <TableRow key={r.id}>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>{String(r.occurred_on).slice(0, 10)}</TableCell>
                <TableCell>{r.description}</TableCell>
                <TableCell>{r.staff_name ?? r.project_name ?? '—'}</TableCell>
                <TableCell align="right" sx={{ color: Number(r.points) < 0 ? 'error.main' : 'success.main' }}>
                  {Number(r.points) > 0 ? '+' : ''}
                  {points(Number(r.points))}
                </TableCell>
                <TableCell>
                  <Chip size="small" color={RECORD_STATUS_COLOUR[r.status] ?? 'default'} label={translate(`credit.status.${r.status}`, { _: r.status })} />
                </TableCell>
              </TableRow>
            ))}
            {data && !data.length && (
              <TableRow>
                <TableCell colSpan={5}>
                  <Typography variant="body2" color="text.secondary">
                    {translate('credit.enterprise.no_records')}
                  </Typography>
                </TableCell>
              </TableRow>
            )}
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
};

const Figure = ({ label, value, testId }: { label: string; value: React.ReactNode; testId?: string }) => {
  const translate = useTranslate();
  return (
    <Box sx={{ minWidth: 96 }}>
      <Typography variant="caption" color="text.secondary">
        {translate(label)}
      </Typography>
      <Typography variant="h6" data-testid={testId}>
        {value}
      </Typography>
    </Box>
  );
};

/** An enterprise's credit: its running score and grade today, the lists, the breakdown by area and its records. */
export function EnterpriseCredit({ enterpriseId, title }: { enterpriseId: number; title: string }) {
  const translate = useTranslate();
  const [score, setScore] = useState<CreditScore | null>(null);
  const [name, setName] = useState<string>('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setScore(null);
    getJson<CreditScore>(`/api/credit/scores/enterprise/${enterpriseId}`)
      .then((s) => live && setScore(s))
      .catch((e: unknown) => live && setError(errorInWords(e, translate)));
    getJson<{ name: string }>(`/api/enterprises/${enterpriseId}`)
      .then((e) => live && setName(e.name))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [enterpriseId, translate]);

  const option = useMemo<ChartOption>(() => {
    const areas = [...SCORE_AREAS, ...Object.keys(score?.areas ?? {}).filter((a) => !SCORE_AREAS.includes(a))];
    return {
      grid: { left: 40, right: 16, top: 36, bottom: 32 },
      legend: { top: 0 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: areas.map((a) => translate(`credit.areas.${a}`, { _: a })) },
      yAxis: { type: 'value', name: translate('credit.points_unit') },
      series: [
        { type: 'bar', name: translate('credit.kinds.good'), data: areas.map((a) => score?.areas[a]?.good ?? 0), itemStyle: { color: '#2e7d32' }, barMaxWidth: 36 },
        { type: 'bar', name: translate('credit.kinds.bad'), data: areas.map((a) => score?.areas[a]?.bad ?? 0), itemStyle: { color: '#c62828' }, barMaxWidth: 36 },
      ],
    };
  }, [score, translate]);

  return (
    <Box sx={{ mt: 2 }}>
      <Title title={title} />
      {error && <Alert severity="error">{error}</Alert>}
      {!score && !error && <Loading />}
      {score && (
        <Stack spacing={2}>
          <Card>
            <CardContent>
              <Stack direction="row" spacing={2} sx={{ alignItems: 'center', mb: 2 }}>
                <Typography variant="h6" sx={{ flex: 1 }} data-testid="credit-enterprise-name">
                  {name}
                </Typography>
                <ReportButton enterpriseId={enterpriseId} />
              </Stack>
              <Stack direction="row" spacing={4} useFlexGap sx={{ flexWrap: 'wrap', alignItems: 'flex-end' }}>
                <Figure label="credit.enterprise.score" value={points(score.score)} testId="credit-score" />
                <Figure label="credit.enterprise.grade" value={<GradeChip grade={score.grade} veto={score.veto} size="medium" />} />
                <Figure label="credit.enterprise.base" value={points(score.base)} />
                <Figure label="credit.enterprise.good" value={score.goodRaw > score.good ? `+${points(score.good)}（${translate('credit.enterprise.capped', { raw: points(score.goodRaw) })}）` : `+${points(score.good)}`} />
                <Figure label="credit.enterprise.bad" value={`−${points(score.bad)}`} testId="credit-bad" />
                <Box>
                  <Typography variant="caption" color="text.secondary">
                    {translate('credit.enterprise.lists')}
                  </Typography>
                  <Stack direction="row" spacing={1} sx={{ mt: 0.5 }} data-testid="credit-list-membership">
                    {score.redList && <Chip color="success" label={translate('credit.lists.red')} />}
                    {score.blackList && <Chip color="error" label={translate('credit.lists.black')} />}
                    {!score.redList && !score.blackList && <Chip variant="outlined" label={translate('credit.enterprise.not_listed')} />}
                  </Stack>
                </Box>
              </Stack>
              <Typography variant="body2" color="text.secondary" sx={{ mt: 2 }}>
                {translate('credit.enterprise.as_of', { at: score.at, cycle: score.cycleStart })}
              </Typography>
              {score.veto && (
                <Alert severity="error" sx={{ mt: 1 }}>
                  {translate('credit.enterprise.veto_help')}
                </Alert>
              )}
            </CardContent>
          </Card>
          <Grid container spacing={2}>
            <Grid size={{ xs: 12, lg: 5 }}>
              <Card>
                <CardContent>
                  <Typography variant="subtitle2">{translate('credit.enterprise.breakdown')}</Typography>
                  <Chart option={option} height={300} testId="credit-area-chart" />
                </CardContent>
              </Card>
            </Grid>
            <Grid size={{ xs: 12, lg: 7 }}>
              <Records enterpriseId={enterpriseId} />
            </Grid>
          </Grid>
        </Stack>
      )}
    </Box>
  );
}

/** /credit/enterprises/:id, for the bureau's staff (from the rankings and the lists). */
export const EnterpriseCreditPage = () => {
  const { id } = useParams();
  const enterpriseId = Number(id);
  if (!Number.isInteger(enterpriseId) || enterpriseId <= 0) return null;
  return <EnterpriseCredit enterpriseId={enterpriseId} title="credit.enterprise.title" />;
};

/** 我的信用: an enterprise user's own enterprise (its organisation is the enterprise). */
export const MyCredit = () => {
  const translate = useTranslate();
  const { data: me, isPending } = useGetIdentity();
  if (isPending) return <Loading />;
  const identity = me as { role?: string; organisationId?: number } | undefined;
  if (identity?.role !== 'enterprise' || !identity.organisationId) {
    return (
      <Box sx={{ mt: 2 }}>
        <Title title="credit.enterprise.mine" />
        <Alert severity="info">{translate('credit.enterprise.not_enterprise')}</Alert>
      </Box>
    );
  }
  return <EnterpriseCredit enterpriseId={identity.organisationId} title="credit.enterprise.mine" />;
};
