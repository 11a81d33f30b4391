import { CancellationScope, isCancellation, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { SubProcessNode } from '../../../lib/bpmn/graph';
import { CASE_STATUS } from '../../../lib/temporal/search-attributes';
import type { CaseContext } from '../context';
import { Incident, type BpmnError } from '../errors';
import { closeInstance } from '../task-instances';
import { repetitions, timerDelay } from '../timers';

/**
 * Event sub-processes at the process level, as Zeebe runs them: not reached by flows, started
 * by their start event's trigger while the case runs. A timer one's clock starts with the case
 * and stops when it ends: interrupting, it ends everything the case is doing and the case goes
 * on in the event sub-process; not interrupting, the sub-process runs beside the rest, once per
 * firing (a cycle repeats). An error one takes a BPMN error nothing else caught (Tokens.walk):
 * it always interrupts. The case ends when the event sub-process and everything else have.
 */
export function eventSubProcesses(ctx: CaseContext): SubProcessNode[] {
  return Object.values(ctx.graph.nodes).filter((n): n is SubProcessNode => n.kind === 'subProcess' && n.trigger !== undefined && !n.scope);
}

/** Starts the timers of the case's timer event sub-processes, in a scope the caller cancels when the case ends; null without any. */
export function startEventSubTimers(ctx: CaseContext): CancellationScope | null {
  const subs = eventSubProcesses(ctx).filter((s) => s.trigger?.kind === 'timer');
  if (!subs.length) return null;
  const clocks = new CancellationScope({ cancellable: true });
  for (const sub of subs) {
    const trigger = sub.trigger as Extract<NonNullable<SubProcessNode['trigger']>, { kind: 'timer' }>;
    void clocks
      .run(async () => {
        if (trigger.interrupting) {
          await sleep(timerDelay(ctx, trigger.timer));
          if (!ctx.finished) await interruptWith(ctx, sub, { trigger: 'timer' });
          return;
        }
        const repeat = repetitions(ctx, trigger.timer);
        for (let i = 0; (repeat.count === null || i < repeat.count) && !ctx.finished; i++) {
          await sleep(repeat.intervalMs);
          if (ctx.finished) return;
          ctx.persister.buffer(ctx.entry('event_subprocess_started', { nodeId: sub.id, data: { trigger: 'timer', interrupting: false, firing: i + 1 } }));
          ctx.tokens.spawn(sub.id, null);
        }
      })
      .catch(async (err: unknown) => {
        if (isCancellation(err) || ctx.finished) return;
        await ctx.raiseIncident(new Incident(`the timer of event sub-process ${sub.id}: ${err instanceof Error ? err.message : String(err)}`));
      });
  }
  return clocks;
}

/** The error event sub-process that takes a BPMN error nothing else caught (its code's, else one for every code); null: none. */
export function errorEventSubFor(ctx: CaseContext, err: BpmnError): SubProcessNode | null {
  const subs = eventSubProcesses(ctx).filter((s) => s.trigger?.kind === 'error');
  const code = (s: SubProcessNode) => (s.trigger?.kind === 'error' ? s.trigger.errorCode : null);
  return subs.find((s) => code(s) === err.code) ?? subs.find((s) => code(s) === null) ?? null;
}

/** An error event sub-process takes the error: what the worker threw with it reaches the case, then it interrupts. */
export function catchByEventSub(ctx: CaseContext, sub: SubProcessNode, err: BpmnError): void {
  if (err.thrown) ctx.assign(err.thrown.variables);
  void interruptWith(ctx, sub, { trigger: 'error', code: err.code, thrownBy: err.thrownBy });
}

/**
 * Everything the case is doing ends — open tasks close, every token stops (their jobs and called
 * cases with them), an incident is resolved — and one token starts at the event sub-process.
 */
async function interruptWith(ctx: CaseContext, sub: SubProcessNode, data: Record<string, unknown>): Promise<void> {
  const closing = ctx.openInstances().map((i) => closeInstance(i, 'cancelled'));
  for (const a of ctx.activations) a.closed = true;
  ctx.stopped.splice(0);
  ctx.tokens.cancelGeneration();
  const wasIncident = ctx.status === 'incident';
  if (wasIncident) {
    ctx.status = 'running';
    ctx.incident = null;
    upsertSearchAttributes([{ key: CASE_STATUS, value: 'running' }]);
  }
  const written = ctx.persist({
    taskPatches: closing,
    history: [ctx.entry('event_subprocess_started', { nodeId: sub.id, data: { ...data, interrupting: true } })],
    ...(wasIncident ? { caseRow: { status: 'running' as const, incident: null } } : {}),
  });
  ctx.tokens.newGeneration();
  ctx.tokens.spawn(sub.id, null);
  await written;
}
