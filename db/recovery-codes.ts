import type { Knex } from 'knex';

/**
 * The administrators' single-use recovery codes (`user_recovery_codes`), stored as SHA-256
 * (lib/second-factor.ts `recoveryCodeHash`). Enrolment replaces an account's set; using one marks
 * it in one conditional UPDATE, so two sign-ins with the same code cannot both succeed.
 */
type Db = Knex | Knex.Transaction;

export async function replaceRecoveryCodes(trx: Knex.Transaction, userId: number, hashes: string[]): Promise<void> {
  await trx('user_recovery_codes').where('user_id', userId).delete();
  if (hashes.length) await trx('user_recovery_codes').insert(hashes.map((code_hash) => ({ user_id: userId, code_hash })));
}

/** True when the code was unused (and is now used). */
export async function useRecoveryCode(db: Db, userId: number, hash: string): Promise<boolean> {
  const changed = await db('user_recovery_codes').where({ user_id: userId, code_hash: hash }).whereNull('used_at').update({ used_at: new Date() });
  return changed === 1;
}

export async function unusedRecoveryCodes(db: Db, userId: number): Promise<number> {
  const row = (await db('user_recovery_codes').where('user_id', userId).whereNull('used_at').count({ n: '*' }).first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}

export async function deleteRecoveryCodes(trx: Knex.Transaction, userId: number): Promise<void> {
  await trx('user_recovery_codes').where('user_id', userId).delete();
}
