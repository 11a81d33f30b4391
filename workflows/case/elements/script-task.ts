import { evaluateFeel } from '../../../lib/bpmn/feel';
import type { ScriptTaskNode } from '../../../lib/bpmn/graph';
import type { CaseContext } from '../context';
import { applyOutputs, hasOutputs, inputLocals } from '../io-mapping';

/**
 * A FEEL script task, as Camunda 8 runs one in the engine: the expression over the element's
 * scope (its inputs over the case's), its value into `resultVariable` — in the case, or, with
 * output mappings, only in their scope (their targets reach the case). A script that fails
 * (an unknown function, a wrong type) throws: the case stops at an incident on this task.
 */
export function scriptTask(ctx: CaseContext, node: ScriptTaskNode): string[] {
  const scope = ctx.feelContext();
  const locals = inputLocals(node, scope);
  const value = evaluateFeel(node.expression, locals ? { ...scope, ...locals } : scope) ?? null;
  const result = { [node.resultVariable]: value };
  const outputs = hasOutputs(node) ? applyOutputs(ctx, node, { ...ctx.feelContext(), ...locals, ...result }) : null;
  if (!outputs) ctx.assign(result);
  ctx.pass(node, 'script_evaluated', { data: { resultVariable: node.resultVariable, ...(outputs ? { outputs } : {}) } });
  return node.outgoing;
}
