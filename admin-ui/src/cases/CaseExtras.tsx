import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import PictureAsPdfIcon from '@mui/icons-material/PictureAsPdf';
import ReplayIcon from '@mui/icons-material/Replay';
import StopCircleIcon from '@mui/icons-material/StopCircle';
import TrendingFlatIcon from '@mui/icons-material/TrendingFlat';
import WarningIcon from '@mui/icons-material/Warning';
import { Box, Card, CardContent, Chip, List, ListItem, ListItemIcon, ListItemText, Stack, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { Button, useNotify, useTranslate } from 'react-admin';
import { Link } from 'react-router-dom';
import { apiFetch } from '../api';
import type { LinkedCaseRow } from './api';
import { retryCase, terminateCase } from '../incidents/api';
import { MoveDialog, ReasonDialog } from '../incidents/dialogs';
import { beijingTime } from '../beijing-time';

interface CaseDocument {
  id: number;
  kind: string;
  number: string;
  title: string;
  file_id: string;
  issued_at: string;
}

/** Certificates and filing forms the case issued, each downloadable (E8). */
export function CaseDocuments({ caseId, refreshKey }: { caseId: number; refreshKey?: unknown }) {
  const translate = useTranslate();
  const [docs, setDocs] = useState<CaseDocument[]>([]);
  useEffect(() => {
    void apiFetch(`/api/cases/${caseId}/documents`)
      .then((r) => r.json() as Promise<CaseDocument[]>)
      .then(setDocs)
      .catch(() => setDocs([]));
  }, [caseId, refreshKey]);
  if (!docs.length) return null;
  return (
    <Box sx={{ mt: 1 }} data-testid="case-documents">
      <Typography variant="subtitle2">{translate('cases.documents')}</Typography>
      <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap', mt: 0.5 }}>
        {docs.map((d) => (
          <Chip key={d.id} icon={<PictureAsPdfIcon />} label={`${d.title} ${d.number}（${beijingTime(d.issued_at).slice(0, 10)}）`} component="a" href={`/api/files/${d.file_id}`} clickable color="primary" variant="outlined" />
        ))}
      </Stack>
    </Box>
  );
}

interface CheckResult {
  code: string;
  label: string;
  ok: boolean;
  detail?: string | null;
}

/** The automatic checks a process ran (double registration, materials, validity), for reviewers. */
export function AutomaticChecks({ variables }: { variables: Record<string, unknown> }) {
  const translate = useTranslate();
  const checks = variables.checks as CheckResult[] | undefined;
  if (!Array.isArray(checks) || checks.length === 0) return null;
  return (
    <Box sx={{ mt: 1 }} data-testid="automatic-checks">
      <Typography variant="subtitle2">{translate('cases.automatic_checks')}</Typography>
      <List dense disablePadding>
        {checks.map((c) => (
          <ListItem key={c.code} disableGutters>
            <ListItemIcon sx={{ minWidth: 32 }}>{c.ok ? <CheckCircleIcon color="success" fontSize="small" /> : <WarningIcon color="warning" fontSize="small" />}</ListItemIcon>
            <ListItemText primary={c.label} secondary={c.detail ?? undefined} />
          </ListItem>
        ))}
      </List>
    </Box>
  );
}

const ENDED = ['completed', 'withdrawn', 'terminated'];

/**
 * The administrator's operations on a case that has not ended (docs/process-engine.md
 * "Operating cases (incidents)"): retry the step that failed (in incident only), move the token,
 * or terminate with a required reason. The API allows them to `cases:admin` only; the caller
 * shows this to those roles.
 */
export function CaseOperations({ caseId, caseNumber, status, onDone }: { caseId: number; caseNumber: string; status: string; onDone: () => void }) {
  const translate = useTranslate();
  const notify = useNotify();
  const [dialog, setDialog] = useState<'move' | 'terminate' | null>(null);
  if (ENDED.includes(status)) return null;
  const retry = async () => {
    try {
      await retryCase(caseId);
      notify('incidents.retried', { type: 'success' });
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    }
    onDone();
  };
  const done = () => {
    setDialog(null);
    onDone();
  };
  return (
    <Card sx={{ mt: 2 }} data-testid="case-operations">
      <CardContent>
        <Stack direction="row" spacing={1}>
          {status === 'incident' && (
            <Button label="incidents.retry" variant="outlined" onClick={() => void retry()}>
              <ReplayIcon />
            </Button>
          )}
          <Button label="incidents.move" variant="outlined" onClick={() => setDialog('move')}>
            <TrendingFlatIcon />
          </Button>
          <Button label="incidents.terminate" variant="outlined" color="error" onClick={() => setDialog('terminate')} data-testid="case-terminate">
            <StopCircleIcon />
          </Button>
        </Stack>
        <MoveDialog caseId={caseId} caseNumber={caseNumber} open={dialog === 'move'} onClose={() => setDialog(null)} onMoved={done} />
        <ReasonDialog
          open={dialog === 'terminate'}
          title={translate('incidents.terminate_title', { number: caseNumber })}
          help={translate('incidents.terminate_help')}
          required
          confirmLabel="incidents.terminate"
          onClose={() => setDialog(null)}
          onConfirm={async (reason) => {
            await terminateCase(caseId, reason);
            notify('incidents.terminated', { type: 'success' });
            done();
          }}
        />
      </CardContent>
    </Card>
  );
}

/** The case that called this one and the cases its call activities started (only those the viewer may see). */
export function LinkedCases({ linked }: { linked?: { parent: LinkedCaseRow | null; children: LinkedCaseRow[] } }) {
  const translate = useTranslate();
  if (!linked || (!linked.parent && linked.children.length === 0)) return null;
  const row = (c: LinkedCaseRow, label: string) => (
    <ListItem key={c.id} disableGutters>
      <ListItemText
        primary={
          <>
            {label}：<Link to={`/cases/${c.id}/show`}>{c.number}</Link> {c.title}
          </>
        }
        secondary={translate(`case_status.${c.status}`, { _: c.status })}
      />
    </ListItem>
  );
  return (
    <Box sx={{ mt: 1 }} data-testid="linked-cases">
      <Typography variant="subtitle2">{translate('cases.linked')}</Typography>
      <List dense>
        {linked.parent && row(linked.parent, translate('cases.parent_case'))}
        {linked.children.map((c) => row(c, translate('cases.child_case')))}
      </List>
    </Box>
  );
}
