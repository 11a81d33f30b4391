import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { createDecisionActivities } from '../../../activities/cases/decisions';
import { literalOrFeel } from '../../../lib/bpmn/feel';
import type { BusinessRuleTaskNode } from '../../../lib/bpmn/graph';
import type { CaseContext } from '../context';
import { Incident } from '../errors';
import { applyOutputs, hasOutputs, inputLocals } from '../io-mapping';

const { evaluateCaseDecision } = proxyActivities<ReturnType<typeof createDecisionActivities>>({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 5 } });

/**
 * A business rule task calling a DMN decision, as Camunda 8 runs one: the latest published
 * version of the decision (activities/cases/decisions.ts) over the element's scope, its result
 * into resultVariable — in the case, or with output mappings only their targets. A decision
 * that is not published or fails is an incident naming it.
 */
export async function businessRuleTask(ctx: CaseContext, node: BusinessRuleTaskNode): Promise<string[]> {
  const scope = ctx.feelContext();
  const locals = inputLocals(node, scope);
  const context = locals ? { ...scope, ...locals } : scope;
  const decisionId = String(literalOrFeel(node.decisionId, context) ?? '');
  let out: Awaited<ReturnType<typeof evaluateCaseDecision>>;
  try {
    out = await ctx.persister.whileBusy(() => evaluateCaseDecision({ decisionId, variables: context }));
  } catch (err) {
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === 'DecisionFailed') throw new Incident(`${node.name || node.id}: ${err.cause.message}`);
    throw err;
  }
  const result = { [node.resultVariable]: out.result ?? null };
  const outputs = hasOutputs(node) ? applyOutputs(ctx, node, { ...ctx.feelContext(), ...locals, ...result }) : null;
  if (!outputs) ctx.assign(result);
  ctx.completed.add(node.id);
  await ctx.persist({ history: [ctx.entry('decision_evaluated', { nodeId: node.id, data: { decisionId, version: out.version, result: out.result ?? null, evaluated: out.evaluated, ...(outputs ? { outputs } : {}) } })] });
  return node.outgoing;
}
