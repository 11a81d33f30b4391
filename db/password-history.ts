import type { Knex } from 'knex';

/**
 * Earlier passwords of each account (`user_password_history`), as argon2id hashes, so that a new
 * password may not repeat one of the last N (PASSWORD_HISTORY). The current password is in
 * `users.password_hash`; this table holds the ones before it, pruned to what the check needs.
 */
type Db = Knex | Knex.Transaction;

/** The `limit` most recent earlier hashes, newest first. */
export async function recentPasswordHashes(db: Db, userId: number, limit: number): Promise<string[]> {
  if (limit <= 0) return [];
  return (await db('user_password_history').where('user_id', userId).orderBy('id', 'desc').limit(limit).pluck('password_hash')) as string[];
}

/** Remembers a password being replaced, and forgets what is older than the last `keep`. */
export async function rememberPassword(trx: Knex.Transaction, userId: number, passwordHash: string, keep: number): Promise<void> {
  await trx('user_password_history').insert({ user_id: userId, password_hash: passwordHash });
  const kept = (await trx('user_password_history').where('user_id', userId).orderBy('id', 'desc').limit(Math.max(keep, 1)).pluck('id')) as number[];
  await trx('user_password_history').where('user_id', userId).whereNotIn('id', kept).delete();
}
