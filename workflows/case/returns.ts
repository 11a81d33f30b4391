import { condition, patched } from '@temporalio/workflow';
import { RETURN_TO_APPLICANT, type UserTaskNode } from '../../lib/bpmn/graph';
import type { HistoryEntry, TaskRowPatch } from '../../lib/cases/changes';
import type { CaseContext } from './context';
import { recordDecision } from './decisions';
import { Incident } from './errors';
import { notifyApplicant, SMS_TEXTS } from './notifications';
import { PATCH_SMS_APPLICANT_ON_RETURN } from './patches';
import { closeInstance, newSupplementActivation, newTaskInstance, openTasks, type QueuedDecision, type ReviewActivation, type SupplementActivation } from './task-instances';

/**
 * 退回 and 补正. A return closes every open task and starts a new generation of tokens: at an
 * earlier completed user task, or at the applicant's supplement task, after which the returning
 * step runs again.
 */

/** 退回: every open task closes; a new generation starts at the target (or the applicant's 补正). */
export async function returnCase(ctx: CaseContext, activation: ReviewActivation, d: QueuedDecision, patches: TaskRowPatch[], history: HistoryEntry[]): Promise<void> {
  const target = d.returnTo;
  // validateDecision (run again by the handler, also on replay) refuses a return without one.
  if (target === undefined) throw new Incident(`a return from ${activation.node.id} names no step to return to`);
  const others = ctx.openInstances().map((i) => closeInstance(i, 'cancelled'));
  activation.closed = true;
  ctx.tokens.cancelGeneration();
  const returned = ctx.entry('returned', { nodeId: activation.node.id, actorId: d.actor.userId, actorName: d.actor.displayName, comment: d.comment ?? null, data: { to: target } });
  ctx.tokens.newGeneration();
  if (target === RETURN_TO_APPLICANT) {
    ctx.status = 'supplement';
    const returningNode = activation.node;
    ctx.tokens.spawn(returningNode.id, null, async (fiber) => {
      await supplement(ctx, fiber, returningNode);
      await ctx.tokens.walk(fiber, returningNode.id, null);
    });
  } else {
    ctx.tokens.spawn(target, null);
  }
  await ctx.persist({ taskPatches: [...patches, ...others], history: [...history, returned] });
  if (target === RETURN_TO_APPLICANT && patched(PATCH_SMS_APPLICANT_ON_RETURN)) {
    await notifyApplicant(ctx, SMS_TEXTS.returnedToApplicant(ctx.input.caseNumber, d.comment), `${activation.id}/returned`, activation.node.id);
  }
}

/** The applicant's supplement (补正) task; resolves when they supply the materials. */
async function supplement(ctx: CaseContext, fiber: number, returningNode: UserTaskNode): Promise<void> {
  ctx.tokens.positions.set(fiber, returningNode.id);
  const n = ++ctx.supplements;
  const activation = newSupplementActivation(returningNode, n);
  activation.instances.push(newTaskInstance(activation, { index: 1, nodeId: returningNode.id, name: '补正材料', kind: 'supplement', outcomes: ['supply'], assigneeId: ctx.input.applicant.userId }));
  ctx.activations.push(activation);
  await openTasks(ctx, activation.instances, 'supplement_requested');
  let decision: QueuedDecision | undefined;
  while (!decision) {
    await condition(() => activation.queue.length > 0);
    decision = activation.queue.shift();
  }
  await supplied(ctx, activation, decision);
  decision.processed = true;
}

/** Supplying closes the task and puts the case back to running; the returning step follows. */
async function supplied(ctx: CaseContext, activation: SupplementActivation, d: QueuedDecision): Promise<void> {
  const { patch, decided } = recordDecision(ctx, d);
  activation.closed = true;
  ctx.status = 'running';
  await ctx.persist({ taskPatches: [patch], history: [decided] });
}
