import { condition, isCancellation, sleep } from '@temporalio/workflow';
import { evaluateFeel } from '../../../lib/bpmn/feel';
import { OUTCOME_REJECT, type BoundaryMessageNode, type BoundaryTimerNode, type UserTaskNode } from '../../../lib/bpmn/graph';
import { takes, type CaseContext } from '../context';
import { Incident } from '../errors';
import { applyOutputs, hasOutputs } from '../io-mapping';
import { SMS_TEXTS, textTaskHolders } from '../notifications';
import { closeInstance, type ReviewActivation } from '../task-instances';
import { repetitions, timerDelay } from '../timers';

/**
 * Timer and message boundary events of an active user task, run in a scope the task cancels
 * when it ends. Interrupting timer: the task times out (escalation along the timer's flow, or an
 * automatic decision with its autoOutcome). Non-interrupting timer: a reminder to the holders
 * each firing. Messages: awaitBoundaryMessage.
 */
export async function runBoundaryTimers(ctx: CaseContext, activation: ReviewActivation): Promise<void> {
  const node = activation.node;
  const timers = node.boundaryIds.map((id) => ctx.graph.nodes[id]).filter((n): n is BoundaryTimerNode => n?.kind === 'boundaryTimer');
  // The timers start first, as they always have; a task without message boundaries (every
  // recorded case) waits on exactly the same promises.
  await Promise.all([
    ...timers.map(async (timer) => {
      try {
        if (timer.interrupting) {
          await sleep(timerDelay(ctx, timer.timer));
          // The user task's token sees this and calls timeOut().
          if (!activation.closed) activation.timedOut = timer;
          return;
        }
        const repeat = repetitions(ctx, timer.timer);
        for (let i = 0; (repeat.count === null || i < repeat.count) && !activation.closed; i++) {
          await sleep(repeat.intervalMs);
          if (activation.closed) return;
          await remind(ctx, activation, timer, i + 1);
        }
      } catch (err) {
        if (isCancellation(err)) throw err;
        // Names the timer for the incident (the caller decides whether it is raised).
        throw new Incident(`boundary timer ${timer.id} of ${node.id}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
    ...messageBoundaries(ctx, node).map((b) => awaitBoundaryMessage(ctx, activation, b)),
  ]);
}

/** The message boundary events on a user task. */
export function messageBoundaries(ctx: CaseContext, node: UserTaskNode): BoundaryMessageNode[] {
  return node.boundaryIds.map((id) => ctx.graph.nodes[id]).filter((n): n is BoundaryMessageNode => n?.kind === 'boundaryMessage');
}

/** The correlation key a message boundary waits under (the case number if none is drawn; none for a signal). */
function boundaryKey(ctx: CaseContext, boundary: BoundaryMessageNode): string {
  if (boundary.signal) return '';
  return String(boundary.correlationKey ? evaluateFeel(boundary.correlationKey, ctx.feelContext()) : ctx.input.caseNumber);
}

const subscriptionKind = (boundary: BoundaryMessageNode) => (boundary.signal ? ('signal' as const) : ('message' as const));

/**
 * A message boundary event while its task is open: subscribes (so POST /api/messages finds the
 * case), then takes each message of its name from the mailbox. Interrupting: the first one marks
 * the activation for the task's token, which closes the task (interruptByMessage). Otherwise
 * each one's variables are written and a path starts at the boundary's flows.
 */
async function awaitBoundaryMessage(ctx: CaseContext, activation: ReviewActivation, boundary: BoundaryMessageNode): Promise<void> {
  const key = boundaryKey(ctx, boundary);
  (activation.subscriptionKeys ??= {})[boundary.id] = key;
  // A signal boundary takes the signals that come while it waits (signals are not kept), each once.
  let seenSignals = ctx.signalsReceived;
  await ctx.persist({
    history: [
      ctx.entry(boundary.signal ? 'signal_awaited' : 'message_awaited', {
        nodeId: boundary.id,
        data: { [boundary.signal ? 'signal' : 'message']: boundary.messageName, ...(boundary.signal ? {} : { correlationKey: key }), attachedTo: activation.node.id },
      }),
    ],
    subscriptions: [{ nodeId: boundary.id, messageName: boundary.messageName, correlationKey: key, open: true, kind: subscriptionKind(boundary) }],
  });
  const next = () => (boundary.signal ? ctx.signalAfter(boundary.messageName, seenSignals) : ctx.mailbox.find((m) => takes(m, boundary.messageName, key)));
  for (;;) {
    await condition(() => activation.closed || activation.interruptedBy !== undefined || next() !== undefined);
    const message = next();
    if (activation.closed || activation.interruptedBy || !message) return;
    if (message.signalSeq !== undefined) seenSignals = message.signalSeq;
    else message.consumed = true;
    if (boundary.interrupting) {
      activation.interruptedBy = { boundary, variables: message.variables };
      return;
    }
    ctx.assign(message.variables);
    ctx.completed.add(boundary.id);
    await ctx.persist({
      history: [
        ctx.entry(boundary.signal ? 'signal_caught' : 'message_consumed', { nodeId: boundary.id, data: { [boundary.signal ? 'signal' : 'message']: boundary.messageName, variables: message.variables, attachedTo: activation.node.id } }),
      ],
    });
    for (const flow of boundary.outgoing) ctx.tokens.spawn(ctx.graph.flows[flow].target, flow);
  }
}

/** An interrupting message came: the task's open instances close and the boundary's flows are taken. */
export async function interruptByMessage(ctx: CaseContext, activation: ReviewActivation): Promise<string[]> {
  const { boundary, variables } = activation.interruptedBy!;
  activation.closed = true;
  const patches = activation.instances.filter((i) => i.status === 'open').map((i) => closeInstance(i, 'cancelled'));
  ctx.assign(variables);
  ctx.completed.add(boundary.id);
  await ctx.persist({
    taskPatches: patches,
    history: [
      ctx.entry(boundary.signal ? 'signal_caught' : 'message_consumed', { nodeId: boundary.id, data: { [boundary.signal ? 'signal' : 'message']: boundary.messageName, variables, attachedTo: activation.node.id, interrupting: true } }),
    ],
    subscriptions: closedSubscriptions(ctx, activation),
  });
  return boundary.outgoing;
}

/**
 * The task's message subscriptions, closed: written when the task ends, however it ends, under
 * the keys they were opened with (a FEEL key is not evaluated again over changed variables).
 */
export function closedSubscriptions(ctx: CaseContext, activation: ReviewActivation) {
  return messageBoundaries(ctx, activation.node).map((b) => ({ nodeId: b.id, messageName: b.messageName, correlationKey: activation.subscriptionKeys?.[b.id] ?? '', open: false, kind: subscriptionKind(b) }));
}

async function remind(ctx: CaseContext, activation: ReviewActivation, timer: BoundaryTimerNode, firing: number): Promise<void> {
  const node = activation.node;
  const open = activation.instances.filter((i) => i.status === 'open');
  const fired = ctx.entry('timer_fired', { nodeId: timer.id, data: { action: 'remind', attachedTo: node.id, firing } });
  const sms = await textTaskHolders(
    ctx,
    open.map((i) => i.key),
    SMS_TEXTS.timerReminder(ctx.input.caseNumber, node.name),
    `${timer.id}/${activation.id}/${firing}`,
  );
  await ctx.persist({ history: [fired, ctx.entry('sms_sent', { nodeId: node.id, data: { ...sms } })] });
  // A reminder with outgoing flows also starts a parallel path (e.g. notify a supervisor).
  for (const flow of timer.outgoing) ctx.tokens.spawn(ctx.graph.flows[flow].target, flow);
}

/** An interrupting timer fired: open instances time out; the task is escalated or auto-decided. */
export async function timeOut(ctx: CaseContext, activation: ReviewActivation, timer: BoundaryTimerNode): Promise<string[]> {
  const node = activation.node;
  activation.closed = true;
  const patches = activation.instances.filter((i) => i.status === 'open').map((i) => closeInstance(i, 'timed_out'));
  const fired = ctx.entry('timer_fired', { nodeId: timer.id, outcome: timer.autoOutcome, data: { action: timer.autoOutcome ? 'auto-decide' : 'escalate', attachedTo: node.id } });
  ctx.completed.add(timer.id);
  if (timer.autoOutcome) {
    ctx.reviewerDecided = true;
    // An automatic decision completes the task: its output mappings apply as for a reviewer's
    // (over the single instance's locals; a countersign's over the task's scope).
    if (hasOutputs(node)) applyOutputs(ctx, node, { ...ctx.feelContext(), ...(node.multiInstance ? {} : activation.instances[0]?.locals), outcome: timer.autoOutcome });
    else ctx.assign({ outcome: timer.autoOutcome });
    ctx.completed.add(node.id);
    ctx.completedUserTasks.push(node.id);
    if (timer.autoOutcome === OUTCOME_REJECT) {
      await ctx.finish('completed', 'rejected', ctx.entry('rejected', { nodeId: node.id }), { taskPatches: patches, history: [fired] });
      return [];
    }
  }
  await ctx.persist({ taskPatches: patches, history: [fired] });
  return timer.outgoing.length ? timer.outgoing : node.outgoing;
}
