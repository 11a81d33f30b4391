import BookmarkIcon from '@mui/icons-material/Bookmark';
import DeleteIcon from '@mui/icons-material/Delete';
import { Dialog, DialogActions, DialogContent, DialogTitle, Divider, IconButton, ListItemText, Menu, MenuItem, TextField } from '@mui/material';
import { useCallback, useEffect, useState } from 'react';
import { Button, useListContext, useNotify, useResourceContext, useTranslate } from 'react-admin';
import { apiFetch } from '../api';

/**
 * 保存的筛选: the reader's named filters of this list, kept on the server
 * (api/routes/saved-filters.ts) so they follow the account, not the browser. Choosing one
 * applies it; the current filter can be saved under a name (the same name replaces it).
 */
interface Saved {
  id: number;
  name: string;
  filter: Record<string, unknown>;
}

const hasValue = (v: unknown) => v !== undefined && v !== null && v !== '';

export const SavedFilters = () => {
  const resource = useResourceContext() ?? '';
  const { filterValues, setFilters } = useListContext();
  const translate = useTranslate();
  const notify = useNotify();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [saved, setSaved] = useState<Saved[]>([]);
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');

  const load = useCallback(() => {
    apiFetch(`/api/saved-filters?list=${encodeURIComponent(resource)}`)
      .then((r) => r.json() as Promise<Saved[]>)
      .then(setSaved)
      .catch(() => setSaved([]));
  }, [resource]);
  useEffect(load, [load]);

  const current = Object.fromEntries(Object.entries(filterValues ?? {}).filter(([, v]) => hasValue(v)));
  const apply = (s: Saved) => {
    setFilters(s.filter, Object.fromEntries(Object.keys(s.filter).map((k) => [k, true])));
    setAnchor(null);
  };
  const remove = async (s: Saved) => {
    await apiFetch(`/api/saved-filters/${s.id}`, { method: 'DELETE' }).catch(() => undefined);
    load();
  };
  const save = async () => {
    try {
      await apiFetch('/api/saved-filters', { method: 'POST', body: JSON.stringify({ list: resource, name: name.trim(), filter: current }) });
      notify('lists.saved_filters.saved', { type: 'success', messageArgs: { name: name.trim() } });
      setNaming(false);
      setName('');
      load();
    } catch (err) {
      notify((err as Error).message, { type: 'error' });
    }
  };

  return (
    <>
      <Button label="lists.saved_filters.title" onClick={(e) => setAnchor(e.currentTarget)} data-testid="saved-filters">
        <BookmarkIcon />
      </Button>
      <Menu anchorEl={anchor} open={Boolean(anchor)} onClose={() => setAnchor(null)}>
        {saved.map((s) => (
          <MenuItem key={s.id} onClick={() => apply(s)} data-testid="saved-filter">
            <ListItemText>{s.name}</ListItemText>
            <IconButton
              size="small"
              aria-label={translate('lists.saved_filters.delete', { name: s.name })}
              onClick={(e) => {
                e.stopPropagation();
                void remove(s);
              }}
            >
              <DeleteIcon fontSize="small" />
            </IconButton>
          </MenuItem>
        ))}
        {saved.length === 0 && <MenuItem disabled>{translate('lists.saved_filters.none')}</MenuItem>}
        <Divider />
        <MenuItem
          disabled={Object.keys(current).length === 0}
          onClick={() => {
            setAnchor(null);
            setNaming(true);
          }}
          data-testid="save-filter"
        >
          {translate('lists.saved_filters.save_current')}
        </MenuItem>
      </Menu>
      <Dialog open={naming} onClose={() => setNaming(false)}>
        <DialogTitle>{translate('lists.saved_filters.save_current')}</DialogTitle>
        <DialogContent>
          <TextField autoFocus fullWidth margin="dense" label={translate('lists.saved_filters.name')} value={name} onChange={(e) => setName(e.target.value)} slotProps={{ htmlInput: { maxLength: 64 } }} />
        </DialogContent>
        <DialogActions>
          <Button label="ra.action.cancel" onClick={() => setNaming(false)} />
          <Button label="ra.action.save" onClick={() => void save()} disabled={!name.trim()} data-testid="save-filter-confirm" />
        </DialogActions>
      </Dialog>
    </>
  );
};
