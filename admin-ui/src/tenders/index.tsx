import { Box, Card, CardContent, Chip, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { useCallback, useEffect, useState } from 'react';
import { Button, DataTable, List, NumberField, SelectField, SelectInput, Title, useGetIdentity, useNotify, useTranslate } from 'react-admin';
import { Link, useParams } from 'react-router-dom';
import { apiFetch } from '../api';
import { DateTimeField } from '../fields';
import { beijingTime } from '../beijing-time';

/** Tenders (招投标, 000 主要功能 7): announcements, bid registration with the deposit, and expert scoring. */
const STATUS = ['open', 'closed', 'awarded', 'failed'].map((id) => ({ id, name: `tenders.status.${id}` }));

export const TenderList = () => (
  <List sort={{ field: 'closes_at', order: 'ASC' }} filters={[<SelectInput key="status" source="status" choices={STATUS} alwaysOn />]} exporter={false}>
    <DataTable rowClick="show" bulkActionButtons={false}>
      <DataTable.Col source="case_number" disableSort />
      <DataTable.Col source="title" disableSort />
      <DataTable.Col source="project_name" disableSort />
      <DataTable.Col source="status" disableSort>
        <SelectField source="status" choices={STATUS} />
      </DataTable.Col>
      <DataTable.Col source="deposit_amount" disableSort>
        <NumberField source="deposit_amount" />
      </DataTable.Col>
      <DataTable.Col source="closes_at">
        <DateTimeField source="closes_at" />
      </DataTable.Col>
    </DataTable>
  </List>
);

export interface TenderBid {
  id: number;
  bid_no: string;
  enterprise_name: string;
  status: string;
  average_score: number | null;
}

interface TenderDetail {
  case_id: number;
  case_number: string;
  title: string;
  status: string;
  deposit_amount: number;
  closes_at: string;
  project_name?: string;
  bids: TenderBid[];
  ledger: Array<{ id: number; enterprise_name?: string; kind: string; amount: number; at?: string; created_at?: string }>;
  draw?: Array<{ name: string; selected: number | boolean; excluded_reason: string | null }>;
}

export function useTender(caseId: number | string | undefined) {
  const [tender, setTender] = useState<TenderDetail | null>(null);
  const load = useCallback(async () => {
    if (caseId) setTender((await (await apiFetch(`/api/tenders/${caseId}`)).json()) as TenderDetail);
  }, [caseId]);
  useEffect(() => {
    void load();
  }, [load]);
  return { tender, reload: load };
}

export const TenderShow = () => {
  const { id } = useParams<{ id: string }>();
  const translate = useTranslate();
  const notify = useNotify();
  const { data: me } = useGetIdentity();
  const { tender, reload } = useTender(id);
  const [deposit, setDeposit] = useState('');
  if (!tender) return null;
  const register = async () => {
    try {
      await apiFetch(`/api/tenders/${tender.case_id}/bids`, { method: 'POST', body: JSON.stringify({ depositPaid: Number(deposit || tender.deposit_amount) }) });
      notify('tenders.registered', { type: 'success' });
      await reload();
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    }
  };
  const canBid = (me as { role?: string } | undefined)?.role === 'enterprise' && tender.status === 'open' && tender.bids.length === 0;
  return (
    <Card sx={{ mt: 2 }}>
      <Title title={tender.title} />
      <CardContent>
        <Stack spacing={2}>
          <Typography variant="h6">
            {tender.title} <Chip size="small" label={translate(`tenders.status.${tender.status}`, { _: tender.status })} />
          </Typography>
          <Typography variant="body2">
            <Link to={`/cases/${tender.case_id}/show`}>{tender.case_number}</Link> · {translate('resources.tenders.fields.deposit_amount')}：{tender.deposit_amount} · {translate('resources.tenders.fields.closes_at')}：
            {beijingTime(tender.closes_at)}
          </Typography>
          {canBid && (
            <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
              <TextField size="small" type="number" label={translate('tenders.deposit_paid')} value={deposit || String(tender.deposit_amount)} onChange={(e) => setDeposit(e.target.value)} />
              <Button variant="contained" label="tenders.register" onClick={register} />
            </Stack>
          )}
          {tender.bids.length > 0 && (
            <Box>
              <Typography variant="subtitle2">{translate('tenders.bids')}</Typography>
              <Table size="small" data-testid="tender-bids">
                <TableHead>
                  <TableRow>
                    <TableCell>{translate('tenders.bid_no')}</TableCell>
                    <TableCell>{translate('tenders.enterprise')}</TableCell>
                    <TableCell>{translate('tenders.bid_status')}</TableCell>
                    <TableCell>{translate('tenders.average_score')}</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {tender.bids.map((b) => (
                    <TableRow key={b.id}>
                      <TableCell>{b.bid_no}</TableCell>
                      <TableCell>{b.enterprise_name}</TableCell>
                      <TableCell>{b.status}</TableCell>
                      <TableCell>{b.average_score ?? '—'}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </Box>
          )}
          {tender.ledger.length > 0 && (
            <Box>
              <Typography variant="subtitle2">{translate('tenders.ledger')}</Typography>
              <Table size="small">
                <TableBody>
                  {tender.ledger.map((l) => (
                    <TableRow key={l.id}>
                      <TableCell>{l.enterprise_name ?? ''}</TableCell>
                      <TableCell>{l.kind}</TableCell>
                      <TableCell>{l.amount}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </Box>
          )}
        </Stack>
      </CardContent>
    </Card>
  );
};

/** On an expert's scoring task: a score (0–100) per bid under evaluation, recorded before deciding. */
export function TenderScoring({ caseId }: { caseId: number }) {
  const translate = useTranslate();
  const notify = useNotify();
  const { tender } = useTender(caseId);
  const [scores, setScores] = useState<Record<number, string>>({});
  const [saved, setSaved] = useState(false);
  if (!tender) return null;
  const bids = tender.bids.filter((b) => !['rejected', 'withdrawn'].includes(b.status));
  const save = async () => {
    try {
      const body = { scores: bids.map((b) => ({ bidId: b.id, score: Number(scores[b.id]) })) };
      await apiFetch(`/api/tenders/${caseId}/scores`, { method: 'POST', body: JSON.stringify(body) });
      setSaved(true);
      notify('tenders.scores_saved', { type: 'success' });
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    }
  };
  return (
    <Box data-testid="tender-scoring">
      <Typography variant="subtitle2">{translate('tenders.scoring')}</Typography>
      {bids.map((b) => (
        <Stack key={b.id} direction="row" spacing={2} sx={{ alignItems: 'center', mt: 1 }}>
          <Typography sx={{ width: 320 }}>
            {b.bid_no} {b.enterprise_name}
          </Typography>
          <TextField size="small" type="number" label={translate('tenders.score')} value={scores[b.id] ?? ''} onChange={(e) => setScores((s) => ({ ...s, [b.id]: e.target.value }))} slotProps={{ htmlInput: { min: 0, max: 100 } }} />
        </Stack>
      ))}
      <Box sx={{ mt: 1 }}>
        <Button label="tenders.save_scores" onClick={save} disabled={bids.some((b) => scores[b.id] === undefined || scores[b.id] === '')} />
        {saved && <Chip size="small" color="success" label={translate('tenders.scores_saved')} sx={{ ml: 1 }} />}
      </Box>
    </Box>
  );
}
