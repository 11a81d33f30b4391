import type { Knex } from 'knex';

/**
 * The rate limits' hit counters (table rate_limit_counters), shared by every API process: a
 * fixed window per key, counted by one upsert so that concurrent requests are all counted.
 * As in db/sign-in-attempts.ts, the assignments are evaluated left to right: `hits` reads the
 * old `reset_at` to see whether the window has run out, then `reset_at` moves on.
 */
export interface Hits {
  totalHits: number;
  resetTime: Date;
}

export async function countHit(db: Knex, key: string, windowMs: number): Promise<Hits> {
  const micros = Math.round(windowMs * 1000);
  // One transaction: the upsert's row lock is held until the read-back, so each of many
  // concurrent requests reads its own count (1, 2, 3 …), not the count after all of them.
  return db.transaction(async (trx) => {
    await trx.raw(
      `INSERT INTO rate_limit_counters (counter_key, hits, reset_at) VALUES (?, 1, UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND)
       ON DUPLICATE KEY UPDATE
         hits = IF(reset_at <= UTC_TIMESTAMP(3), 1, hits + 1),
         reset_at = IF(reset_at <= UTC_TIMESTAMP(3), UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND, reset_at)`,
      [key, micros, micros],
    );
    const row = (await trx('rate_limit_counters').where('counter_key', key).first('hits', 'reset_at')) as { hits: number; reset_at: Date };
    return { totalHits: row.hits, resetTime: row.reset_at };
  });
}

export async function readHits(db: Knex, key: string): Promise<Hits | undefined> {
  const row = (await db('rate_limit_counters').where('counter_key', key).where('reset_at', '>', db.raw('UTC_TIMESTAMP(3)')).first('hits', 'reset_at')) as { hits: number; reset_at: Date } | undefined;
  return row ? { totalHits: row.hits, resetTime: row.reset_at } : undefined;
}

/** Takes back one hit (a request the limit does not count after all, e.g. a successful sign-in). */
export async function uncountHit(db: Knex, key: string): Promise<void> {
  await db('rate_limit_counters').where('counter_key', key).where('hits', '>', 0).decrement('hits', 1);
}

export async function resetHits(db: Knex, key: string): Promise<void> {
  await db('rate_limit_counters').where('counter_key', key).delete();
}

/** Windows that ran out long ago; bounded so a sweep never holds locks for long. */
export async function sweepExpiredHits(db: Knex): Promise<number> {
  return db('rate_limit_counters').where('reset_at', '<', db.raw('UTC_TIMESTAMP(3) - INTERVAL 1 HOUR')).limit(1000).delete();
}
