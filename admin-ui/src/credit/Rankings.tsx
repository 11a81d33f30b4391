import { Alert, Box, Card, CardContent, Grid, MenuItem, Stack, Table, TableBody, TableCell, TableHead, TablePagination, TableRow, TextField, Typography } from '@mui/material';
import { useEffect, useMemo, useState } from 'react';
import { Title, useTranslate } from 'react-admin';
import { useNavigate } from 'react-router-dom';
import { beijingToday, errorInWords, getJson, points, useDistricts, type Rankings } from './api';
import { Chart, type ChartOption } from './Chart';
import { GradeChip, gradeColour, sortGrades } from './grades';

/** The district picker of the credit lists: the city, or one of its districts by name. */
export function DistrictFilter({ value, onChange }: { value: string; onChange: (code: string) => void }) {
  const translate = useTranslate();
  const districts = useDistricts();
  return (
    <TextField
      select
      size="small"
      fullWidth={false}
      label={translate('credit.district')}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
      sx={{ minWidth: 160 }}
      data-testid="credit-district"
    >
      <MenuItem value="">{translate('credit.all_districts')}</MenuItem>
      {[...districts].map(([code, name]) => (
        <MenuItem key={code} value={code}>
          {name}
        </MenuItem>
      ))}
    </TextField>
  );
}

/** Up or down against last cycle's score, with the difference; a dash when there was none. */
export function Trend({ score, previous }: { score: number; previous: number | null }) {
  const translate = useTranslate();
  if (previous === null) return <span title={translate('credit.rankings.no_previous')}>—</span>;
  const diff = Math.round((score - previous) * 100) / 100;
  if (diff === 0) return <span data-testid="credit-trend">→ 0</span>;
  return (
    <Box component="span" sx={{ color: diff > 0 ? 'success.main' : 'error.main', fontWeight: 600 }} data-testid="credit-trend">
      {diff > 0 ? '↑' : '↓'} {points(Math.abs(diff))}
    </Box>
  );
}

const PAGE = 50;

/** 信用排名: enterprises ranked by their score of a cycle, city-wide or by district, with the grade distribution. */
export const CreditRankings = () => {
  const translate = useTranslate();
  const navigate = useNavigate();
  const districts = useDistricts();
  const thisYear = Number(beijingToday().slice(0, 4));
  const [year, setYear] = useState(thisYear);
  const [district, setDistrict] = useState('');
  const [page, setPage] = useState(0);
  const [data, setData] = useState<Rankings | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const query = new URLSearchParams({ year: String(year), limit: String(PAGE), offset: String(page * PAGE), ...(district ? { district_code: district } : {}) });
    getJson<Rankings>(`/api/credit/rankings?${query.toString()}`)
      .then((d) => {
        if (!live) return;
        setData(d);
        setError(null);
      })
      .catch((e: unknown) => live && setError(errorInWords(e, translate)));
    return () => {
      live = false;
    };
  }, [year, district, page, translate]);

  const total = data ? Object.values(data.grades).reduce((a, b) => a + b, 0) : 0;
  const option = useMemo<ChartOption>(() => {
    const grades = sortGrades(Object.keys(data?.grades ?? {}));
    return {
      grid: { left: 48, right: 16, top: 24, bottom: 32 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: grades },
      yAxis: { type: 'value', minInterval: 1, name: translate('credit.rankings.enterprises') },
      series: [{ type: 'bar', name: translate('credit.rankings.enterprises'), data: grades.map((g) => ({ value: data?.grades[g] ?? 0, itemStyle: { color: gradeColour(g) } })), label: { show: true, position: 'top' }, barMaxWidth: 56 }],
    };
  }, [data, translate]);

  return (
    <Box sx={{ mt: 2 }}>
      <Title title="credit.rankings.title" />
      <Stack direction="row" spacing={2} sx={{ mb: 2 }}>
        <TextField
          select
          size="small"
          fullWidth={false}
          label={translate('credit.year')}
          value={year}
          onChange={(e) => {
            setYear(Number(e.target.value));
            setPage(0);
          }}
          sx={{ minWidth: 120 }}
          data-testid="credit-year"
        >
          {[0, 1, 2, 3, 4].map((n) => (
            <MenuItem key={n} value={thisYear - n}>
              {translate('credit.year_n', { year: thisYear - n })}
            </MenuItem>
          ))}
        </TextField>
        <DistrictFilter
          value={district}
          onChange={(d) => {
            setDistrict(d);
            setPage(0);
          }}
        />
      </Stack>
      {error && <Alert severity="error">{error}</Alert>}
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, lg: 4 }}>
          <Card>
            <CardContent>
              <Typography variant="subtitle2">{translate('credit.rankings.distribution', { year, total })}</Typography>
              <Chart option={option} height={300} testId="credit-grade-chart" />
            </CardContent>
          </Card>
        </Grid>
        <Grid size={{ xs: 12, lg: 8 }}>
          <Card>
            <Table size="small" data-testid="credit-rankings">
              <TableHead>
                <TableRow>
                  {['rank', 'name', 'district', 'score', 'grade', 'trend'].map((k) => (
                    <TableCell key={k} align={k === 'score' || k === 'rank' ? 'right' : 'left'}>
                      {translate(`credit.rankings.${k}`)}
                    </TableCell>
                  ))}
                </TableRow>
              </TableHead>
              <TableBody>
                {data?.rows.map((r) => (
                  <TableRow key={r.enterpriseId} hover sx={{ cursor: 'pointer' }} onClick={() => navigate(`/credit/enterprises/${r.enterpriseId}`)} data-testid="credit-ranking-row" data-enterprise={r.enterpriseId}>
                    <TableCell align="right">{r.rank}</TableCell>
                    <TableCell>{r.name}</TableCell>
                    <TableCell data-testid="credit-ranking-district">{r.districtCode ? (districts.get(r.districtCode) ?? r.districtCode) : '—'}</TableCell>
                    <TableCell align="right" data-testid="credit-ranking-score">
                      {points(r.score)}
                    </TableCell>
                    <TableCell>
                      <GradeChip grade={r.grade} veto={r.veto} />
                    </TableCell>
                    <TableCell>
                      <Trend score={r.score} previous={r.previousScore} />
                    </TableCell>
                  </TableRow>
                ))}
                {data && !data.rows.length && (
                  <TableRow>
                    <TableCell colSpan={6}>
                      <Typography variant="body2" color="text.secondary">
                        {translate('credit.rankings.empty', { year })}
                      </Typography>
                    </TableCell>
                  </TableRow>
                )}
              </TableBody>
            </Table>
            {total > PAGE && (
              <TablePagination
                component="div"
                count={total}
                page={page}
                rowsPerPage={PAGE}
                rowsPerPageOptions={[PAGE]}
                onPageChange={(_, p) => setPage(p)}
                labelDisplayedRows={({ from, to, count }) => translate('credit.rows_of', { from, to, count })}
              />
            )}
          </Card>
        </Grid>
      </Grid>
    </Box>
  );
};
