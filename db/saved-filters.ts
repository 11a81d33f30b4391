import type { Knex } from 'knex';

/**
 * A user's saved filters of a list (db/migrations/123_saved_filters.ts). Every query names the
 * owner: nobody reads, replaces or deletes another user's filters.
 */
type Db = Knex | Knex.Transaction;

/** At most this many per user and list: a menu, not a store. */
export const SAVED_FILTERS_PER_LIST = 30;

export interface SavedFilter {
  id: number;
  list_key: string;
  name: string;
  filter: Record<string, unknown>;
  created_at: Date;
}

const parsed = (row: Record<string, unknown>): SavedFilter => ({
  ...(row as unknown as SavedFilter),
  id: Number(row.id),
  filter: typeof row.filter === 'string' ? (JSON.parse(row.filter) as Record<string, unknown>) : (row.filter as Record<string, unknown>),
});

export async function savedFiltersOf(db: Db, userId: number, listKey: string): Promise<SavedFilter[]> {
  const rows = (await db('saved_filters').where({ user_id: userId, list_key: listKey }).orderBy('name').limit(SAVED_FILTERS_PER_LIST).select('id', 'list_key', 'name', 'filter', 'created_at')) as Array<Record<string, unknown>>;
  return rows.map(parsed);
}

/**
 * Saves (or, under a name the user already gave this list, replaces) a filter; answers null when
 * the list already holds its maximum of other names.
 */
export async function saveFilter(trx: Knex.Transaction, userId: number, listKey: string, name: string, filter: Record<string, unknown>): Promise<SavedFilter | null> {
  // The user's rows of this list are locked, so two saves cannot both pass the count.
  const existing = (await trx('saved_filters').where({ user_id: userId, list_key: listKey }).forUpdate().select('id', 'name')) as Array<{ id: number; name: string }>;
  const same = existing.find((r) => r.name === name);
  if (same)
    await trx('saved_filters')
      .where({ id: same.id, user_id: userId })
      .update({ filter: JSON.stringify(filter) });
  else if (existing.length >= SAVED_FILTERS_PER_LIST) return null;
  else await trx('saved_filters').insert({ user_id: userId, list_key: listKey, name, filter: JSON.stringify(filter) });
  const row = (await trx('saved_filters').where({ user_id: userId, list_key: listKey, name }).first('id', 'list_key', 'name', 'filter', 'created_at')) as Record<string, unknown>;
  return parsed(row);
}

/** Deletes one of the user's own filters; false when it is not theirs or not there. */
export async function deleteSavedFilter(db: Db, userId: number, id: number): Promise<boolean> {
  return (await db('saved_filters').where({ id, user_id: userId }).delete()) > 0;
}
