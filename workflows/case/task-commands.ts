import { condition } from '@temporalio/workflow';
import { OUTCOME_APPROVE, OUTCOME_REJECT, OUTCOME_RETURN } from '../../lib/bpmn/graph';
import { copyRecipientProblem, taskRecipientProblem } from '../../lib/cases/recipients';
import { CASE_FAILURES, type CaseSnapshot, type TaskCommand } from './contract';
import type { CaseContext } from './context';
import { fail } from './errors';
import { SMS_TEXTS, textTaskHolders } from './notifications';
import { mustHold, newTaskInstance, openTasks } from './task-instances';

/**
 * The "taskCommand" update: claim, unclaim, transfer, delegate, resolve, addSigner, copy and
 * remind. None moves a token; each changes who holds a task (or who else sees or is texted about
 * it) and records that in the history. The API checks MySQL first; these check the live state.
 */

/** Validator (and the handler's re-check): the task is open and the actor may do this to it. */
export function validateCommand(ctx: CaseContext, c: TaskCommand): void {
  const inst = ctx.openInstance(c.taskKey);
  switch (c.kind) {
    case 'claim':
      if (inst.assigneeId !== null) fail(CASE_FAILURES.notAllowed, 'the task is already claimed');
      if (inst.persisted && !inst.candidateGroups.includes(c.actor.role) && !inst.candidateUserIds.includes(c.actor.userId)) fail(CASE_FAILURES.notHolder, 'you are not a candidate of this task');
      return;
    case 'unclaim':
      mustHold(inst, c.actor);
      if (inst.candidateGroups.length === 0 && inst.candidateUserIds.length === 0) fail(CASE_FAILURES.notAllowed, 'the task has no candidates to give it back to');
      return;
    case 'resolve':
      if (inst.ownerId === null || inst.assigneeId !== c.actor.userId) fail(CASE_FAILURES.notHolder, 'only the delegate of a delegated task resolves it');
      return;
    case 'remind':
      return;
    case 'transfer':
    case 'delegate':
    case 'addSigner':
      if (c.actor.role !== 'sysadmin' || c.kind !== 'transfer') mustHold(inst, c.actor);
      if (c.to.userId === inst.assigneeId) fail(CASE_FAILURES.notAllowed, `${c.to.displayName} already holds this task`);
      if (c.kind === 'addSigner' && inst.kind !== 'user') fail(CASE_FAILURES.notAllowed, 'signers are added to review tasks only');
      return;
    case 'copy':
      mustHold(inst, c.actor);
      return;
  }
}

/** Who may receive a task or a copy (separation of duties); the API applies the same rule. */
export function validateRecipients(ctx: CaseContext, c: TaskCommand): void {
  if (c.kind !== 'transfer' && c.kind !== 'delegate' && c.kind !== 'addSigner' && c.kind !== 'copy') return;
  const inst = ctx.openInstance(c.taskKey);
  const parties = { scope: ctx.input.scope, applicantUserId: ctx.input.applicant.userId };
  for (const to of c.kind === 'copy' ? c.to : [c.to]) {
    if (to.role === undefined || to.organisationId === undefined) fail(CASE_FAILURES.notAllowed, `${to.displayName}: the recipient's role and organisation are required`);
    const recipient = { userId: to.userId, role: to.role, organisationId: to.organisationId, districtCode: to.districtCode ?? null, streetCode: to.streetCode ?? null };
    const problem = c.kind === 'copy' ? copyRecipientProblem(recipient, parties) : taskRecipientProblem(recipient, inst, parties);
    if (problem) fail(CASE_FAILURES.invalidRecipient, `${to.displayName} ${problem}`);
  }
}

/** Handler: waits for the task row, checks again, applies the command, answers once settled. */
export async function runTaskCommand(ctx: CaseContext, c: TaskCommand): Promise<CaseSnapshot> {
  const inst = ctx.openInstance(c.taskKey);
  await condition(() => inst.persisted);
  validateCommand(ctx, c);
  const now = new Date().toISOString();
  const by = { nodeId: inst.nodeId, taskKey: inst.key, actorId: c.actor.userId, actorName: c.actor.displayName, comment: c.comment ?? null };
  switch (c.kind) {
    case 'claim':
      inst.assigneeId = c.actor.userId;
      await ctx.persist({ taskPatches: [{ key: inst.key, assigneeId: inst.assigneeId, claimedAt: now }], history: [ctx.entry('claimed', by)] });
      break;
    case 'unclaim':
      inst.assigneeId = null;
      await ctx.persist({ taskPatches: [{ key: inst.key, assigneeId: null, claimedAt: null }], history: [ctx.entry('unclaimed', by)] });
      break;
    case 'transfer':
      inst.assigneeId = c.to.userId;
      inst.ownerId = null;
      await ctx.persist({ taskPatches: [{ key: inst.key, assigneeId: c.to.userId, ownerId: null, claimedAt: now }], history: [ctx.entry('transferred', { ...by, data: { to: c.to } })] });
      break;
    case 'delegate':
      // The owner (who delegated first) stays the owner through further delegations.
      inst.ownerId = inst.ownerId ?? inst.assigneeId;
      inst.assigneeId = c.to.userId;
      await ctx.persist({ taskPatches: [{ key: inst.key, assigneeId: c.to.userId, ownerId: inst.ownerId }], history: [ctx.entry('delegated', { ...by, data: { to: c.to } })] });
      break;
    case 'resolve':
      inst.assigneeId = inst.ownerId;
      inst.ownerId = null;
      await ctx.persist({ taskPatches: [{ key: inst.key, assigneeId: inst.assigneeId, ownerId: null }], history: [ctx.entry('resolved', by)] });
      break;
    case 'addSigner': {
      // One more instance of the same activation, held by the added signer, who must also approve.
      const activation = inst.activation;
      const index = activation.instances.length + 1;
      const added = newTaskInstance(activation, {
        index,
        nodeId: inst.nodeId,
        name: inst.name,
        kind: inst.kind,
        outcomes: inst.outcomes.filter((o) => [OUTCOME_APPROVE, OUTCOME_REJECT, OUTCOME_RETURN].includes(o)),
        assigneeUsername: c.to.username,
        assigneeId: c.to.userId,
        dueAt: inst.dueAt,
      });
      activation.instances.push(added);
      await openTasks(ctx, [added], 'signer_added', { actorId: c.actor.userId, actorName: c.actor.displayName, comment: c.comment ?? null });
      break;
    }
    case 'copy':
      await ctx.persist({ copies: { userIds: c.to.map((u) => u.userId), fromUserId: c.actor.userId, taskKey: inst.key, at: now }, history: [ctx.entry('copied', { ...by, data: { to: c.to } })] });
      break;
    case 'remind': {
      const sms = await textTaskHolders(ctx, [inst.key], SMS_TEXTS.remindedBy(c.actor.displayName, ctx.input.caseNumber, inst.name), `remind/${inst.key}/${now}`);
      await ctx.persist({ history: [ctx.entry('reminded', by), ctx.entry('sms_sent', { nodeId: inst.nodeId, taskKey: inst.key, data: { ...sms } })] });
      break;
    }
  }
  await condition(() => ctx.persister.idle);
  return ctx.snapshot();
}
