import type { Knex } from 'knex';
import { pageOf, type Page } from '../paging';
import type { Actor } from './actor';

/**
 * The registries' change history (D5 "有据可依、变化可查"): one row per create, update, review,
 * import or approval write, with the whole record before and after and the names of the fields
 * that changed. Always written with the transaction of the change it describes, so there is no
 * change without its history and no history of a change that rolled back.
 */
export type ChangeAction = 'create' | 'update' | 'review' | 'import' | 'approval';

export type Snapshot = Record<string, unknown>;

/** Field names whose values differ; values are compared by their JSON form (arrays of children included). */
export function changedFields(before: Snapshot | null, after: Snapshot): string[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify(before?.[k] ?? null) !== JSON.stringify(after[k] ?? null)).sort();
}

export async function recordChange(trx: Knex.Transaction, entry: { entity: string; entityId: number; action: ChangeAction; before: Snapshot | null; after: Snapshot | null; fields: string[]; actor: Actor }): Promise<void> {
  await trx('registry_changes').insert({
    entity: entry.entity,
    entity_id: entry.entityId,
    action: entry.action,
    changed_fields: JSON.stringify(entry.fields),
    before_data: entry.before ? JSON.stringify(entry.before) : null,
    after_data: entry.after ? JSON.stringify(entry.after) : null,
    user_id: entry.actor.userId,
    username: entry.actor.username?.slice(0, 64) ?? null,
    case_ref: entry.actor.caseRef ?? null,
    request_id: entry.actor.requestId?.slice(0, 64) ?? null,
  });
}

export interface ChangeRow {
  id: number;
  entity: string;
  entity_id: number;
  action: ChangeAction;
  changed_fields: string[];
  before: Snapshot | null;
  after: Snapshot | null;
  user_id: number | null;
  username: string | null;
  case_ref: string | null;
  at: Date;
}

const parse = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'string' ? JSON.parse(v) : v);

/**
 * A page of one record's history, newest first: a range of the (entity, entity_id, id) index,
 * with a bounded total (a record imported every night gathers thousands of rows).
 */
export async function historyOf(db: Knex, entity: string, entityId: number, params: { offset: number; limit: number }): Promise<Page<ChangeRow>> {
  const q = db('registry_changes').where({ entity, entity_id: entityId }).select('id');
  const page = await pageOf<{ id: number }>(q, { ...params, sort: ['id', 'DESC'] }, { id: 'id' }, 'id');
  // Only the page's rows are read in full: each carries two whole snapshots of the record.
  const full = page.rows.length
    ? ((await db('registry_changes')
        .whereIn(
          'id',
          page.rows.map((r) => r.id),
        )
        .orderBy('id', 'desc')
        .select('id', 'entity', 'entity_id', 'action', 'changed_fields', 'before_data', 'after_data', 'user_id', 'username', 'case_ref', 'at')) as Array<Record<string, unknown>>)
    : [];
  return {
    ...page,
    rows: full.map((r) => ({
      id: Number(r.id),
      entity: String(r.entity),
      entity_id: Number(r.entity_id),
      action: r.action as ChangeAction,
      changed_fields: (parse(r.changed_fields) as string[] | null) ?? [],
      before: parse(r.before_data) as Snapshot | null,
      after: parse(r.after_data) as Snapshot | null,
      user_id: (r.user_id as number | null) ?? null,
      username: (r.username as string | null) ?? null,
      case_ref: (r.case_ref as string | null) ?? null,
      at: r.at as Date,
    })),
  };
}
