import { feelCondition } from '../../../lib/bpmn/feel';
import type { ExclusiveGatewayNode, ParallelGatewayNode } from '../../../lib/bpmn/graph';
import type { CaseContext } from '../context';
import { Incident } from '../errors';

/** Gateways: exclusive (FEEL conditions, default flow) and parallel (fork and join). */

/** The first outgoing flow whose condition holds, in document order; else the default. */
export function exclusiveGateway(ctx: CaseContext, node: ExclusiveGatewayNode): string[] {
  return [chooseBranch(ctx, node)];
}

function chooseBranch(ctx: CaseContext, node: ExclusiveGatewayNode): string {
  const context = ctx.feelContext();
  for (const flowId of node.outgoing) {
    const flow = ctx.graph.flows[flowId];
    if (flowId === node.defaultFlow) continue;
    if (flow.condition === null && node.outgoing.length === 1) {
      ctx.pass(node, 'node_passed', { data: { flow: flowId } });
      return flowId;
    }
    if (flow.condition !== null && feelCondition(flow.condition, context)) {
      ctx.pass(node, 'node_passed', { data: { flow: flowId } });
      return flowId;
    }
  }
  if (node.defaultFlow) {
    ctx.pass(node, 'node_passed', { data: { flow: node.defaultFlow, default: true } });
    return node.defaultFlow;
  }
  throw new Incident(`no branch of gateway ${node.id} matched and it has no default flow`);
}

/** Fork: a token per outgoing flow. Join: the last token to arrive goes on once every incoming flow has one. */
export function parallelGateway(ctx: CaseContext, node: ParallelGatewayNode, _fiber: number, via: string | null): string[] {
  if (node.incoming.length > 1) {
    const arrived = ctx.tokens.arrivals(node.id);
    if (via) arrived[via] = (arrived[via] ?? 0) + 1;
    if (!node.incoming.every((f) => (arrived[f] ?? 0) > 0)) return [];
    for (const f of node.incoming) arrived[f] -= 1;
  }
  ctx.pass(node, 'node_passed');
  return node.outgoing;
}
