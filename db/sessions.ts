import type { Knex } from 'knex';
import { SESSION_USER_FIELDS, type SessionUserRow } from './accounts';

/**
 * Sign-in sessions (`sessions`). Only the SHA-256 of a cookie's token is stored (hashing is the
 * caller's, api/auth/sessions.ts), so a leaked table cannot be replayed as sessions.
 */
type Db = Knex | Knex.Transaction;

export async function insertSession(db: Db, s: { tokenHash: string; userId: number; expiresAt: Date; ip: string | null; userAgent: string | null }): Promise<void> {
  await db('sessions').insert({ token_hash: s.tokenHash, user_id: s.userId, expires_at: s.expiresAt, ip: s.ip, user_agent: s.userAgent });
}

/**
 * The account behind a live session: unknown, expired (past its absolute lifetime, or idle for
 * more than `idleMinutes`) and disabled accounts' sessions answer nothing.
 */
export async function liveSessionUser(db: Knex, tokenHash: string, idleMinutes: number): Promise<SessionUserRow | undefined> {
  return (await db('users as u')
    .join('organisations as o', 'o.id', 'u.organisation_id')
    .join('sessions as s', 's.user_id', 'u.id')
    .where('s.token_hash', tokenHash)
    .where('s.expires_at', '>', db.fn.now(3))
    .where('s.last_seen_at', '>', db.raw('NOW(3) - INTERVAL ? MINUTE', [idleMinutes]))
    .where('u.active', true)
    .first(SESSION_USER_FIELDS)) as SessionUserRow | undefined;
}

/**
 * Marks a session as used now, for the idle timeout. At most once every 30 seconds per session:
 * the timeout counts in minutes, and a write per request would be wasted on busy pages.
 */
export async function touchSession(db: Knex, tokenHash: string): Promise<void> {
  await db('sessions')
    .where('token_hash', tokenHash)
    .where('last_seen_at', '<', db.raw('NOW(3) - INTERVAL 30 SECOND'))
    .update({ last_seen_at: db.fn.now(3) });
}

/**
 * Deletes up to `batch` sessions past their absolute lifetime and up to `batch` idle ones (each
 * an index range of migration 001 / 095), so a purge never holds locks over a large table for
 * long; the timer calls it again until it finds fewer than a batch. Returns how many went.
 */
export async function purgeExpiredSessions(db: Knex, idleMinutes: number, batch = 500): Promise<number> {
  const expired = await db('sessions').where('expires_at', '<=', db.fn.now(3)).limit(batch).delete();
  const idle = await db('sessions')
    .where('last_seen_at', '<=', db.raw('NOW(3) - INTERVAL ? MINUTE', [idleMinutes]))
    .limit(batch)
    .delete();
  return Number(expired) + Number(idle);
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db('sessions').where('token_hash', tokenHash).delete();
}

/** Ends every session of an account, but the one making the request when it is named. */
export async function deleteUserSessions(db: Db, userId: number, exceptTokenHash?: string): Promise<void> {
  const q = db('sessions').where('user_id', userId);
  if (exceptTokenHash) q.whereNot('token_hash', exceptTokenHash);
  await q.delete();
}

/** An active account as a session would see it, for work done in its name without a request (a credit notice started later). */
export async function activeAccountUser(db: Knex, userId: number): Promise<SessionUserRow | undefined> {
  return (await db('users as u').join('organisations as o', 'o.id', 'u.organisation_id').where('u.id', userId).where('u.active', true).first(SESSION_USER_FIELDS)) as SessionUserRow | undefined;
}
