import { Box, Chip, List, ListItem, ListItemText, Typography } from '@mui/material';
import { useTranslate } from 'react-admin';
import { AttachmentLinks } from '../attachments/AttachmentsInput';
import type { HistoryEntry } from './api';
import { beijingTime } from '../beijing-time';
import { useIncidentWords } from '../incidents/words';

/** The case's full history from MySQL, newest last; optionally only one element's entries, or only some kinds. */
export function Timeline({ entries, names, onlyNode, onlyKinds, testId = 'case-timeline' }: { entries: HistoryEntry[]; names: Record<string, string>; onlyNode?: string | null; onlyKinds?: string[]; testId?: string }) {
  const translate = useTranslate();
  const incidentWords = useIncidentWords();
  const shown = entries.filter((e) => (!onlyNode || e.node_id === onlyNode) && (!onlyKinds || onlyKinds.includes(e.kind)));
  return (
    <List dense data-testid={testId}>
      {shown.map((e) => {
        const attachments = (e.data as { attachments?: Array<{ name: string; fileId?: string }> } | null)?.attachments;
        return (
          <ListItem key={e.id} alignItems="flex-start" divider>
            <ListItemText
              primary={
                <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
                  <Typography variant="body2" component="span" sx={{ fontWeight: 600 }}>
                    {translate(`history.${e.kind}`, { _: e.kind })}
                  </Typography>
                  {e.node_id && names[e.node_id] && <Chip size="small" variant="outlined" label={names[e.node_id]} />}
                  {e.outcome && (
                    <Chip
                      size="small"
                      color={e.outcome === 'approve' || e.outcome === 'approved' ? 'success' : e.outcome === 'reject' || e.outcome === 'rejected' ? 'error' : 'warning'}
                      label={translate(`outcomes.${e.outcome}`, { _: e.outcome })}
                    />
                  )}
                </Box>
              }
              secondary={
                <>
                  <Typography variant="caption" component="span" sx={{ display: 'block' }}>
                    {beijingTime(e.at)} {e.actor_name ?? ''}
                  </Typography>
                  {e.comment && (
                    <Typography variant="body2" component="span" sx={{ display: 'block' }}>
                      {e.kind === 'incident' ? incidentWords(e.comment) : e.comment}
                    </Typography>
                  )}
                  <AttachmentLinks attachments={attachments} />
                </>
              }
              slotProps={{ secondary: { component: 'div' } }}
            />
          </ListItem>
        );
      })}
    </List>
  );
}
