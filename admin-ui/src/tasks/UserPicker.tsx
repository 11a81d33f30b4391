import { Autocomplete, TextField } from '@mui/material';
import { useEffect, useState } from 'react';
import { apiFetch } from '../api';

export interface UserOption {
  id: number;
  display_name: string;
  username: string;
  organisation_name: string;
}

/** Searches the users the caller may see (scoped by the API) as they type. */
export function UserPicker({ label, multiple, onChange }: { label: string; multiple?: boolean; onChange: (users: UserOption[]) => void }) {
  const [q, setQ] = useState('');
  const [options, setOptions] = useState<UserOption[]>([]);
  useEffect(() => {
    const timer = setTimeout(async () => {
      const filter = encodeURIComponent(JSON.stringify(q ? { q } : {}));
      const res = await apiFetch(`/api/users?range=[0,19]&filter=${filter}`).catch(() => null);
      setOptions(res ? ((await res.json()) as UserOption[]) : []);
    }, 200);
    return () => clearTimeout(timer);
  }, [q]);
  return (
    <Autocomplete
      multiple={multiple}
      options={options}
      filterOptions={(x) => x}
      getOptionLabel={(u) => `${u.display_name}（${u.organisation_name}）`}
      isOptionEqualToValue={(a, b) => a.id === b.id}
      onInputChange={(_, value) => setQ(value)}
      onChange={(_, value) => onChange(value === null ? [] : Array.isArray(value) ? value : [value])}
      renderInput={(params) => <TextField {...params} label={label} size="small" />}
      sx={{ minWidth: 320 }}
    />
  );
}
