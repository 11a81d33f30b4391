import { evaluate, unaryTest, parseExpression, parseUnaryTests, FeelDate, FeelDateTime, FeelDuration, FeelTime, isFunction, isRange } from 'feelin';

/**
 * FEEL as DMN uses it (no leading "=", unlike BPMN attributes). Deterministic: feelin reads the clock
 * only for now()/today(), and inside a workflow that clock is the workflow's.
 *
 * Values stay feelin's own (FeelDate, FeelDuration, ...) while a decision model is evaluated, so a
 * date computed by an input expression or a required decision still compares as a date; `toJson`
 * turns them into ISO strings only where they leave the evaluator.
 */

/** Camunda's FEEL dialect: standard FEEL plus backtick-quoted names (`loan amount`), which Camunda 8 accepts. */
const DIALECT = 'camunda';

export type FeelContext = Record<string, unknown>;

/** An input entry or output entry that is left blank. */
export function isBlank(text: string): boolean {
  return text.trim() === '';
}

/** The value of a FEEL expression; a missing variable gives null (as Camunda 8 does), a syntax error throws. */
export function evaluateExpression(text: string, context: FeelContext): unknown {
  return evaluate(text, context, DIALECT).value;
}

/**
 * Whether `input` passes FEEL unary tests (an input entry): true, false, or null when the test cannot
 * be decided (a null or incomparable input; Camunda counts null as no match). A blank entry or "-" matches anything.
 */
export function passesUnaryTests(text: string, input: unknown, context: FeelContext): boolean | null {
  if (isBlank(text)) return true;
  return unaryTest(text, { ...context, '?': input === undefined ? null : input }, DIALECT).value;
}

/**
 * The syntax error of a FEEL text, or null. `names` are variable names known to hold values (decision
 * results, input data), so that names with spaces in them parse as names.
 */
export function feelSyntaxError(text: string, grammar: 'expression' | 'unaryTests', names: string[] = []): string | null {
  const context = Object.fromEntries(names.map((n) => [n, null]));
  const tree = grammar === 'expression' ? parseExpression(text, context, DIALECT) : parseUnaryTests(text, context, DIALECT);
  let errorAt: number | null = null;
  tree.iterate({
    enter(node) {
      if (errorAt !== null) return false;
      if (node.type.isError) errorAt = node.from;
      return undefined;
    },
  });
  if (errorAt === null) return null;
  const at: number = errorAt;
  if (at >= text.trimEnd().length) return 'it ends too early';
  return `unexpected '${text.slice(at, at + 12)}' at character ${at + 1}`;
}

/** A FEEL value as plain JSON: temporal values become their ISO-8601 text (as lib/bpmn/feel.ts does), contexts and lists recursively. */
export function toJson(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof FeelDate || value instanceof FeelDateTime || value instanceof FeelTime || value instanceof FeelDuration) return value.iso;
  if (Array.isArray(value)) return value.map(toJson);
  // A FEEL function has no JSON form; a range has none either, so it keeps FEEL's notation.
  if (isFunction(value)) return null;
  if (isRange(value)) return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return String(value);
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, toJson(entry)]));
  }
  return value;
}

/** FEEL's type name of a value, for Camunda's check of a decision's result against its variable's typeRef. */
export function feelTypeOf(value: unknown): string | null {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (value instanceof FeelDate) return 'date';
  if (value instanceof FeelTime) return 'time';
  if (value instanceof FeelDateTime) return 'dateTime';
  if (value instanceof FeelDuration) return value.yearsMonths ? 'yearMonthDuration' : 'dayTimeDuration';
  return null;
}
