import AttachFileIcon from '@mui/icons-material/AttachFile';
import { Box, Button, Chip, Stack } from '@mui/material';
import { useRef, useState } from 'react';
import { useNotify, useTranslate } from 'react-admin';

export interface Attachment {
  name: string;
  fileId: string;
}

/** Stores one file (POST /api/files); answers its id and name as the server keeps them. */
export async function uploadFile(file: File): Promise<{ id: string; name: string }> {
  const res = await fetch(`/api/files?name=${encodeURIComponent(file.name)}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': file.type || 'application/octet-stream', 'X-Requested-With': 'fetch' },
    body: file,
  });
  if (!res.ok) throw new Error(((await res.json().catch(() => ({}))) as { error?: { message?: string } }).error?.message ?? res.statusText);
  return (await res.json()) as { id: string; name: string };
}

/** Picks files, uploads each to /api/files and reports the attachments (name + file id). */
export function AttachmentsInput({ value, onChange }: { value: Attachment[]; onChange: (next: Attachment[]) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const notify = useNotify();
  const translate = useTranslate();

  const upload = async (files: FileList | null) => {
    if (!files?.length) return;
    setBusy(true);
    try {
      const added: Attachment[] = [];
      for (const file of Array.from(files)) {
        const stored = await uploadFile(file);
        added.push({ name: stored.name, fileId: stored.id });
      }
      onChange([...value, ...added]);
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  };

  return (
    <Box>
      <input ref={input} type="file" multiple hidden onChange={(e) => void upload(e.target.files)} data-testid="attachments-file" />
      <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap', alignItems: 'center' }}>
        <Button size="small" startIcon={<AttachFileIcon />} onClick={() => input.current?.click()} disabled={busy}>
          {translate('cases.attach')}
        </Button>
        {value.map((a, i) => (
          <Chip key={a.fileId} label={a.name} size="small" onDelete={() => onChange(value.filter((_, j) => j !== i))} />
        ))}
      </Stack>
    </Box>
  );
}

/** Links to download attachments listed in a case or a history entry. */
export function AttachmentLinks({ attachments }: { attachments?: Array<{ name: string; fileId?: string; url?: string }> | null }) {
  if (!attachments?.length) return null;
  return (
    <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap' }}>
      {attachments.map((a, i) => (
        <Chip key={i} size="small" icon={<AttachFileIcon />} label={a.name} component="a" href={a.fileId ? `/api/files/${a.fileId}` : a.url} clickable />
      ))}
    </Stack>
  );
}
