import type { Knex } from 'knex';
import { pageOf, type Page, type PageParams } from './paging';

/**
 * The operation log (`operation_log`, R2): append-only (triggers refuse UPDATE and DELETE), one
 * row per write and per denied attempt, so it grows to millions of rows. Its list is therefore
 * always one indexed range read: each filter that narrows it has an index that also serves the
 * default order, newest first (migration 088), and the total is bounded (db/paging.ts).
 */
export interface OperationRow {
  user_id: number | null;
  username: string | null;
  role: string | null;
  organisation_id: number | null;
  ip: string;
  method: string;
  path: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  result: 'ok' | 'denied' | 'failed';
  status: number;
  request_id: string | null;
  /** Already serialised JSON, or null. */
  detail: string | null;
}

/** Inside the caller's transaction when there is one, so a change and its log line commit together. */
export async function insertOperation(db: Knex | Knex.Transaction, row: OperationRow): Promise<void> {
  await db('operation_log').insert(row);
}

export const OPERATION_SORTABLE = ['id', 'at', 'username', 'action', 'result', 'status'] as const;
const COLUMNS = Object.fromEntries(OPERATION_SORTABLE.map((c) => [c, c]));

export interface OperationFilter {
  username?: string;
  user_id?: number;
  action?: string;
  result?: 'ok' | 'denied' | 'failed';
  target_type?: string;
  target_id?: string;
  /** ISO instants: from inclusive, to exclusive. */
  from?: string;
  to?: string;
}

export type LoggedOperation = Omit<OperationRow, 'detail'> & { id: number; at: Date; detail: unknown };

export async function listOperations(db: Knex, params: PageParams & { filter: OperationFilter }): Promise<Page<LoggedOperation>> {
  const f = params.filter;
  const q = db('operation_log').select('id');
  if (f.username) q.where('username', f.username);
  if (f.user_id) q.where('user_id', f.user_id);
  if (f.action) q.where('action', f.action);
  if (f.result) q.where('result', f.result);
  if (f.target_type) q.where('target_type', f.target_type);
  if (f.target_id) q.where('target_id', f.target_id);
  if (f.from) q.where('at', '>=', new Date(f.from));
  if (f.to) q.where('at', '<', new Date(f.to));
  // The page is chosen on ids alone (a range of one index), then only its rows are read: a deep
  // page of a filtered log then skips index entries, not thousands of whole rows.
  const page = await pageOf<{ id: number }>(q, params, COLUMNS, 'id');
  if (!page.rows.length) return { ...page, rows: [] };
  const full = (await db('operation_log')
    .whereIn(
      'id',
      page.rows.map((r) => r.id),
    )
    .select('*')) as Array<Record<string, unknown>>;
  const byId = new Map(full.map((r) => [Number(r.id), r]));
  const rows = page.rows
    .map((r) => byId.get(Number(r.id)))
    .filter((r): r is Record<string, unknown> => r !== undefined)
    // mysql2 answers a JSON column as text on MariaDB (where JSON is LONGTEXT), parsed on MySQL.
    .map((r) => ({ ...r, detail: typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail }) as LoggedOperation);
  return { ...page, rows };
}
