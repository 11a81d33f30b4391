import { ActivityFailure, condition, upsertSearchAttributes } from '@temporalio/workflow';
import { moveTargetProblem, type GraphNode } from '../../lib/bpmn/graph';
import { CASE_STATUS } from '../../lib/temporal/search-attributes';
import { CASE_FAILURES, type CaseModification, type CaseSnapshot, type LiveIncident } from './contract';
import type { CaseContext } from './context';
import { fail } from './errors';
import { closeInstance } from './task-instances';

/**
 * Incidents, as Camunda Operate shows and resolves them (docs/process-engine.md, "Incidents").
 * A token whose step cannot go on stays at that element (patch incident-hold, see tokens.ts):
 * the case shows status "incident" with the element and the message, until an operator
 * retries (the element runs again), moves the case to another element, or ends it.
 */

/** A token stopped at an element, waiting for a retry. */
export interface StoppedToken extends LiveIncident {
  fiber: number;
  retry: boolean;
}

/** The operator's words for what failed: a service task's own error, not Temporal's wrapper. */
export function incidentMessage(node: GraphNode, err: unknown): string {
  if (err instanceof ActivityFailure) {
    const cause = err.cause?.message ?? err.message;
    return `${node.name || node.id} (${node.id}) failed after its retries: ${cause}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Raises the incident for one token and waits until a retry releases it (a move or the end cancels the wait). */
export async function stopAt(ctx: CaseContext, fiber: number, node: GraphNode, err: unknown): Promise<void> {
  const stopped: StoppedToken = { fiber, nodeId: node.id, message: incidentMessage(node, err).slice(0, 2000), at: new Date().toISOString(), retry: false };
  ctx.stopped.push(stopped);
  // A task that opened before its step failed (nobody could hold it) is closed: a retry opens a new one.
  const closing = ctx
    .openInstances()
    .filter((i) => i.activation.kind === 'review' && i.nodeId === node.id)
    .map((i) => closeInstance(i, 'cancelled'));
  ctx.status = 'incident';
  ctx.incident = stopped.message;
  upsertSearchAttributes([{ key: CASE_STATUS, value: 'incident' }]);
  await ctx.persist({
    taskPatches: closing,
    history: [ctx.entry('incident', { nodeId: node.id, comment: stopped.message, data: { attempts: err instanceof ActivityFailure ? 'exhausted' : 1 } })],
    caseRow: { status: 'incident', incident: { nodeId: node.id, message: stopped.message, at: stopped.at } },
  });
  await condition(() => stopped.retry);
}

/** The "modify" update's validator (and the handler's re-check). */
export function validateModification(ctx: CaseContext, m: CaseModification): void {
  ctx.mustBeOpen(true);
  if (m.kind === 'retry') {
    if (ctx.stopped.length === 0) fail(CASE_FAILURES.notAllowed, ctx.status === 'incident' ? 'this incident has no step to run again: move the case to an element or end it' : 'the case has no incident to retry');
    return;
  }
  const node = ctx.graph.nodes[m.toNodeId];
  if (!node) fail(CASE_FAILURES.invalidDecision, `the process has no element ${m.toNodeId}`);
  const problem = moveTargetProblem(node);
  if (problem) fail(CASE_FAILURES.invalidDecision, `a case cannot be moved to ${m.toNodeId}: it ${problem}`);
}

/** Retry: every stopped token runs its element again; the case is running again. */
export async function retryIncidents(ctx: CaseContext, m: Extract<CaseModification, { kind: 'retry' }>): Promise<CaseSnapshot> {
  validateModification(ctx, m);
  const nodes = ctx.stopped.map((s) => s.nodeId);
  const written = resume(ctx, ctx.entry('incident_retried', { actorId: m.actor.userId, actorName: m.actor.displayName, comment: m.comment ?? null, data: { nodes } }));
  for (const s of ctx.stopped.splice(0)) s.retry = true;
  await written;
  await condition(() => ctx.persister.idle);
  return ctx.snapshot();
}

/**
 * Move (process instance modification, simplified to what an approval needs): every open branch
 * stops — open tasks close, waits and timers end — and one token starts at the target element.
 */
export async function moveCase(ctx: CaseContext, m: Extract<CaseModification, { kind: 'move' }>): Promise<CaseSnapshot> {
  validateModification(ctx, m);
  const from = [...new Set([...ctx.openInstances().map((i) => i.nodeId), ...ctx.tokens.positions.values()])];
  const closing = ctx.openInstances().map((i) => closeInstance(i, 'cancelled'));
  for (const a of ctx.activations) a.closed = true;
  ctx.stopped.splice(0);
  ctx.tokens.cancelGeneration();
  // Queued before the new token's first write, so the history reads in order.
  const written = resume(ctx, ctx.entry('token_moved', { nodeId: m.toNodeId, actorId: m.actor.userId, actorName: m.actor.displayName, comment: m.comment ?? null, data: { from, to: m.toNodeId } }), closing);
  ctx.tokens.newGeneration();
  ctx.tokens.spawn(m.toNodeId, null);
  await written;
  await condition(() => ctx.persister.idle);
  return ctx.snapshot();
}

/** Back to running: the incident columns clear with the history entry that says why. */
function resume(ctx: CaseContext, entry: ReturnType<CaseContext['entry']>, closing: ReturnType<typeof closeInstance>[] = []) {
  ctx.status = 'running';
  ctx.incident = null;
  upsertSearchAttributes([{ key: CASE_STATUS, value: 'running' }]);
  return ctx.persist({ taskPatches: closing, history: [entry], caseRow: { status: 'running', incident: null } });
}
