import { evaluate, FeelDateTime, FeelDuration, FeelDate } from 'feelin';
import { dateMs, durationMs } from './iso8601';

/**
 * FEEL as the process definitions use it (Camunda 8 conventions: expressions start with "=").
 * Deterministic: inside a workflow, feelin's clock is the workflow's clock.
 */
export function stripEquals(expression: string): string {
  return expression.trim().replace(/^=/, '').trim();
}

export function isExpression(text: string): boolean {
  return text.trim().startsWith('=');
}

/**
 * Camunda 8's own built-in functions that standard FEEL (feelin) lacks and Modeler files use,
 * e.g. `not(is defined(breakfastPrepared))`. Variables cannot have these names (spaces), so
 * they sit under the case's variables without shadowing any.
 */
const CAMUNDA_FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  'is defined': (value) => value !== null && value !== undefined,
  'get or else': (value, fallback) => (value === null || value === undefined ? fallback : value),
  'is empty': (list) => (Array.isArray(list) ? list.length === 0 : null),
};

/** Evaluates a FEEL expression; a missing variable gives null (feelin warns), a syntax error throws. */
export function evaluateFeel(expression: string, context: Record<string, unknown>): unknown {
  return toPlain(evaluate(stripEquals(expression), { ...CAMUNDA_FUNCTIONS, ...context }).value);
}

/** A sequence-flow or completion condition: only a literal true passes. */
export function feelCondition(expression: string, context: Record<string, unknown>): boolean {
  return evaluateFeel(expression, context) === true;
}

/** A syntax problem of an expression, or null. Used by publishing to name the element at fault. */
export function feelSyntaxProblem(expression: string): string | null {
  const body = stripEquals(expression);
  if (!body) return 'empty expression';
  try {
    evaluate(body, {});
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** A value from a text that may be a literal or a "=FEEL" expression. */
export function literalOrFeel(text: string, context: Record<string, unknown>): unknown {
  return isExpression(text) ? evaluateFeel(text, context) : text;
}

/** Milliseconds from now until a due date/deadline given as a date, a duration, or FEEL giving either. */
export function instantFrom(value: unknown, nowMs: number): number | null {
  if (typeof value === 'string') {
    const asDuration = durationMs(value);
    if (asDuration !== null) return nowMs + asDuration;
    return dateMs(value);
  }
  return null;
}

/** FEEL's temporal values become ISO strings, so they survive JSON (workflow state, history). */
function toPlain(value: unknown): unknown {
  if (value instanceof FeelDateTime || value instanceof FeelDuration || value instanceof FeelDate) {
    return String((value as { iso?: string }).iso ?? value.toString());
  }
  if (Array.isArray(value)) return value.map(toPlain);
  return value;
}
