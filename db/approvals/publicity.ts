import type { Knex } from 'knex';
import { pageOf, type Page, type PageParams } from '../paging';

/**
 * What approvals publish for the public portal (table approval_publicity, P1): qualification
 * publicity, tender and award announcements. One row per case and kind, so a retried
 * activity publishes nothing twice; the portal's list is public (no scope).
 */

/** A result the public portal lists; later calls for the same case and kind keep the first. */
export async function publish(db: Knex, input: { caseId: number; kind: string; title: string; body: string; data?: Record<string, unknown>; days?: number }): Promise<void> {
  const starts = new Date();
  await db('approval_publicity')
    .insert({
      case_id: input.caseId,
      kind: input.kind,
      title: input.title.slice(0, 255),
      body: input.body,
      data: input.data ? JSON.stringify(input.data) : null,
      starts_at: starts,
      ends_at: input.days ? new Date(starts.getTime() + input.days * 86_400_000) : null,
    })
    .onConflict(['case_id', 'kind'])
    .ignore();
}

export interface PublicityFilter {
  kind?: string;
  /** Only what is still on show (no end, or an end in the future). */
  current?: boolean;
}

export interface PublicityRow {
  id: number;
  kind: string;
  title: string;
  body: string;
  starts_at: Date;
  ends_at: Date | null;
  case_number: string;
}

/**
 * One page of the portal's list, newest first by default. Served by (kind, starts_at) with a
 * kind and by (starts_at) without (migration 085); `current` filters along that index scan.
 */
export async function listPublicity(db: Knex, params: PageParams & { filter: PublicityFilter }): Promise<Page<PublicityRow>> {
  // A LEFT JOIN (the case always exists) keeps the publicity rows the driving table, read in index order.
  const q = db('approval_publicity as p').leftJoin('cases as c', 'c.id', 'p.case_id').select('p.id', 'p.kind', 'p.title', 'p.body', 'p.starts_at', 'p.ends_at', 'c.number as case_number');
  if (params.filter.kind) q.where('p.kind', params.filter.kind);
  if (params.filter.current) q.where((w) => w.whereNull('p.ends_at').orWhere('p.ends_at', '>', new Date()));
  return pageOf<PublicityRow>(q, params, { starts_at: 'p.starts_at' }, 'p.id');
}
