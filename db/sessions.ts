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

/** The account behind a live session: unknown, expired and disabled accounts' sessions answer nothing. */
export async function liveSessionUser(db: Knex, tokenHash: string): Promise<SessionUserRow | undefined> {
  return (await db('users as u')
    .join('organisations as o', 'o.id', 'u.organisation_id')
    .join('sessions as s', 's.user_id', 'u.id')
    .where('s.token_hash', tokenHash)
    .where('s.expires_at', '>', db.fn.now(3))
    .where('u.active', true)
    .first(SESSION_USER_FIELDS)) as SessionUserRow | undefined;
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
