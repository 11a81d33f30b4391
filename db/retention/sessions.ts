import type { Db } from './common';

/**
 * Sign-in sessions (sessions: client address and user agent). A session is needed until it
 * expires; the sign-in itself is recorded in the operation log, which has its own retention.
 * Expired sessions older than the retention are deleted, a bounded number per statement.
 */
export async function deleteExpiredSessions(db: Db, before: Date, limit: number): Promise<number> {
  return db('sessions').where('expires_at', '<', before).limit(limit).delete();
}
