import { useRecordContext } from 'react-admin';
import { beijingTime } from './beijing-time';

/**
 * A moment in a list or a page: Beijing time, `2026-11-23 17:21`, in every language and zone
 * (admin-ui/src/beijing-time.ts). Props as react-admin's fields take them (source, label).
 */
export const DateTimeField = ({ source }: { source: string; label?: string; sortable?: boolean; sortBy?: string }) => {
  const record = useRecordContext<Record<string, unknown>>();
  const value = source.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), record);
  return <span className="psp-datetime">{beijingTime(value as string | null | undefined)}</span>;
};
