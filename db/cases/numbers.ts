import type { Knex } from 'knex';
import { DEFAULT_CODING_RULE, renderCodingRule } from '../../lib/cases/case-numbers';
import { storedCodingRule } from '../processes';

/**
 * The next case number, allocated inside the caller's transaction (table case_number_counters;
 * the rules themselves are the process's, db/processes.ts). The counter row is incremented with
 * LAST_INSERT_ID(expr) in one statement, so concurrent starts never share a number and a
 * rolled-back start gives its number back.
 */
export async function allocateCaseNumber(trx: Knex.Transaction, processKey: string, districtCode: string | null, now = new Date()): Promise<string> {
  const pattern = (await storedCodingRule(trx, processKey)) ?? DEFAULT_CODING_RULE;
  const prefix = renderCodingRule(pattern, processKey, districtCode, now, null);
  const seq = await nextCounterValue(trx, `${processKey}|${prefix}`);
  return renderCodingRule(pattern, processKey, districtCode, now, seq);
}

/**
 * The next value of a named counter (case numbers; certificate and filing numbers under keys of
 * their own), in one statement on the caller's transaction connection.
 */
export async function nextCounterValue(trx: Knex.Transaction, key: string): Promise<number> {
  await trx.raw('INSERT INTO case_number_counters (counter_key, last_value) VALUES (?, LAST_INSERT_ID(1)) ON DUPLICATE KEY UPDATE last_value = LAST_INSERT_ID(last_value + 1)', [key.slice(0, 128)]);
  const [rows] = (await trx.raw('SELECT LAST_INSERT_ID() AS seq')) as [Array<{ seq: number | string }>];
  return Number(rows[0].seq);
}
