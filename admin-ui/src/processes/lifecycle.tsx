import { Chip } from '@mui/material';
import { useLocaleState, useRecordContext, useTranslate } from 'react-admin';
import { PROCESS_CATEGORIES, PROCESS_STATUSES, processCategoryLabel, type ProcessStatus } from '../../../lib/processes/lifecycle';

/**
 * The lifecycle's lists as the UI offers them: the statuses and categories of
 * lib/processes/lifecycle.ts, the ones the API checks against. Status names are messages of
 * processes.status.*; category labels come with the shared list.
 */
export const STATUS_CHOICES = PROCESS_STATUSES.map((id) => ({ id, name: `processes.status.${id}` }));

export function useCategoryChoices() {
  const [locale] = useLocaleState();
  return PROCESS_CATEGORIES.map((c) => ({ id: c.id, name: processCategoryLabel(c.id, locale) }));
}

const STATUS_COLOURS: Record<ProcessStatus, 'default' | 'success' | 'warning'> = { draft: 'warning', enabled: 'success', disabled: 'default' };

export const StatusChip = ({ status }: { status: ProcessStatus | undefined }) => {
  const translate = useTranslate();
  if (!status) return null;
  return <Chip size="small" color={STATUS_COLOURS[status]} label={translate(`processes.status.${status}`)} data-testid="process-status" />;
};

/** The record's status as a chip (lists and the process page). */
export const StatusField = (_: { source?: string; label?: string }) => {
  const record = useRecordContext<{ status?: ProcessStatus }>();
  return <StatusChip status={record?.status} />;
};

/** The record's category in the interface's language; 未分类 while nobody has chosen one. */
export const CategoryField = (_: { source?: string; label?: string }) => {
  const record = useRecordContext<{ category?: string | null }>();
  const [locale] = useLocaleState();
  const translate = useTranslate();
  if (!record) return null;
  return <span>{record.category ? processCategoryLabel(record.category, locale) : translate('processes.category_none')}</span>;
};
