import crypto from 'node:crypto';
import type { Knex } from 'knex';

/**
 * Case numbers from a coding rule per process (E8), e.g. "ZZ-{yyyy}-{seq:6}" → ZZ-2026-000123.
 * Tokens: {yyyy} {yy} {mm} {dd} (bureau time, UTC+8), {district} (the case's district code),
 * {key} (the process key, upper case) and {seq:N} (the counter, N digits). The counter runs per
 * rendered prefix, so a rule with {yyyy} starts again at 1 each year.
 */
export const DEFAULT_CODING_RULE = '{key}-{yyyy}-{seq:6}';
const TOKENS = /\{(yyyy|yy|mm|dd|district|key|seq(?::(\d{1,2}))?)\}/g;

export function codingRuleProblem(pattern: string): string | null {
  if (pattern.length > 64) return 'at most 64 characters';
  const seqs = [...pattern.matchAll(/\{seq(?::\d{1,2})?\}/g)].length;
  if (seqs !== 1) return 'must contain {seq} or {seq:N} exactly once';
  const unknown = pattern.replace(TOKENS, '').match(/\{[^}]*\}/);
  if (unknown) return `unknown token ${unknown[0]}`;
  if (!/^[A-Za-z0-9{}:_\-/]+$/.test(pattern)) return 'letters, digits, "-", "_", "/" and tokens only';
  return null;
}

function render(pattern: string, processKey: string, districtCode: string | null, now: Date, seq: number | null): string {
  const local = new Date(now.getTime() + 8 * 3600_000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return pattern.replace(TOKENS, (_m, token: string, width?: string) => {
    switch (token) {
      case 'yyyy':
        return String(local.getUTCFullYear());
      case 'yy':
        return pad(local.getUTCFullYear() % 100);
      case 'mm':
        return pad(local.getUTCMonth() + 1);
      case 'dd':
        return pad(local.getUTCDate());
      case 'district':
        return districtCode ?? '000000';
      case 'key':
        return processKey.toUpperCase();
      default:
        return seq === null ? '{seq}' : pad(seq, Number(width ?? 6));
    }
  });
}

/** Renders a pattern for other numbering (certificate and filing numbers); a null seq leaves "{seq}". */
export const renderCodingRule = render;

export async function codingRuleOf(db: Knex | Knex.Transaction, processKey: string): Promise<string> {
  const row = (await db('case_number_rules').where('process_key', processKey).first('pattern')) as { pattern: string } | undefined;
  return row?.pattern ?? DEFAULT_CODING_RULE;
}

export async function setCodingRuleIfMissing(db: Knex, processKey: string, pattern: string): Promise<void> {
  const problem = codingRuleProblem(pattern);
  if (problem) throw new Error(`Coding rule for ${processKey} is invalid: ${problem}`);
  await db('case_number_rules').insert({ process_key: processKey, pattern }).onConflict('process_key').ignore();
}

/**
 * The next number, allocated inside the caller's transaction: the counter row is incremented
 * with LAST_INSERT_ID(expr) in one statement, so concurrent starts never share a number and a
 * rolled-back start gives its number back.
 */
export async function allocateCaseNumber(trx: Knex.Transaction, processKey: string, districtCode: string | null, now = new Date()): Promise<string> {
  const pattern = await codingRuleOf(trx, processKey);
  const prefix = render(pattern, processKey, districtCode, now, null);
  const counterKey = `${processKey}|${prefix}`.slice(0, 128);
  await trx.raw(
    'INSERT INTO case_number_counters (counter_key, last_value) VALUES (?, LAST_INSERT_ID(1)) ON DUPLICATE KEY UPDATE last_value = LAST_INSERT_ID(last_value + 1)',
    [counterKey],
  );
  const [rows] = (await trx.raw('SELECT LAST_INSERT_ID() AS seq')) as [Array<{ seq: number | string }>];
  return render(pattern, processKey, districtCode, now, Number(rows[0].seq));
}

/** The code the public quotes with a case number to look its status up (E4). */
export function newCheckCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return Array.from(crypto.randomBytes(6), (b) => alphabet[b % alphabet.length]).join('');
}
