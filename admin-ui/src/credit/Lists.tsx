import { Alert, Box, Card, Stack, Tab, Table, TableBody, TableCell, TableHead, TableRow, Tabs, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { Title, useTranslate } from 'react-admin';
import { useNavigate } from 'react-router-dom';
import { errorInWords, getJson, points, useDistricts, type ListMember } from './api';
import { GradeChip } from './grades';
import { DistrictFilter } from './Rankings';

type CreditList = 'red' | 'black';

/** 红黑榜: the enterprises on the red list (best grade) and the black list (barred from tenders) now. */
export const CreditLists = () => {
  const translate = useTranslate();
  const navigate = useNavigate();
  const districts = useDistricts();
  const [list, setList] = useState<CreditList>('red');
  const [district, setDistrict] = useState('');
  const [rows, setRows] = useState<ListMember[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setRows(null);
    const query = new URLSearchParams({ limit: '200', ...(district ? { district_code: district } : {}) });
    getJson<ListMember[]>(`/api/credit/lists/${list}?${query.toString()}`)
      .then((r) => {
        if (!live) return;
        setRows(r);
        setError(null);
      })
      .catch((e: unknown) => live && setError(errorInWords(e, translate)));
    return () => {
      live = false;
    };
  }, [list, district, translate]);

  return (
    <Box sx={{ mt: 2 }}>
      <Title title="credit.lists.title" />
      <Stack direction="row" spacing={2} sx={{ mb: 1, alignItems: 'center' }}>
        <Tabs value={list} onChange={(_, v: CreditList) => setList(v)}>
          <Tab value="red" label={translate('credit.lists.red')} data-testid="credit-list-red" />
          <Tab value="black" label={translate('credit.lists.black')} data-testid="credit-list-black" />
        </Tabs>
        <DistrictFilter value={district} onChange={setDistrict} />
      </Stack>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        {translate(`credit.lists.${list}_help`)}
      </Typography>
      {error && <Alert severity="error">{error}</Alert>}
      <Card>
        <Table size="small" data-testid={`credit-list-${list}-table`}>
          <TableHead>
            <TableRow>
              {['name', 'district', 'grade', 'score', 'entered_on'].map((k) => (
                <TableCell key={k} align={k === 'score' ? 'right' : 'left'}>
                  {translate(`credit.lists.columns.${k}`)}
                </TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {rows?.map((r) => (
              <TableRow key={r.id} hover sx={{ cursor: 'pointer' }} onClick={() => navigate(`/credit/enterprises/${r.subjectId}`)}>
                <TableCell>{r.name}</TableCell>
                <TableCell>{r.districtCode ? (districts.get(r.districtCode) ?? r.districtCode) : '—'}</TableCell>
                <TableCell>
                  <GradeChip grade={r.grade} />
                </TableCell>
                <TableCell align="right">{points(r.score)}</TableCell>
                <TableCell>{r.enteredOn}</TableCell>
              </TableRow>
            ))}
            {rows && !rows.length && (
              <TableRow>
                <TableCell colSpan={5}>
                  <Typography variant="body2" color="text.secondary">
                    {translate(`credit.lists.empty_${list}`)}
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
