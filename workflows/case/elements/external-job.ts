import { condition, isCancellation } from '@temporalio/workflow';
import { isExpression, literalOrFeel } from '../../../lib/bpmn/feel';
import type { ServiceTaskNode } from '../../../lib/bpmn/graph';
import { CASE_FAILURES, type JobReport } from '../contract';
import type { CaseContext } from '../context';
import { BpmnError, fail, Incident } from '../errors';
import { applyOutputs, hasOutputs, inputLocals } from '../io-mapping';
import type { LoopRun } from './service-task';

/** An external job the workflow waits on: the report a worker sent, and whether the token has acted on it. */
export interface OpenJob {
  nodeId: string;
  type: string;
  report: JobReport | null;
  settled: boolean;
}

/**
 * A service task no platform activity does: an external job, as Zeebe's job workers take them
 * (docs/process-engine.md, "External jobs"). The token opens a job row with the variables the
 * worker receives (its inputs over the case's), then waits for the worker's report, sent as the
 * update "reportJob" (api/routes/jobs.ts): complete (its variables into the case, or only the
 * output mappings' targets), a BPMN error (for an error boundary), or a failure with no retries
 * left (an incident; a retry opens a new job). Locking, timeouts and failures with retries left
 * are the job row's (db/cases/jobs.ts) and never reach the workflow. A step that ends otherwise
 * (an interrupting boundary, a move, the case's end) cancels the job.
 */
export async function externalJob(ctx: CaseContext, node: ServiceTaskNode, fiber: number, loop?: LoopRun): Promise<string[]> {
  const key = `${node.id}#${ctx.nextVisit(node.id)}`;
  // A multi-instance run's locals (its element, loopCounter) come first, its input mappings over them.
  const scope = loop ? { ...ctx.feelContext(), ...loop.locals } : ctx.feelContext();
  const mapped = inputLocals(node, scope);
  const locals = loop ? { ...loop.locals, ...mapped } : mapped;
  // A type given as an expression is evaluated in the element's scope as the job opens (Zeebe).
  const type = jobType(node, locals ? { ...scope, ...locals } : scope);
  const job: OpenJob = { nodeId: node.id, type, report: null, settled: false };
  ctx.jobs.set(key, job);
  ctx.tokens.waiting.set(fiber, { nodeId: node.id, kind: 'job', detail: type });
  const close = (status: 'completed' | 'error' | 'failed' | 'cancelled') => ({ key, open: false as const, status, closedAt: new Date().toISOString() });
  try {
    await ctx.persist({
      history: [ctx.entry('job_created', { nodeId: node.id, data: { type, key } })],
      jobs: [{ key, open: true, nodeId: node.id, type: type, retries: node.retries ?? 3, headers: node.headers, variables: locals ? { ...scope, ...locals } : scope, createdAt: new Date().toISOString() }],
    });
    await condition(() => job.report !== null);
    const report = job.report!;
    ctx.tokens.waiting.delete(fiber);
    const by = { worker: report.worker };
    if (report.kind === 'fail') {
      await ctx.persist({ jobs: [close('failed')], history: [ctx.entry('job_failed', { nodeId: node.id, comment: report.errorMessage.slice(0, 2000), data: { type, key, ...by } })] });
      throw new Incident(`the job ${type} of ${node.name || node.id} failed with no retries left: ${report.errorMessage}`);
    }
    if (report.kind === 'error') {
      // Zeebe sets a thrown error's variables where the error is caught: the catching boundary does (bpmn-errors.ts).
      await ctx.persist({ jobs: [close('error')], history: [ctx.entry('job_error_thrown', { nodeId: node.id, comment: report.errorMessage ?? null, data: { type, key, code: report.errorCode, ...by } })] });
      throw new BpmnError(report.errorCode, node.id, `${node.name || node.id} threw the BPMN error ${report.errorCode}${report.errorMessage ? `: ${report.errorMessage}` : ''}`, {
        errorMessage: report.errorMessage ?? null,
        variables: report.variables ?? {},
      });
    }
    const variables = report.variables ?? {};
    // With output mappings only their targets reach the case (Camunda 8), as for platform activities.
    const outputs = hasOutputs(node) ? applyOutputs(ctx, node, { ...ctx.feelContext(), ...locals, ...variables }) : null;
    if (!outputs) {
      if (loop?.capture) loop.result = variables;
      else ctx.assign(variables);
    }
    ctx.completed.add(node.id);
    await ctx.persist({
      jobs: [close('completed')],
      history: [ctx.entry(node.send ? 'message_sent' : 'job_completed', { nodeId: node.id, data: { type, key, variables, ...(outputs ? { outputs } : {}), ...by } })],
    });
    return node.outgoing;
  } catch (err) {
    // Cancelled with the case's end, the case's last batch closed the job (context.ts finish);
    // otherwise (a move, an interrupting boundary) the token does, in a write that is not
    // cancellable (persister.ts) although its scope is gone.
    if (isCancellation(err) && ctx.jobs.has(key)) {
      ctx.tokens.waiting.delete(fiber);
      await ctx.persist({ jobs: [close('cancelled')] });
    }
    throw err;
  } finally {
    job.settled = true;
    ctx.jobs.delete(key);
  }
}

function jobType(node: ServiceTaskNode, scope: Record<string, unknown>): string {
  if (!isExpression(node.taskType)) return node.taskType;
  const value = literalOrFeel(node.taskType, scope);
  if (typeof value !== 'string' || !value.trim() || value.length > 128) throw new Incident(`the task type of ${node.name || node.id} (${node.taskType}) is not a job type: ${JSON.stringify(value ?? null).slice(0, 100)}`);
  return value.trim();
}

/** The update's validator (and the handler's re-check): a job this case waits on now, of the type the worker claims. */
export function validateJobReport(ctx: CaseContext, r: JobReport): OpenJob {
  ctx.mustBeOpen();
  const job = ctx.jobs.get(r.jobKey);
  if (!job || job.report !== null) fail(CASE_FAILURES.jobNotOpen, `job ${r.jobKey} is not open`);
  if (job.type !== r.type) fail(CASE_FAILURES.notAllowed, `job ${r.jobKey} is of type ${job.type}, not ${r.type}`);
  if (r.kind === 'error' && !r.errorCode.trim()) fail(CASE_FAILURES.notAllowed, 'a BPMN error needs a code');
  return job;
}

/** Hands the report to the waiting token and answers once it has acted on it and written the outcome. */
export async function reportJob(ctx: CaseContext, r: JobReport): Promise<void> {
  const job = validateJobReport(ctx, r);
  job.report = r;
  await condition(() => job.settled);
  await condition(() => ctx.persister.idle);
}
