import { Alert, Dialog, DialogActions, DialogContent, DialogTitle, FormControl, InputLabel, MenuItem, Select, Stack, TextField } from '@mui/material';
import { useEffect, useState, type ReactNode } from 'react';
import { Button, useNotify, useTranslate } from 'react-admin';
import { fetchElements, moveCase, type ProcessElement } from './api';

/**
 * A reason (required: terminating) or a comment (optional: retrying), asked before an operation.
 * The dialog stays open while the operation runs and shows its refusal, so nothing is lost.
 */
export function ReasonDialog(props: { open: boolean; title: string; help?: ReactNode; required: boolean; confirmLabel: string; onClose: () => void; onConfirm: (reason: string) => Promise<void> }) {
  const translate = useTranslate();
  const { open, title, help, required, confirmLabel, onClose, onConfirm } = props;
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (open) {
      setReason('');
      setTouched(false);
      setError(null);
    }
  }, [open]);
  const missing = required && !reason.trim();
  const confirm = async () => {
    setTouched(true);
    if (missing) return;
    setBusy(true);
    setError(null);
    try {
      await onConfirm(reason.trim());
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} onClose={onClose} onClick={(e) => e.stopPropagation()} fullWidth maxWidth="sm">
      <DialogTitle>{title}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          {help && <Alert severity={required ? 'warning' : 'info'}>{help}</Alert>}
          {error && <Alert severity="error">{error}</Alert>}
          <TextField
            label={translate(required ? 'incidents.reason' : 'incidents.comment')}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            required={required}
            error={touched && missing}
            helperText={touched && missing ? translate('incidents.reason_required') : undefined}
            multiline
            minRows={2}
            fullWidth
            slotProps={{ htmlInput: { maxLength: 2000, 'data-testid': 'operation-reason' } }}
          />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button label="ra.action.cancel" onClick={onClose} />
        <Button label={confirmLabel} variant="contained" color={required ? 'error' : 'primary'} disabled={busy} onClick={() => void confirm()} data-testid="operation-confirm" />
      </DialogActions>
    </Dialog>
  );
}

const elementLabel = (e: ProcessElement, kind: string) => `${e.name || e.id}（${kind}）`;

/**
 * 移动令牌: a select of the elements of the case's own process version (its pinned graph), in
 * Chinese names with their kind; the start event and boundary events cannot be chosen.
 */
export function MoveDialog(props: { caseId: number; caseNumber: string; open: boolean; onClose: () => void; onMoved: () => void }) {
  const translate = useTranslate();
  const notify = useNotify();
  const { caseId, caseNumber, open, onClose, onMoved } = props;
  const [elements, setElements] = useState<ProcessElement[]>([]);
  const [target, setTarget] = useState('');
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!open) return;
    setTarget('');
    setComment('');
    setError(null);
    fetchElements(caseId)
      .then(setElements)
      .catch((e: Error) => setError(e.message));
  }, [open, caseId]);
  const kindOf = (e: ProcessElement) => translate(`incidents.kinds.${e.kind}`, { _: e.kind });
  const confirm = async () => {
    if (!target) return;
    setBusy(true);
    setError(null);
    try {
      await moveCase(caseId, target, comment.trim());
      const chosen = elements.find((e) => e.id === target);
      notify('incidents.moved', { type: 'success', messageArgs: { name: chosen?.name || target } });
      onMoved();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} onClose={onClose} onClick={(e) => e.stopPropagation()} fullWidth maxWidth="sm">
      <DialogTitle>{translate('incidents.move_title', { number: caseNumber })}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          <Alert severity="info">{translate('incidents.move_help')}</Alert>
          {error && <Alert severity="error">{error}</Alert>}
          <FormControl fullWidth>
            <InputLabel id="move-target-label">{translate('incidents.move_to')}</InputLabel>
            <Select labelId="move-target-label" label={translate('incidents.move_to')} value={target} onChange={(e) => setTarget(e.target.value)} data-testid="move-target">
              {elements
                .filter((e) => e.movable)
                .map((e) => (
                  <MenuItem key={e.id} value={e.id}>
                    {elementLabel(e, kindOf(e))}
                  </MenuItem>
                ))}
            </Select>
          </FormControl>
          <TextField label={translate('incidents.comment')} value={comment} onChange={(e) => setComment(e.target.value)} multiline minRows={2} fullWidth slotProps={{ htmlInput: { maxLength: 2000 } }} />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button label="ra.action.cancel" onClick={onClose} />
        <Button label="incidents.move" variant="contained" disabled={busy || !target} onClick={() => void confirm()} data-testid="move-confirm" />
      </DialogActions>
    </Dialog>
  );
}
