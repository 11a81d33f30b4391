import type { Knex } from 'knex';
import { codingRuleProblem, renderCodingRule } from '../cases/case-numbers';
import { nextCounterValue } from '../../db/cases/numbers';

/**
 * Certificate and filing numbers (E8). Each issuing step names its rule in the BPMN (task
 * header `numberRule`, same tokens as case numbers: {yyyy} {yy} {mm} {dd} {district} {seq:N}),
 * so a bureau changes a number format by publishing a new process version. The counter shares
 * case_number_counters, under a key of its own per document kind and rendered prefix.
 */
export function numberRuleProblem(pattern: string): string | null {
  return codingRuleProblem(pattern);
}

/** The next number of a kind; call inside the transaction that records the document. */
export async function allocateDocumentNumber(trx: Knex.Transaction, pattern: string, kind: string, districtCode: string | null, now = new Date()): Promise<string> {
  const problem = codingRuleProblem(pattern);
  if (problem) throw new Error(`number rule "${pattern}" for ${kind} is invalid: ${problem}`);
  const prefix = renderCodingRule(pattern, kind, districtCode, now, null);
  return renderCodingRule(pattern, kind, districtCode, now, await nextCounterValue(trx, `doc:${kind}|${prefix}`));
}
