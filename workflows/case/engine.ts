import { allHandlersFinished, CancellationScope, condition, isCancellation } from '@temporalio/workflow';
import { CASE_FAILURES, type Actor, type CaseModification, type CaseSnapshot, type CaseWorkflowInput, type DecideRequest, type JobReport, type MessageDelivery, type SignalDelivery, type TaskCommand } from './contract';
import { CaseContext } from './context';
import { decide, validateDecision } from './decisions';
import { startEventSubTimers } from './elements/event-sub-processes';
import { reportJob, validateJobReport } from './elements/external-job';
import { runElement } from './elements/registry';
import { fail } from './errors';
import { moveCase, retryIncidents, validateModification } from './incidents';
import { runTaskCommand, validateCommand, validateRecipients } from './task-commands';

/**
 * The interpreter of a compiled process graph, as the case workflow (workflows/case-workflow.ts)
 * sees it: run the case, answer the updates and the state query. The parts live beside it —
 * tokens and generations (tokens.ts), one handler per element kind (elements/), decisions,
 * returns and task commands, timers, texts, and the write batching (persister.ts); the state
 * they share is the CaseContext (context.ts). See docs/process-engine.md, "Engine modules".
 *
 * Everything here must stay deterministic: no Node APIs, only workflow time, and every change
 * to what this code does for an existing history must be guarded with `patched()` (patches.ts);
 * the replay tests (tests/engine/replay.test.ts) fail otherwise. The handlers below that hand
 * over to another module return its promise unwrapped, so no await is added on the way.
 */
export class CaseEngine {
  private readonly ctx: CaseContext;

  constructor(input: CaseWorkflowInput) {
    this.ctx = new CaseContext(input, runElement);
  }

  async run(): Promise<CaseSnapshot> {
    const { ctx } = this;
    const { input } = ctx;
    await ctx.persist({ history: [ctx.entry('started', { nodeId: input.graph.startNodeId, actorId: input.applicant.userId, actorName: input.applicant.username, data: { processVersion: input.processVersion } })] });
    ctx.tokens.newGeneration();
    ctx.tokens.spawn(input.graph.startNodeId, null);
    // Timer event sub-processes' clocks run with the case (graphs without them start none).
    const eventTimers = startEventSubTimers(ctx);
    try {
      await condition(() => ctx.finished);
      eventTimers?.cancel();
    } catch (err) {
      eventTimers?.cancel();
      // Only a child case is ever cancelled: its parent ended or moved on. It ends as terminated,
      // its row and open tasks closed like any other end (no case was cancelled before this).
      if (!isCancellation(err)) throw err;
      return CancellationScope.nonCancellable(async () => {
        await ctx.finish('terminated', null, ctx.entry('terminated', { comment: 'the calling case ended or moved on' }));
        await condition(allHandlersFinished);
        return ctx.snapshot();
      });
    }
    // Let update handlers still settling answer their callers before the run closes.
    await condition(allHandlersFinished);
    return ctx.snapshot();
  }

  // ---------------------------------------------------------------- updates

  validateDecision(d: DecideRequest): void {
    validateDecision(this.ctx, d);
  }

  decide(d: DecideRequest): Promise<CaseSnapshot> {
    return decide(this.ctx, d);
  }

  validateCommand(c: TaskCommand): void {
    validateCommand(this.ctx, c);
  }

  validateRecipients(c: TaskCommand): void {
    validateRecipients(this.ctx, c);
  }

  command(c: TaskCommand): Promise<CaseSnapshot> {
    return runTaskCommand(this.ctx, c);
  }

  validateWithdraw(): void {
    this.ctx.mustBeOpen();
    if (!this.ctx.graph.options.withdrawable) fail(CASE_FAILURES.notAllowed, 'this process does not allow withdrawing');
    if (this.ctx.reviewerDecided) fail(CASE_FAILURES.notAllowed, 'a reviewer has already decided; the case can no longer be withdrawn');
  }

  async withdraw(actor: Actor, comment?: string): Promise<CaseSnapshot> {
    this.validateWithdraw();
    await this.ctx.finish('withdrawn', null, this.ctx.entry('withdrawn', { actorId: actor.userId, actorName: actor.displayName, comment: comment ?? null }));
    return this.ctx.snapshot();
  }

  async terminate(actor: Actor, comment?: string): Promise<CaseSnapshot> {
    this.ctx.mustBeOpen(true);
    await this.ctx.finish('terminated', null, this.ctx.entry('terminated', { actorId: actor.userId, actorName: actor.displayName, comment: comment ?? null }));
    return this.ctx.snapshot();
  }

  validateModification(m: CaseModification): void {
    validateModification(this.ctx, m);
  }

  /** An operator's retry of the steps stopped at an incident, or a move of the case to another element. */
  modify(m: CaseModification): Promise<CaseSnapshot> {
    return m.kind === 'retry' ? retryIncidents(this.ctx, m) : moveCase(this.ctx, m);
  }

  validateJobReport(r: JobReport): void {
    validateJobReport(this.ctx, r);
  }

  /** A job worker's report on an external job (elements/external-job.ts). */
  async reportJob(r: JobReport): Promise<CaseSnapshot> {
    await reportJob(this.ctx, r);
    return this.ctx.snapshot();
  }

  /** Puts a message in the mailbox; a message catch event waiting for it (now or later) takes it. */
  async deliverMessage(m: MessageDelivery): Promise<CaseSnapshot> {
    const { ctx } = this;
    ctx.mustBeOpen();
    ctx.mailbox.push({ name: m.name, variables: m.variables ?? {}, consumed: false, ...(m.correlationKey !== undefined ? { correlationKey: m.correlationKey } : {}) });
    await ctx.persist({ history: [ctx.entry('message_received', { actorId: m.actor?.userId ?? null, actorName: m.actor?.displayName ?? null, data: { message: m.name, variables: m.variables ?? {} } })] });
    await condition(() => ctx.persister.idle);
    return ctx.snapshot();
  }

  /** A broadcast signal: kept for the waiters it reaches now; nothing when the case has ended. */
  async deliverSignal(s: SignalDelivery): Promise<void> {
    const { ctx } = this;
    if (ctx.finished) return;
    ctx.receiveSignal(s.name, s.variables ?? {});
    await ctx.persist({
      history: [ctx.entry('signal_received', { actorId: s.actor?.userId ?? null, actorName: s.actor?.displayName ?? null, data: { signal: s.name, variables: s.variables ?? {}, ...(s.fromCase ? { fromCase: s.fromCase } : {}) } })],
    });
  }

  mustBeOpen(allowIncident = false): void {
    this.ctx.mustBeOpen(allowIncident);
  }

  snapshot(): CaseSnapshot {
    return this.ctx.snapshot();
  }
}
