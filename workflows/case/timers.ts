import { instantFrom, literalOrFeel } from '../../lib/bpmn/feel';
import type { TimerSpec } from '../../lib/bpmn/graph';
import { cycle, dateMs, durationMs } from '../../lib/bpmn/iso8601';
import type { CaseContext } from './context';
import { Incident } from './errors';

/**
 * Timer arithmetic on workflow time (Date.now() is the workflow's clock here). A value that is
 * not a date or duration is an incident naming it, not a silent wait.
 */

/**
 * Milliseconds until a timer fires (a cycle: until its first firing). `locals`: the element's
 * input-mapped variables, seen by a "=FEEL" timer over the case variables.
 */
export function timerDelay(ctx: CaseContext, timer: TimerSpec, locals?: Record<string, unknown>): number {
  const value = literalOrFeel(timer.value, locals ? { ...ctx.feelContext(), ...locals } : ctx.feelContext());
  const text = String(value ?? '');
  if (timer.kind === 'date') {
    const at = dateMs(text);
    if (at === null) throw new Incident(`timer date "${text}" is not an ISO date`);
    return Math.max(0, at - Date.now());
  }
  const ms = timer.kind === 'cycle' ? (cycle(text)?.intervalMs ?? null) : durationMs(text);
  if (ms === null || ms < 0) throw new Incident(`timer "${text}" is not a duration`);
  return ms;
}

/** How often a reminder fires (null: without end) and how far apart. */
export function repetitions(ctx: CaseContext, timer: TimerSpec): { count: number | null; intervalMs: number } {
  if (timer.kind !== 'cycle') return { count: 1, intervalMs: timerDelay(ctx, timer) };
  const c = cycle(String(literalOrFeel(timer.value, ctx.feelContext()) ?? ''));
  if (!c) throw new Incident(`timer cycle "${timer.value}" is not an ISO repeating interval`);
  return { count: c.repetitions, intervalMs: c.intervalMs };
}

/** A task's due date: an ISO date, or a duration from now. */
export function dueInstant(value: unknown, nodeId: string): string {
  const at = instantFrom(value, Date.now());
  if (at === null) throw new Incident(`due date of ${nodeId} ("${String(value)}") is neither a date nor a duration`);
  return new Date(at).toISOString();
}
