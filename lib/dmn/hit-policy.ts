import { toJson } from './feel';
import type { DecisionTable, Rule } from './model';

/** A matched rule with its output entries' values, in the table's output order (FEEL values, not yet JSON). */
export interface RuleResult {
  rule: Rule;
  outputs: unknown[];
}

/** Raises the evaluator's DecisionError naming the element at fault. */
export type Fail = (elementId: string | null, message: string) => never;

/**
 * The table's result from the rules that matched (at least one), as Camunda's engine (dmn-scala) shapes it:
 * a single-result hit policy gives one rule's output (its value with one output, else a context of
 * all outputs by name); a multi-result one gives a list of those; COLLECT with an aggregation gives a number.
 */
export function applyHitPolicy(table: DecisionTable, results: RuleResult[], fail: Fail): unknown {
  switch (table.hitPolicy) {
    case 'FIRST':
      return single(table, results);
    case 'UNIQUE':
      if (results.length > 1) fail(table.id, `hit policy UNIQUE allows one matching rule, but ${results.length} matched: ${ruleIds(results)}`);
      return single(table, results);
    case 'ANY':
      return any(table, results, fail);
    case 'PRIORITY':
      return single(table, byPriority(table, results));
    case 'OUTPUT ORDER':
      return list(table, byPriority(table, results));
    case 'RULE ORDER':
      return list(table, results);
    case 'COLLECT':
      return collect(table, results, fail);
  }
}

/** One rule's outputs as the result has them: the value itself for a single output, else a context by output name. */
export function shapeOutputs(table: DecisionTable, outputs: unknown[]): unknown {
  if (table.outputs.length === 1) return outputs[0] ?? null;
  return Object.fromEntries(table.outputs.map((output, i) => [output.name ?? output.id, outputs[i] ?? null]));
}

function single(table: DecisionTable, results: RuleResult[]): unknown {
  return results.length ? shapeOutputs(table, results[0].outputs) : null;
}

function list(table: DecisionTable, results: RuleResult[]): unknown {
  // Camunda gives null, not an empty list, when nothing matched.
  return results.length ? results.map((r) => shapeOutputs(table, r.outputs)) : null;
}

function any(table: DecisionTable, results: RuleResult[], fail: Fail): unknown {
  const first = results[0];
  const differing = results.find((r) => !sameJson(toJson(r.outputs), toJson(first?.outputs)));
  if (first && differing) {
    fail(table.id, `hit policy ANY requires the matching rules to give equal outputs, but rules ${first.rule.id} and ${differing.rule.id} differ`);
  }
  return single(table, results);
}

function collect(table: DecisionTable, results: RuleResult[], fail: Fail): unknown {
  const aggregation = table.aggregation;
  if (!aggregation) return list(table, results);
  if (aggregation === 'COUNT') return results.length;
  if (table.outputs.length !== 1) fail(table.id, `hit policy COLLECT ${aggregation} needs a table with a single output, but it has ${table.outputs.length}`);
  const numbers = results.map((r) => {
    const value = r.outputs[0];
    if (typeof value !== 'number') fail(r.rule.id, `hit policy COLLECT ${aggregation} adds up numbers, but rule ${r.rule.id} gave ${JSON.stringify(toJson(value))}`);
    return value as number;
  });
  if (!numbers.length) return null;
  if (aggregation === 'SUM') return numbers.reduce((sum, n) => sum + n, 0);
  return aggregation === 'MIN' ? Math.min(...numbers) : Math.max(...numbers);
}

/**
 * Rules ranked by their outputs' positions in the outputs' value lists, the first output deciding
 * first; a value not in its list ranks after every listed one. A stable sort, so equal ranks keep rule order.
 */
function byPriority(table: DecisionTable, results: RuleResult[]): RuleResult[] {
  const ranks = (r: RuleResult) => table.outputs.map((output, i) => priorityOf(output.outputValues, r.outputs[i]));
  const ranked = results.map((r) => ({ r, rank: ranks(r) }));
  ranked.sort((a, b) => {
    for (let i = 0; i < a.rank.length; i++) if (a.rank[i] !== b.rank[i]) return a.rank[i] - b.rank[i];
    return 0;
  });
  return ranked.map((x) => x.r);
}

function priorityOf(values: string[], value: unknown): number {
  const index = typeof value === 'string' ? values.indexOf(value) : typeof value === 'number' ? values.findIndex((v) => v.trim() !== '' && Number(v) === value) : -1;
  return index < 0 ? Number.MAX_SAFE_INTEGER : index;
}

function ruleIds(results: RuleResult[]): string {
  return results.map((r) => r.rule.id).join(', ');
}

/** Deep equality of JSON values (contexts compared by keys, not key order). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    const bo = b as Record<string, unknown>;
    return ka.length === kb.length && ka.every((k) => k in bo && sameJson((a as Record<string, unknown>)[k], bo[k]));
  }
  return false;
}
