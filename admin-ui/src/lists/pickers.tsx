import { useEffect, useState } from 'react';
import { DateInput, SelectInput, type DateInputProps, type SelectInputProps } from 'react-admin';
import { CASE_RESULT_FILTER } from '../../../lib/cases/statuses';
import { apiFetch } from '../api';

/**
 * Filters by name and by day, never by code (issue 14): 事项 from the process names, 区县 from
 * the region list (registries/components RegionInput), a case's result, and a day range read as
 * Beijing calendar days on the server (db/cases/lists.ts).
 */
interface Named {
  id: string;
  name: string;
}

// The names change only when a process is published: one fetch per page load.
let processNames: Promise<Named[]> | null = null;
const loadProcessNames = () =>
  (processNames ??= apiFetch('/api/process-names')
    .then((r) => (r.ok ? (r.json() as Promise<Named[]>) : []))
    .catch(() => {
      processNames = null;
      return [];
    }));

export const ProcessPicker = (props: Omit<SelectInputProps, 'choices'>) => {
  const [choices, setChoices] = useState<Named[]>([]);
  useEffect(() => {
    let live = true;
    void loadProcessNames().then((rows) => live && setChoices(rows));
    return () => {
      live = false;
    };
  }, []);
  return <SelectInput {...props} choices={choices} translateChoice={false} data-testid="process-picker" />;
};

export const RESULT_FILTER_CHOICES = CASE_RESULT_FILTER.map((id) => ({ id, name: id === 'none' ? 'lists.no_result' : `case_result.${id}` }));

export const ResultPicker = (props: Omit<SelectInputProps, 'choices'>) => <SelectInput {...props} choices={RESULT_FILTER_CHOICES} />;

/** A Beijing calendar day (YYYY-MM-DD), as the server's day filters read it. */
export const DayInput = (props: DateInputProps) => <DateInput {...props} />;
