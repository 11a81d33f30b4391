import type { Knex } from 'knex';

/**
 * The account lockout's counter and lock (R2), each changed by ONE statement so that guesses
 * sent in parallel are all counted and none of them clears a lock another one set.
 *
 * MySQL and MariaDB evaluate a single-table UPDATE's assignments left to right, each seeing the
 * columns already assigned: `failed_attempts` is counted first (restarting at 1 once an old lock
 * has run out), and `locked_until` then reads the new count.
 */
export async function recordFailedSignIn(db: Knex, userId: number, threshold: number, lockMinutes: number): Promise<Date | null> {
  await db.raw(
    `UPDATE users SET
       failed_attempts = CASE WHEN locked_until IS NOT NULL AND locked_until <= UTC_TIMESTAMP(3) THEN 1 ELSE failed_attempts + 1 END,
       locked_until = CASE
         WHEN locked_until IS NOT NULL AND locked_until > UTC_TIMESTAMP(3) THEN locked_until
         WHEN failed_attempts >= ? THEN UTC_TIMESTAMP(3) + INTERVAL ? MINUTE
         ELSE NULL END
     WHERE id = ?`,
    [threshold, lockMinutes, userId],
  );
  const row = (await db('users').where('id', userId).first('locked_until')) as { locked_until: Date | null };
  return row.locked_until && row.locked_until > new Date() ? row.locked_until : null;
}

/** A right password: resets the counter unless a lock is in force (set meanwhile); false then. */
export async function recordSuccessfulSignIn(db: Knex | Knex.Transaction, userId: number): Promise<boolean> {
  const changed = await db('users')
    .where('id', userId)
    .where((w) => w.whereNull('locked_until').orWhere('locked_until', '<=', db.raw('UTC_TIMESTAMP(3)')))
    .update({ failed_attempts: 0, locked_until: null, last_login_at: new Date() });
  return changed === 1;
}
