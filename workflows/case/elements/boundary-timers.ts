import { isCancellation, sleep } from '@temporalio/workflow';
import { OUTCOME_REJECT, type BoundaryTimerNode } from '../../../lib/bpmn/graph';
import type { CaseContext } from '../context';
import { Incident } from '../errors';
import { applyOutputs, hasOutputs } from '../io-mapping';
import { SMS_TEXTS, textTaskHolders } from '../notifications';
import { closeInstance, type ReviewActivation } from '../task-instances';
import { repetitions, timerDelay } from '../timers';

/**
 * Timer boundary events of an active user task, run in a scope the task cancels when it ends.
 * Interrupting: the task times out (escalation along the timer's flow, or an automatic decision
 * with its autoOutcome). Non-interrupting: a reminder to the holders each firing.
 */
export async function runBoundaryTimers(ctx: CaseContext, activation: ReviewActivation): Promise<void> {
  const node = activation.node;
  const timers = node.boundaryIds.map((id) => ctx.graph.nodes[id]).filter((n): n is BoundaryTimerNode => n?.kind === 'boundaryTimer');
  await Promise.all(
    timers.map(async (timer) => {
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
  );
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
