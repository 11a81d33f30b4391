import type { Knex } from 'knex';
import { casesAwaitingSignal } from '../../db/cases/cases';

/** How many waiting cases one signal throw event of a case reaches (POST /api/signals pages through all). */
export const CASE_SIGNAL_FANOUT = 500;

/**
 * The cases a signal thrown by a case reaches: those subscribed to it now, the thrower left out
 * (it takes its own signal itself). Read-only, so retrying it is harmless; the workflow signals
 * them, which its history records once.
 */
export function createSignalTargets(db: Knex) {
  return async function signalTargets(input: { name: string; caseId: number }): Promise<{ workflowIds: string[]; more: boolean }> {
    const rows = await casesAwaitingSignal(db, input.name, 0, CASE_SIGNAL_FANOUT + 1);
    const others = rows.filter((r) => r.id !== input.caseId);
    return { workflowIds: others.slice(0, CASE_SIGNAL_FANOUT).map((r) => r.workflow_id), more: others.length > CASE_SIGNAL_FANOUT };
  };
}
