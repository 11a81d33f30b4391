import type { Db } from './common';

/**
 * The registries' change history (registry_changes, written by db/registries/history.ts) keeps
 * whole snapshots of a record before and after each change. Anonymising a record must reach
 * them too, or the person's ID number would live on in the history. The history's shape (who,
 * when, which fields changed) stays; only the values the caller names are replaced.
 */
export type Redact = (snapshot: Record<string, unknown>) => Record<string, unknown>;

const parse = (v: unknown): Record<string, unknown> | null => (v === null || v === undefined ? null : typeof v === 'string' ? (JSON.parse(v) as Record<string, unknown>) : (v as Record<string, unknown>));

/** Rewrites the snapshots of one record's history; answers how many history rows changed. */
export async function redactRegistryHistory(trx: Db, entity: string, entityId: number, redact: Redact): Promise<number> {
  const rows = (await trx('registry_changes').where({ entity, entity_id: entityId }).select('id', 'before_data', 'after_data')) as Array<{ id: number; before_data: unknown; after_data: unknown }>;
  let changed = 0;
  for (const row of rows) {
    const before = parse(row.before_data);
    const after = parse(row.after_data);
    const next = { before_data: before ? JSON.stringify(redact(before)) : null, after_data: after ? JSON.stringify(redact(after)) : null };
    if (next.before_data === (before ? JSON.stringify(before) : null) && next.after_data === (after ? JSON.stringify(after) : null)) continue;
    await trx('registry_changes').where('id', row.id).update(next);
    changed += 1;
  }
  return changed;
}

/** The history line of the anonymisation itself: which fields, by whom (the retention rule), no values. */
export async function recordAnonymisation(trx: Db, entity: string, entityId: number, fields: string[], by: string): Promise<void> {
  await trx('registry_changes').insert({ entity, entity_id: entityId, action: 'update', changed_fields: JSON.stringify(fields), before_data: null, after_data: null, user_id: null, username: by.slice(0, 64) });
}
