import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import PictureAsPdfIcon from '@mui/icons-material/PictureAsPdf';
import WarningIcon from '@mui/icons-material/Warning';
import { Box, Chip, List, ListItem, ListItemIcon, ListItemText, Stack, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { useLocaleState, useTranslate } from 'react-admin';
import { apiFetch } from '../api';

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
  const [locale] = useLocaleState();
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
          <Chip key={d.id} icon={<PictureAsPdfIcon />} label={`${d.title} ${d.number}（${new Date(d.issued_at).toLocaleDateString(locale)}）`} component="a" href={`/api/files/${d.file_id}`} clickable color="primary" variant="outlined" />
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
