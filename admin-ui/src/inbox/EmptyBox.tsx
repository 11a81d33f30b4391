import CloudOffIcon from '@mui/icons-material/CloudOff';
import InboxIcon from '@mui/icons-material/Inbox';
import { Box, Button, Typography } from '@mui/material';
import { useListContext, useTranslate } from 'react-admin';

/** The boxes and lists that have their own empty text (inbox.empty.<kind> in the messages). */
export type EmptyKind = 'todo' | 'claimable' | 'done' | 'unassigned' | 'started' | 'copied' | 'cases';

/**
 * What an empty list says, in the reader's words: what would appear here and how it gets here,
 * never react-admin's "暂无<resource>" with the resource's path in it. A list that is empty only
 * because of its filter says so instead; one that could not be loaded (the API restarting, the
 * network gone) says that, with a retry, rather than claim there is nothing. When a reload fails
 * after rows were shown, react-query keeps them on screen and this is not shown at all.
 */
export const EmptyBox = ({ kind }: { kind: EmptyKind }) => {
  const translate = useTranslate();
  const { filterValues, error, refetch } = useListContext();
  if (error)
    return (
      <Box sx={{ textAlign: 'center', py: 6, px: 2, color: 'text.secondary', width: '100%' }} data-testid="list-outage">
        <CloudOffIcon sx={{ fontSize: 56, opacity: 0.4 }} />
        <Typography variant="h6">{translate('app.errors.unavailable')}</Typography>
        <Button variant="outlined" sx={{ mt: 2 }} onClick={() => void refetch()} data-testid="list-retry">
          {translate('app.errors.retry')}
        </Button>
      </Box>
    );
  const filtered = Object.values(filterValues ?? {}).some((v) => v !== undefined && v !== '' && v !== null);
  return (
    <Box sx={{ textAlign: 'center', py: 6, px: 2, color: 'text.secondary', width: '100%' }} data-testid="empty-box" data-kind={kind}>
      <InboxIcon sx={{ fontSize: 56, opacity: 0.4 }} />
      {filtered ? (
        <Typography>{translate('inbox.empty.filtered')}</Typography>
      ) : (
        <>
          <Typography variant="h6">{translate(`inbox.empty.${kind}.title`)}</Typography>
          <Typography variant="body2">{translate(`inbox.empty.${kind}.hint`)}</Typography>
        </>
      )}
    </Box>
  );
};
