import ReplayIcon from '@mui/icons-material/Replay';
import StopCircleIcon from '@mui/icons-material/StopCircle';
import TrendingFlatIcon from '@mui/icons-material/TrendingFlat';
import { Alert, Dialog, DialogActions, DialogContent, DialogTitle, List as MuiList, ListItem, ListItemText, Stack, Typography } from '@mui/material';
import { useState } from 'react';
import { Button, DataTable, FilterButton, List, SearchInput, TextInput, TopToolbar, useListContext, useNotify, useRecordContext, useRefresh, useTranslate, useUnselectAll } from 'react-admin';
import { DateTimeField } from '../fields';
import { useIncidentWords } from './words';
import { batchOperation, retryCase, terminateCase, type BatchAnswer, type IncidentFilter } from './api';
import { MoveDialog, ReasonDialog } from './dialogs';

interface IncidentRecord {
  id: number;
  number: string;
  title: string;
  process_key: string;
  process_name: string | null;
  incident_node_id: string | null;
  incident_node_name: string | null;
  incident_message: string | null;
  incident_at: string | null;
}

// A button inside a row must not also open the row's case.
const stop = (e: { stopPropagation(): void }) => e.stopPropagation();

/** Retry, move and terminate one case, from its row. */
const RowActions = () => {
  const record = useRecordContext<IncidentRecord>();
  const translate = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  const [dialog, setDialog] = useState<'move' | 'terminate' | null>(null);
  if (!record) return null;
  const retry = async () => {
    try {
      await retryCase(record.id);
      notify('incidents.retried', { type: 'success' });
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    }
    refresh();
  };
  const done = () => {
    setDialog(null);
    refresh();
  };
  return (
    <Stack direction="row" spacing={0.5} onClick={stop}>
      <Button label="incidents.retry" onClick={() => void retry()} data-testid={`retry-${record.id}`}>
        <ReplayIcon />
      </Button>
      <Button label="incidents.move" onClick={() => setDialog('move')} data-testid={`move-${record.id}`}>
        <TrendingFlatIcon />
      </Button>
      <Button label="incidents.terminate" color="error" onClick={() => setDialog('terminate')} data-testid={`terminate-${record.id}`}>
        <StopCircleIcon />
      </Button>
      <MoveDialog caseId={record.id} caseNumber={record.number} open={dialog === 'move'} onClose={() => setDialog(null)} onMoved={done} />
      <ReasonDialog
        open={dialog === 'terminate'}
        title={translate('incidents.terminate_title', { number: record.number })}
        help={translate('incidents.terminate_help')}
        required
        confirmLabel="incidents.terminate"
        onClose={() => setDialog(null)}
        onConfirm={async (reason) => {
          await terminateCase(record.id, reason);
          notify('incidents.terminated', { type: 'success' });
          done();
        }}
      />
    </Stack>
  );
};

/** What a batch did: the counts, and each case it could not do with the server's reason. */
const BatchOutcome = ({ answer, onClose }: { answer: BatchAnswer | null; onClose: () => void }) => {
  const translate = useTranslate();
  const failures = answer?.results.filter((r) => !r.ok) ?? [];
  return (
    <Dialog open={answer !== null && (failures.length > 0 || answer.more)} onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>{answer ? translate('incidents.batch_done', { ok: answer.ok, failed: answer.failed }) : ''}</DialogTitle>
      <DialogContent>
        {answer?.more && <Alert severity="info">{translate('incidents.batch_more')}</Alert>}
        {failures.length > 0 && (
          <>
            <Typography variant="subtitle2" sx={{ mt: 1 }}>
              {translate('incidents.batch_failures')}
            </Typography>
            <MuiList dense data-testid="batch-failures">
              {failures.map((f) => (
                <ListItem key={f.id} disableGutters>
                  <ListItemText primary={f.number ?? `#${f.id}`} secondary={f.reason} />
                </ListItem>
              ))}
            </MuiList>
          </>
        )}
      </DialogContent>
      <DialogActions>
        <Button label="ra.action.close" onClick={onClose} />
      </DialogActions>
    </Dialog>
  );
};

/**
 * A batch retry or termination, over the rows selected (`selected`) or over every case the
 * list's current filter matches. Terminating asks for the reason; the server runs the cases one
 * after another and answers each one's result.
 */
const BatchButton = ({ action, over }: { action: 'retry' | 'terminate'; over: 'selected' | 'filter' }) => {
  const { selectedIds, filterValues } = useListContext();
  const translate = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  const unselectAll = useUnselectAll('incidents');
  const [open, setOpen] = useState(false);
  const [answer, setAnswer] = useState<BatchAnswer | null>(null);
  const label = `incidents.${over === 'selected' ? 'batch' : 'filter'}_${action}`;
  const actionName = translate(`incidents.${action}`);
  return (
    <>
      <Button label={label} color={action === 'terminate' ? 'error' : 'primary'} onClick={() => setOpen(true)} data-testid={`${over}-${action}`}>
        {action === 'retry' ? <ReplayIcon /> : <StopCircleIcon />}
      </Button>
      <ReasonDialog
        open={open}
        title={over === 'selected' ? translate('incidents.batch_title_selected', { action: actionName, smart_count: selectedIds.length }) : translate('incidents.batch_title_filter', { action: actionName })}
        help={over === 'filter' ? translate('incidents.batch_filter_help') : action === 'terminate' ? translate('incidents.terminate_help') : undefined}
        required={action === 'terminate'}
        confirmLabel={label}
        onClose={() => setOpen(false)}
        onConfirm={async (reason) => {
          const result = await batchOperation(over === 'selected' ? { action, comment: reason, ids: selectedIds } : { action, comment: reason, filter: filterValues as IncidentFilter });
          setOpen(false);
          notify('incidents.batch_done', { type: result.failed ? 'warning' : 'success', messageArgs: { ok: result.ok, failed: result.failed } });
          setAnswer(result);
          unselectAll();
          refresh();
        }}
      />
      <BatchOutcome answer={answer} onClose={() => setAnswer(null)} />
    </>
  );
};

const BulkActions = () => (
  <>
    <BatchButton action="retry" over="selected" />
    <BatchButton action="terminate" over="selected" />
  </>
);

const ListActions = () => (
  <TopToolbar>
    <FilterButton />
    <BatchButton action="retry" over="filter" />
    <BatchButton action="terminate" over="filter" />
  </TopToolbar>
);

/**
 * 异常处理 (as Camunda Operate): the cases stopped at an incident, newest first, with the element
 * and the message; retry, move the token or terminate one, or retry or terminate many at once.
 * A row opens its case (its diagram marks the element in red; its open tasks can be transferred).
 */
export const IncidentList = () => {
  const translate = useTranslate();
  const words = useIncidentWords();
  return (
    <>
      <Alert severity="info" sx={{ mt: 2 }}>
        {translate('incidents.help')}
      </Alert>
      <List
        sort={{ field: 'incident_at', order: 'DESC' }}
        filters={[<SearchInput key="q" source="q" alwaysOn />, <TextInput key="process_key" source="process_key" />, <TextInput key="node_id" source="node_id" />, <TextInput key="district_code" source="district_code" />]}
        actions={<ListActions />}
        exporter={false}
      >
        <DataTable rowClick={(id) => `/cases/${id}/show`} bulkActionButtons={<BulkActions />}>
          <DataTable.Col source="number" disableSort />
          <DataTable.Col source="process_name" disableSort render={(r: IncidentRecord) => r.process_name ?? r.process_key} />
          <DataTable.Col source="incident_node_name" disableSort render={(r: IncidentRecord) => r.incident_node_name ?? r.incident_node_id ?? '—'} />
          <DataTable.Col
            source="incident_message"
            disableSort
            render={(r: IncidentRecord) => (
              // The engine's own wording stays at hand for a report to the developers.
              <span data-testid="incident-message" title={r.incident_message ?? undefined}>
                {r.incident_message ? words(r.incident_message) : '—'}
              </span>
            )}
          />
          <DataTable.Col source="incident_at">
            <DateTimeField source="incident_at" />
          </DataTable.Col>
          <DataTable.Col label="incidents.actions" disableSort>
            <RowActions />
          </DataTable.Col>
        </DataTable>
      </List>
    </>
  );
};
