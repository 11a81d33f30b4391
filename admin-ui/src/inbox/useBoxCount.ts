import { useGetList } from 'react-admin';
import type { InboxBox } from './boxes';

/**
 * How many items a box holds under a filter: the total of a one-row page (Content-Range),
 * refreshed every minute; null while it loads. Past the server's count bound the total is
 * unknown, and the count reads 1000 (shown as "999+").
 */
export function useBoxCount(box: InboxBox, filter: Record<string, unknown> = {}): number | null {
  const { total, pageInfo, isPending } = useGetList(`inbox/${box}`, { pagination: { page: 1, perPage: 1 }, filter }, { refetchInterval: 60_000 });
  if (isPending) return null;
  return total ?? (pageInfo?.hasNextPage ? 1000 : 0);
}
