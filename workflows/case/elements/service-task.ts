import { ActivityFailure, ApplicationFailure, CancellationScope, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { evaluateFeel } from '../../../lib/bpmn/feel';
import type { CallMultiInstance, ServiceTaskNode } from '../../../lib/bpmn/graph';
import { SERVICE_TASK_TYPES } from '../../../lib/bpmn/service-tasks';
import type { HistoryEntry, ServiceTaskResult } from '../../../lib/cases/changes';
import type { CaseContext } from '../context';
import { BpmnError, Incident } from '../errors';
import { applyOutputs, hasOutputs, inputLocals } from '../io-mapping';
import { textUsers } from '../notifications';
import { externalJob } from './external-job';

const SERVICE_TIMEOUT = '1 minute';

/**
 * Service and send tasks: the activity the registry (lib/bpmn/service-tasks.ts) names for the
 * task type, keyed by node and visit so a retried step does its work once. The variables it
 * answers are merged into the case; the texts it asks for go out through the SMS seam.
 */
export async function serviceTask(ctx: CaseContext, node: ServiceTaskNode, fiber: number): Promise<string[]> {
  // Multi-instance (graphs before it was allowed have none): one run per collection element.
  if (node.multiInstance) return serviceLoop(ctx, node, node.multiInstance, fiber);
  return serviceRun(ctx, node, fiber);
}

/**
 * One run of a multi-instance service task: its locals (the element under inputElement and
 * `loopCounter`) and, when outputElement collects the runs' results, the variables the run
 * answered, kept here instead of written to the case.
 */
export interface LoopRun {
  locals: Record<string, unknown>;
  capture: boolean;
  result?: Record<string, unknown>;
}

/**
 * A multi-instance service task or job, as Zeebe runs one: a run per element of inputCollection,
 * all at once or one after another; outputElement over each run's locals and answer is
 * collected, in collection order, into outputCollection. A run that fails ends the others.
 */
async function serviceLoop(ctx: CaseContext, node: ServiceTaskNode, mi: CallMultiInstance, fiber: number): Promise<string[]> {
  const collection = evaluateFeel(mi.inputCollection, ctx.feelContext());
  if (!Array.isArray(collection)) throw new Incident(`inputCollection of ${node.id} is not a list`);
  const runs: LoopRun[] = collection.map((element, i) => ({ locals: { [mi.inputElement]: element, loopCounter: i + 1 }, capture: mi.outputCollection !== null }));
  ctx.pass(node, 'service_instances', { data: { instances: runs.length } });
  const scope = new CancellationScope({ cancellable: true });
  try {
    await scope.run(async () => {
      if (mi.sequential) for (const run of runs) await serviceRun(ctx, node, fiber, run);
      else await Promise.all(runs.map((run) => serviceRun(ctx, node, fiber, run)));
    });
  } catch (err) {
    scope.cancel();
    throw err;
  }
  if (mi.outputCollection && mi.outputElement) {
    const element = mi.outputElement;
    ctx.assign({ [mi.outputCollection]: runs.map((r) => evaluateFeel(element, { ...ctx.feelContext(), ...r.locals, ...r.result }) ?? null) });
  }
  ctx.completed.add(node.id);
  return node.outgoing;
}

/** One run of a service task: a platform activity, or an external job. */
async function serviceRun(ctx: CaseContext, node: ServiceTaskNode, fiber: number, loop?: LoopRun): Promise<string[]> {
  // No platform activity has the type: a job worker's (graphs before external jobs have none).
  if (node.external) return externalJob(ctx, node, fiber, loop);
  const type = SERVICE_TASK_TYPES[node.taskType];
  if (!type) throw new Incident(`service task type ${node.taskType} is not registered in this worker build`);
  const visit = ctx.nextVisit(node.id);
  const activities = proxyActivities<Record<string, (input: unknown) => Promise<ServiceTaskResult>>>({
    startToCloseTimeout: SERVICE_TIMEOUT,
    retry: { maximumAttempts: 5 },
    ...(type.taskQueue ? { taskQueue: type.taskQueue } : {}),
  });
  // Input mappings are local to this run: the activity (and its FEEL headers) sees them.
  const scope = loop ? { ...ctx.feelContext(), ...loop.locals } : ctx.feelContext();
  const mapped = inputLocals(node, scope);
  const locals = loop ? { ...loop.locals, ...mapped } : mapped;
  let result: ServiceTaskResult;
  try {
    result = await ctx.persister.whileBusy(() =>
      activities[type.activity]({
        caseId: ctx.input.caseId,
        caseNumber: ctx.input.caseNumber,
        workflowId: workflowInfo().workflowId,
        nodeId: node.id,
        idempotencyKey: `${workflowInfo().workflowId}/${node.id}#${visit}`,
        taskType: node.taskType,
        headers: node.headers,
        variables: locals ? { ...scope, ...locals } : scope,
        applicantUserId: ctx.input.applicant.userId,
      }),
    );
  } catch (err) {
    // An activity that fails with type "BpmnError" throws a BPMN error (code: its first detail,
    // else its message) for an error boundary event of this task; any other failure is an incident.
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === 'BpmnError') {
      throw new BpmnError(String(err.cause.details?.[0] ?? err.cause.message), node.id, `${node.name || node.id} threw the BPMN error ${String(err.cause.details?.[0] ?? err.cause.message)}: ${err.cause.message}`);
    }
    throw err;
  }
  // With output mappings only their targets reach the case (Camunda 8): the activity's answer
  // is their scope, not merged itself.
  const outputs = hasOutputs(node) ? applyOutputs(ctx, node, { ...ctx.feelContext(), ...locals, ...result?.variables }) : null;
  if (!outputs && result?.variables) {
    if (loop?.capture) loop.result = result.variables;
    else ctx.assign(result.variables);
  }
  // Messages the step asked for go out through the SMS seam; only activities that answer
  // `sms` take this path, so histories recorded before it replay unchanged.
  const texts: HistoryEntry[] = [];
  for (const [i, m] of (result?.sms ?? []).entries()) {
    const sent = await textUsers(ctx, m.userIds, m.text, `${node.id}#${visit}/sms${i}`);
    texts.push(ctx.entry('sms_sent', { nodeId: node.id, comment: m.text, data: { ...sent } }));
  }
  ctx.completed.add(node.id);
  await ctx.persist({
    history: [...texts, ctx.entry(node.send ? 'message_sent' : 'service_completed', { nodeId: node.id, comment: result?.note ?? null, data: { type: node.taskType, variables: result?.variables ?? {}, ...(outputs ? { outputs } : {}) } })],
  });
  return node.outgoing;
}
