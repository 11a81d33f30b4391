import VisibilityIcon from '@mui/icons-material/Visibility';
import VisibilityOffIcon from '@mui/icons-material/VisibilityOff';
import { Typography } from '@mui/material';
import { createContext, useContext, useState, type ReactNode } from 'react';
import { Button, useNotify, usePermissions, useRecordContext, useResourceContext, useTranslate } from 'react-admin';
import { personalFieldsOf } from '../../../lib/pii';
import { apiFetch } from '../api';

/**
 * Personal fields on a record page (docs/personal-data.md). The API sends them masked; a user
 * with pii:read may press "显示" to ask the server for this one record's clear values
 * (`POST /api/<resource>/:id/unmask`, written to the operation log), which replace the masks
 * on this page until "隐藏" or leaving it. Nothing clear is cached beyond the page.
 */
type Revealed = { resource: string; id: unknown; data: Record<string, unknown> } | null;
const RevealContext = createContext<{ revealed: Revealed; setRevealed(r: Revealed): void }>({ revealed: null, setRevealed: () => undefined });

/** Wraps a Show page whose fields may be revealed. */
export const PersonalReveal = ({ children }: { children: ReactNode }) => {
  const [revealed, setRevealed] = useState<Revealed>(null);
  return <RevealContext.Provider value={{ revealed, setRevealed }}>{children}</RevealContext.Provider>;
};

/** The clear values of the page's record, once revealed. */
function useRevealed(): Record<string, unknown> | null {
  const { revealed } = useContext(RevealContext);
  const record = useRecordContext<{ id: unknown }>();
  const resource = useResourceContext();
  return revealed && record && revealed.resource === resource && revealed.id === record.id ? revealed.data : null;
}

/** "显示"/"隐藏" for users with pii:read, on resources that have personal fields. */
export const RevealButton = () => {
  const record = useRecordContext<{ id: number }>();
  const resource = useResourceContext() ?? '';
  const { permissions } = usePermissions<string[]>();
  const { revealed, setRevealed } = useContext(RevealContext);
  const notify = useNotify();
  if (!record || !permissions?.includes('pii:read') || Object.keys(personalFieldsOf(resource)).length === 0) return null;
  const shown = revealed?.resource === resource && revealed.id === record.id;
  if (shown) {
    return (
      <Button label="registries.ui.hide" onClick={() => setRevealed(null)} data-testid="pii-hide">
        <VisibilityOffIcon />
      </Button>
    );
  }
  return (
    <Button
      label="registries.ui.reveal"
      data-testid="pii-reveal"
      onClick={async () => {
        try {
          const res = await apiFetch(`/api/${resource}/${record.id}/unmask`, { method: 'POST' });
          setRevealed({ resource, id: record.id, data: (await res.json()) as Record<string, unknown> });
          notify('registries.ui.revealed', { type: 'info' });
        } catch (e) {
          notify((e as Error).message, { type: 'error' });
        }
      }}
    >
      <VisibilityIcon />
    </Button>
  );
};

/** A personal field of the record: masked as sent, or clear once revealed. */
export const PersonalText = ({ source }: { source: string }) => {
  const record = useRecordContext<Record<string, unknown>>();
  const revealed = useRevealed();
  const value = revealed && source in revealed ? revealed[source] : record?.[source];
  return (
    <Typography component="span" variant="body2" data-testid={`pii-${source}`}>
      {value === null || value === undefined || value === '' ? '—' : String(value)}
    </Typography>
  );
};

/**
 * A personal field of a child row (a committee member's phone): the row is the record context
 * inside an ArrayField, the revealed data belongs to the page's record.
 */
export const PersonalChildText = ({ childKey, source }: { childKey: string; source: string }) => {
  const row = useRecordContext<Record<string, unknown>>();
  const { revealed } = useContext(RevealContext);
  const resource = useResourceContext();
  const rows = revealed && revealed.resource === resource ? (revealed.data[childKey] as Array<Record<string, unknown>> | undefined) : undefined;
  const clear = rows?.find((r) => r.id === row?.id);
  const value = clear ? clear[source] : row?.[source];
  return (
    <Typography component="span" variant="body2">
      {value === null || value === undefined || value === '' ? '—' : String(value)}
    </Typography>
  );
};

/** Whether a resource's field is personal (the table the server masks by, lib/pii). */
export const isPersonal = (resource: string, source: string) => source in personalFieldsOf(resource);

/** The helper text of a personal input: a masked value left as it is keeps the stored one. */
export const useMaskedHint = () => {
  const translate = useTranslate();
  return translate('registries.ui.masked_hint');
};
