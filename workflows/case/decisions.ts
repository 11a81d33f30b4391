import { condition } from '@temporalio/workflow';
import { OUTCOME_RETURN, RETURN_TO_APPLICANT } from '../../lib/bpmn/graph';
import type { HistoryEntry, TaskRowPatch } from '../../lib/cases/changes';
import { CASE_FAILURES, type CaseSnapshot, type DecideRequest } from './contract';
import type { CaseContext } from './context';
import { fail } from './errors';
import { hasOutputs } from './io-mapping';
import { mustHold, type QueuedDecision } from './task-instances';

/**
 * The "decide" update: checked here, queued on the task's activation, applied by the token
 * waiting there (elements/user-task.ts for reviews, returns.ts for the applicant's supplement).
 */

/** Validator of "decide": the task is open and held by the actor, the outcome is offered. */
export function validateDecision(ctx: CaseContext, d: DecideRequest): void {
  const inst = ctx.openInstance(d.taskKey);
  mustHold(inst, d.actor);
  if (inst.ownerId !== null && inst.assigneeId === d.actor.userId) fail(CASE_FAILURES.notAllowed, 'a delegated task is resolved, not decided, by its delegate');
  if (!inst.outcomes.includes(d.outcome)) {
    fail(CASE_FAILURES.invalidDecision, `outcome "${d.outcome}" is not offered by this task (offered: ${inst.outcomes.join(', ')})`);
  }
  if (d.outcome === OUTCOME_RETURN) {
    if (!d.returnTo) fail(CASE_FAILURES.invalidDecision, 'a return names returnTo: an earlier step or "applicant"');
    // A new generation starts outside every sub-process: into one, or from one to the applicant, it would lose its way out.
    if (d.returnTo === RETURN_TO_APPLICANT ? inst.nodeId && ctx.graph.nodes[inst.nodeId]?.scope : ctx.graph.nodes[d.returnTo]?.scope) {
      fail(CASE_FAILURES.invalidDecision, d.returnTo === RETURN_TO_APPLICANT ? 'a step inside a sub-process cannot return the case to the applicant' : `"${d.returnTo}" is inside a sub-process: a case cannot be returned into one`);
    }
    if (d.returnTo !== RETURN_TO_APPLICANT && !ctx.completedUserTasks.includes(d.returnTo)) {
      fail(CASE_FAILURES.invalidDecision, `"${d.returnTo}" is not an earlier completed step of this case (completed: ${[...new Set(ctx.completedUserTasks)].join(', ') || 'none'})`);
    }
  }
}

/** Handler of "decide": queues the decision and answers once it is applied and written. */
export async function decide(ctx: CaseContext, d: DecideRequest): Promise<CaseSnapshot> {
  const inst = ctx.openInstance(d.taskKey);
  await condition(() => inst.persisted);
  validateDecision(ctx, d);
  if (inst.deciding) fail(CASE_FAILURES.taskNotOpen, 'this task already has a decision being recorded');
  inst.deciding = true;
  const queued: QueuedDecision = { ...d, instance: inst, processed: false };
  inst.activation.queue.push(queued);
  await condition(() => queued.processed && ctx.persister.idle);
  return ctx.snapshot();
}

/**
 * Completes the decided instance (form data become case variables unless the task has output
 * mappings, elements/user-task.ts applies those); answers its row patch and
 * history entry, which the caller writes together with whatever the decision leads to.
 */
export function recordDecision(ctx: CaseContext, d: QueuedDecision): { patch: TaskRowPatch; decided: HistoryEntry } {
  const inst = d.instance;
  inst.status = 'completed';
  inst.deciding = false;
  // A task with output mappings keeps its form values local: its outputs map what the case gets.
  const mapped = inst.activation.kind === 'review' && hasOutputs(inst.activation.node);
  if (d.formData && !mapped) ctx.assign(d.formData);
  const now = new Date().toISOString();
  const patch: TaskRowPatch = { key: inst.key, status: 'completed', completedAt: now, completedBy: d.actor.userId, outcome: d.outcome, comment: d.comment ?? null };
  const decided = ctx.entry('task_completed', {
    nodeId: inst.nodeId,
    taskKey: inst.key,
    actorId: d.actor.userId,
    actorName: d.actor.displayName,
    outcome: d.outcome,
    comment: d.comment ?? null,
    data: { ...(d.returnTo ? { returnTo: d.returnTo } : {}), ...(d.attachments?.length ? { attachments: d.attachments } : {}), ...(d.formData ? { formData: d.formData } : {}) },
  });
  return { patch, decided };
}
