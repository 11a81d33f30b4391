import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';
import type { BoundaryTimerNode, TimerHostNode } from '../../../lib/bpmn/graph';
import { isInside } from '../bpmn-errors';
import type { CaseContext } from '../context';
import { Incident } from '../errors';
import { closeInstance } from '../task-instances';
import { repetitions, timerDelay } from '../timers';

/**
 * Timer boundary events on an activity other than a user task — a service task or external job,
 * a sub-process, a call activity, a receive task — as Zeebe runs them (a user task's own timers
 * are runBoundaryTimers, with reminders and automatic decisions). While the activity runs, in a
 * scope of its own: an interrupting timer that fires first cancels it (its job closes, a called
 * case ends, the tasks inside a sub-process close) and the token leaves by the timer's flows; a
 * non-interrupting one starts a path at the timer each time it fires (a cycle: each repetition)
 * and the activity goes on. The timers end with the activity.
 */
export async function withTimerBoundaries(ctx: CaseContext, node: TimerHostNode, fiber: number, run: () => Promise<string[]> | string[]): Promise<string[]> {
  const timers = (node.timerBoundaryIds ?? []).map((id) => ctx.graph.nodes[id]).filter((n): n is BoundaryTimerNode => n?.kind === 'boundaryTimer');
  const gen = ctx.tokens.current;
  const work = new CancellationScope({ cancellable: true });
  const clocks = new CancellationScope({ cancellable: true });
  let fired: BoundaryTimerNode | null = null;
  let failure: unknown = null;
  for (const timer of timers) {
    void clocks
      .run(async () => {
        if (timer.interrupting) {
          await sleep(timerDelay(ctx, timer.timer));
          fired = timer;
          // Tokens of a sub-process run it cancels count as done, not failed (tokens.ts).
          ctx.tokens.interruptRuns(node.id);
          work.cancel();
          return;
        }
        const repeat = repetitions(ctx, timer.timer);
        for (let i = 0; repeat.count === null || i < repeat.count; i++) {
          await sleep(repeat.intervalMs);
          ctx.pass(timer, 'boundary_timer_fired', { data: { attachedTo: node.id, interrupting: false, firing: i + 1 } });
          ctx.tokens.spawn(timer.id, null, undefined, ctx.tokens.groupOf(fiber));
        }
      })
      .catch((err: unknown) => {
        if (isCancellation(err)) return;
        // A timer that cannot be computed stops the activity: the token raises the incident.
        failure = new Incident(`boundary timer ${timer.id} of ${node.id}: ${err instanceof Error ? err.message : String(err)}`);
        work.cancel();
      });
  }
  try {
    return await work.run(async () => run());
  } catch (err) {
    if (!isCancellation(err) || gen.cancelled || ctx.finished) throw err;
    if (failure) throw failure;
    if (!fired) throw err;
    const timer: BoundaryTimerNode = fired;
    // What the activity had open inside closes with it (a sub-process's tasks; jobs close themselves).
    const closing = ctx
      .openInstances()
      .filter((i) => i.nodeId === node.id || isInside(ctx, i.nodeId, node.id))
      .map((i) => closeInstance(i, 'cancelled'));
    ctx.completed.add(timer.id);
    await ctx.persist({ taskPatches: closing, history: [ctx.entry('boundary_timer_fired', { nodeId: timer.id, data: { attachedTo: node.id, interrupting: true } })] });
    return timer.outgoing;
  } finally {
    clocks.cancel();
  }
}
