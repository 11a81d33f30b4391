import { CancellationScope, condition, isCancellation, patched } from '@temporalio/workflow';
import { evaluateFeel, feelCondition, literalOrFeel } from '../../../lib/bpmn/feel';
import { OUTCOME_APPROVE, OUTCOME_REJECT, OUTCOME_RETURN, type UserTaskNode } from '../../../lib/bpmn/graph';
import type { CaseContext } from '../context';
import { recordDecision } from '../decisions';
import { Incident } from '../errors';
import { applyOutputs, hasInputs, hasOutputs, inputLocals } from '../io-mapping';
import { notifyApplicant, SMS_TEXTS } from '../notifications';
import { PATCH_BOUNDARY_TIMER_INCIDENT, PATCH_SMS_APPLICANT_ON_REJECT, PATCH_GROUP_WITHOUT_HOLDER, PATCH_TASK_FOR_NOBODY_INCIDENT } from '../patches';
import { returnCase } from '../returns';
import { closeInstance, newReviewActivation, newTaskInstance, openTasks, type QueuedDecision, type ReviewActivation, type TaskInstance } from '../task-instances';
import { dueInstant } from '../timers';
import { closedSubscriptions, interruptByMessage, messageBoundaries, runBoundaryTimers, timeOut } from './boundary-timers';

/**
 * User tasks, single or multi-instance (countersign: all / any / ratio by completionCondition).
 * The token opens the task rows, starts the attached timers, then applies the decisions queued
 * by the "decide" update one at a time until the task is decided, returned or timed out.
 */
export async function userTask(ctx: CaseContext, node: UserTaskNode): Promise<string[]> {
  const activation = newReviewActivation(node, ctx.nextVisit(node.id));
  const mi = node.multiInstance;
  // Input mappings are local to an instance, as in Camunda 8: a single task's over the case
  // variables; a countersigner's after its element is set, so inputCollection does not see them.
  const scope = ctx.feelContext();
  const singleLocals = mi ? null : inputLocals(node, scope);
  const context = singleLocals ? { ...scope, ...singleLocals } : scope;
  const dueIn = (local: Record<string, unknown>) => (node.dueDate ? dueInstant(literalOrFeel(node.dueDate, local), node.id) : null);
  const perInstanceDue = mi !== null && hasInputs(node);
  const dueAt = perInstanceDue ? null : dueIn(context);
  if (mi) {
    const collection = evaluateFeel(mi.inputCollection, context);
    if (!Array.isArray(collection)) throw new Incident(`inputCollection of ${node.id} is not a list`);
    collection.forEach((element, i) => {
      const item = { [mi.inputElement]: element };
      const locals = { ...item, ...inputLocals(node, { ...context, ...item }) };
      const local = { ...context, ...locals };
      activation.instances.push(reviewInstance(activation, i + 1, local, perInstanceDue ? dueIn(local) : dueAt, locals));
    });
  } else {
    activation.instances.push(reviewInstance(activation, 1, context, dueAt, singleLocals ?? {}));
  }
  // 逐级会签: only the first instance opens; each approval opens the next (applyDecision).
  if (mi?.sequential) activation.waiting = activation.instances.splice(1);
  ctx.activations.push(activation);
  if (activation.instances.length === 0) {
    // An empty countersign list has nobody to object: it passes, as in Zeebe. No instance
    // completes, so output mappings have nothing to map (and `outcome` stays local with them).
    if (!hasOutputs(node)) ctx.assign({ outcome: OUTCOME_APPROVE });
    ctx.pass(node, 'countersign_empty');
    activation.closed = true;
    return node.outgoing;
  }
  await openTasks(ctx, activation.instances, 'task_created');
  // An assignee or candidate users whose expressions named no active user, and no group: nobody
  // could ever hold the task, so the case stops at once with an incident naming it instead of
  // waiting for ever (cases from before the patch waited, and replay so).
  // A task drawn with no assignment at all is not one of these: it waits in the 待分配 pool for
  // an administrator (such graphs could not be published before, so no recorded case changes).
  const namesSomeone = node.assignee !== null || node.candidateUsers.length > 0 || node.candidateGroups.length > 0;
  const forNobody = namesSomeone ? activation.instances.filter((i) => i.candidateGroups.length === 0 && i.assigneeId === null && i.candidateUserIds.length === 0) : [];
  if (forNobody.length && patched(PATCH_TASK_FOR_NOBODY_INCIDENT)) {
    const named = forNobody.map((i) => [i.assigneeUsername, ...i.candidateUsernames].filter(Boolean).join(', ') || 'nobody');
    throw new Incident(`nobody can hold task ${node.id}: its assignee and candidate users (${[...new Set(named)].join('; ')}) name no active user`);
  }
  // Offered to roles only, and nobody of those roles works in the case's area (a district with
  // no district staff account): the task would wait unseen, so the case stops with an incident
  // an administrator resolves by creating the account and retrying, or by moving the case.
  // Results written before the writer answered this carry no `groupHeld`, and replay as before.
  if (activation.instances.some((i) => i.groupHeld === false) && patched(PATCH_GROUP_WITHOUT_HOLDER)) {
    throw new Incident(`nobody can hold task ${node.id}: no active user with the role ${node.candidateGroups.join(' or ')} works in the case's area`);
  }

  const timers = new CancellationScope({ cancellable: true });
  const gen = ctx.tokens.current;
  void timers
    .run(() => runBoundaryTimers(ctx, activation))
    .catch(async (err: unknown) => {
      // Only the task ending first (its timers cancelled) is expected. A timer that cannot be
      // computed or a reminder that fails stops the case with an incident; before this patch
      // every failure was swallowed and the task waited for ever (recorded cases replay so).
      if (isCancellation(err) || gen.cancelled || ctx.finished) return;
      if (!patched(PATCH_BOUNDARY_TIMER_INCIDENT)) return;
      timers.cancel();
      await ctx.raiseIncident(err);
    });
  // Message boundaries' subscriptions are closed as the task ends. Checked up front so that a
  // task without them (every recorded case) leaves with exactly the awaits it always had.
  const subscribed = messageBoundaries(ctx, node).length > 0;
  try {
    for (;;) {
      await condition(() => activation.queue.length > 0 || activation.timedOut !== null || activation.interruptedBy !== undefined);
      const decision = activation.queue.shift();
      if (decision) {
        const leave = await applyDecision(ctx, activation, decision);
        decision.processed = true;
        if (leave) return subscribed ? await leaving(ctx, activation, leave) : leave;
        continue;
      }
      if (activation.timedOut) {
        const flows = await timeOut(ctx, activation, activation.timedOut);
        return subscribed ? await leaving(ctx, activation, flows) : flows;
      }
      if (activation.interruptedBy) return await interruptByMessage(ctx, activation);
    }
  } finally {
    timers.cancel();
  }
}

/** The flows a decided or timed-out task with message boundaries leaves by, once their subscriptions are closed. */
async function leaving(ctx: CaseContext, activation: ReviewActivation, flows: string[]): Promise<string[]> {
  await ctx.persist({ subscriptions: closedSubscriptions(ctx, activation) });
  return flows;
}

/** One reviewer's instance; assignee and candidate users are FEEL over the instance's context. */
function reviewInstance(activation: ReviewActivation, index: number, context: Record<string, unknown>, dueAt: string | null, locals: Record<string, unknown>): TaskInstance {
  const node = activation.node;
  const assignee = node.assignee ? literalOrFeel(node.assignee, context) : null;
  const users = node.candidateUsers.flatMap((u) => {
    const v = literalOrFeel(u, context);
    return Array.isArray(v) ? v.map(String) : v === null || v === undefined ? [] : [String(v)];
  });
  const instance = newTaskInstance(activation, {
    index,
    nodeId: node.id,
    name: node.name,
    kind: 'user',
    outcomes: [...node.outcomes],
    candidateGroups: [...node.candidateGroups],
    candidateUsernames: users,
    assigneeUsername: assignee === null || assignee === undefined ? null : String(assignee),
    dueAt,
  });
  instance.locals = locals;
  return instance;
}

/** Applies one queued decision; answers the flows to leave by once the task is done. */
async function applyDecision(ctx: CaseContext, activation: ReviewActivation, d: QueuedDecision): Promise<string[] | null> {
  const { patch, decided } = recordDecision(ctx, d);
  ctx.reviewerDecided = true;

  if (d.outcome === OUTCOME_RETURN) {
    await returnCase(ctx, activation, d, [patch], [decided]);
    return [];
  }
  if (d.outcome === OUTCOME_REJECT) activation.rejections++;
  else activation.approvals++;
  const node = activation.node;
  // Each instance's completion applies the output mappings in its own scope (Camunda's
  // per-instance semantics); instances cancelled when the task is decided apply none.
  if (hasOutputs(node)) {
    const outputs = applyOutputs(ctx, node, { ...ctx.feelContext(), ...d.instance.locals, ...d.formData, outcome: d.outcome });
    decided.data = { ...decided.data, outputs };
  }
  const open = activation.instances.filter((i) => i.status === 'open');
  const mi = node.multiInstance;
  const verdict = countersignVerdict(ctx, activation, d, open);
  if (verdict === 'pending') {
    await ctx.persist({ taskPatches: [patch], history: [decided] });
    const next = open.length === 0 ? activation.waiting?.shift() : undefined;
    if (next) {
      activation.instances.push(next);
      await openTasks(ctx, [next], 'task_created');
    }
    return null;
  }

  // The task is decided: close what is still open (countersigners no longer needed).
  activation.closed = true;
  const cancelled = open.map((i) => closeInstance(i, 'cancelled'));
  const outcome = verdict === 'reject' ? OUTCOME_REJECT : mi ? OUTCOME_APPROVE : d.outcome;
  // With output mappings only their targets reach the case: `outcome` stays the task's own.
  if (!hasOutputs(node)) ctx.assign({ outcome });
  ctx.completed.add(node.id);
  ctx.completedUserTasks.push(node.id);
  const summary = mi ? [ctx.entry('countersign_completed', { nodeId: node.id, outcome, data: { approvals: activation.approvals, rejections: activation.rejections, instances: activation.instances.length } })] : [];
  if (outcome === OUTCOME_REJECT) {
    // Added after cases had run: older histories replay without the SMS (patch id below).
    if (patched(PATCH_SMS_APPLICANT_ON_REJECT)) {
      await notifyApplicant(ctx, SMS_TEXTS.rejected(ctx.input.caseNumber, node.name, d.comment), `${activation.id}/rejected`, node.id);
    }
    await ctx.finish('completed', 'rejected', ctx.entry('rejected', { nodeId: node.id, actorId: d.actor.userId, actorName: d.actor.displayName }), {
      taskPatches: [patch, ...cancelled],
      history: [decided, ...summary],
    });
    return [];
  }
  await ctx.persist({ taskPatches: [patch, ...cancelled], history: [decided, ...summary] });
  return node.outgoing;
}

/**
 * Whether this decision decides the task. With a completionCondition (or 或签 / ratio) the
 * condition over the counters approves, and the last open instance failing it rejects; without
 * one (会签) the first rejection rejects and the last approval approves.
 */
function countersignVerdict(ctx: CaseContext, activation: ReviewActivation, d: QueuedDecision, open: TaskInstance[]): 'approve' | 'reject' | 'pending' {
  const mi = activation.node.multiInstance;
  // A sequential countersign's instances still to open count as neither open nor completed.
  const waiting = activation.waiting?.length ?? 0;
  if (mi?.completionCondition) {
    const counters = {
      nrOfInstances: activation.instances.length + waiting,
      nrOfCompletedInstances: activation.instances.length - open.length,
      nrOfActiveInstances: open.length,
      nrOfApprovals: activation.approvals,
      nrOfRejections: activation.rejections,
    };
    if (feelCondition(mi.completionCondition, { ...ctx.feelContext(), ...counters })) return 'approve';
    if (open.length === 0 && waiting === 0) return 'reject';
    return 'pending';
  }
  if (d.outcome === OUTCOME_REJECT) return 'reject';
  if (open.length === 0 && waiting === 0) return 'approve';
  return 'pending';
}
