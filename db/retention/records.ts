import type { Db } from './common';

/**
 * The retention machinery's own records (migration 112): one row per scheduled run with its
 * counts, one per approved deletion request with what it anonymised. Counts and ids only.
 */
export type Counts = Record<string, number>;

const parse = (v: unknown): Counts => (typeof v === 'string' ? (JSON.parse(v) as Counts) : ((v ?? {}) as Counts));

/** Starts (or, for a retried run, reopens) the run's row. */
export async function openRun(db: Db, runKey: string, settings: Record<string, unknown>): Promise<void> {
  await db('retention_runs')
    .insert({ run_key: runKey, counts: '{}', settings: JSON.stringify(settings) })
    .onConflict('run_key')
    .merge({ settings: JSON.stringify(settings), finished_at: null });
}

/** Adds a batch's counts to the run (a retried run counts only what it changes itself). */
export async function addRunCounts(db: Db, runKey: string, counts: Counts): Promise<Counts> {
  return (db as Db).transaction(async (trx) => {
    const row = (await trx('retention_runs').where('run_key', runKey).forUpdate().first('counts')) as { counts: unknown };
    const total = parse(row.counts);
    for (const [k, n] of Object.entries(counts)) total[k] = (total[k] ?? 0) + n;
    await trx('retention_runs')
      .where('run_key', runKey)
      .update({ counts: JSON.stringify(total) });
    return total;
  });
}

export async function finishRun(db: Db, runKey: string): Promise<Counts> {
  await db('retention_runs')
    .where('run_key', runKey)
    .update({ finished_at: db.fn.now(3) });
  const row = (await db('retention_runs').where('run_key', runKey).first('counts')) as { counts: unknown };
  return parse(row.counts);
}

export async function erasureOf(db: Db, caseId: number): Promise<{ user_id: number; counts: Counts } | undefined> {
  const row = (await db('personal_data_erasures').where('case_id', caseId).first('user_id', 'counts')) as { user_id: number; counts: unknown } | undefined;
  return row ? { user_id: row.user_id, counts: parse(row.counts) } : undefined;
}

export async function recordErasure(db: Db, caseId: number, userId: number, counts: Counts): Promise<void> {
  await db('personal_data_erasures')
    .insert({ case_id: caseId, user_id: userId, counts: JSON.stringify(counts) })
    .onConflict('case_id')
    .ignore();
}
