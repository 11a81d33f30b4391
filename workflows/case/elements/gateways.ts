import { condition } from '@temporalio/workflow';
import { evaluateFeel, feelCondition } from '../../../lib/bpmn/feel';
import type { EventGatewayNode, ExclusiveGatewayNode, InclusiveGatewayNode, MessageEventNode, ParallelGatewayNode, TimerEventNode } from '../../../lib/bpmn/graph';
import { takes, type CaseContext } from '../context';
import { Incident } from '../errors';
import { applyOutputs, hasOutputs, inputLocals } from '../io-mapping';
import { timerDelay } from '../timers';

/** Gateways: exclusive (FEEL conditions, default flow), parallel (fork and join), inclusive and event-based. */

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

/**
 * Inclusive. Join (several incoming flows): the first token to arrive waits until no other live
 * token stands where it could still reach this gateway (Zeebe's rule); tokens that arrive
 * meanwhile end here, merged into it. Fork: every outgoing flow whose condition holds, else the
 * default flow; none is an incident.
 */
export async function inclusiveGateway(ctx: CaseContext, node: InclusiveGatewayNode, fiber: number): Promise<string[]> {
  if (node.incoming.length > 1) {
    const join = ctx.tokens.inclusiveJoin(node.id);
    const round = join.fired;
    const upstream = new Set(node.upstream);
    const mayStillArrive = () => [...ctx.tokens.positions.entries()].some(([other, at]) => other !== fiber && at !== node.id && upstream.has(at));
    await condition(() => join.fired > round || !mayStillArrive());
    if (join.fired > round) return [];
    join.fired = round + 1;
  }
  const context = ctx.feelContext();
  const taken = node.outgoing.filter((f) => f !== node.defaultFlow && (ctx.graph.flows[f].condition === null || feelCondition(ctx.graph.flows[f].condition!, context)));
  if (taken.length === 0 && node.defaultFlow) taken.push(node.defaultFlow);
  if (taken.length === 0) throw new Incident(`no branch of inclusive gateway ${node.id} matched and it has no default flow`);
  ctx.pass(node, 'node_passed', { data: { flows: taken } });
  return taken;
}

/**
 * Event-based: the token waits for whichever of the catch events after the gateway happens
 * first — a message in the mailbox (it may have come early) or the earliest timer — and leaves
 * by that event's flows; the other subscriptions close. The event's output mappings apply.
 */
export async function eventGateway(ctx: CaseContext, node: EventGatewayNode, fiber: number): Promise<string[]> {
  const targets = node.outgoing.map((f) => ctx.graph.nodes[ctx.graph.flows[f].target]);
  const messages = targets.filter((t): t is MessageEventNode => t.kind === 'messageEvent');
  const timers = targets.filter((t): t is TimerEventNode => t.kind === 'timerEvent');
  const scope = ctx.feelContext();
  const keys = messages.map((m) => String(m.correlationKey ? evaluateFeel(m.correlationKey, { ...scope, ...inputLocals(m, scope) }) : ctx.input.caseNumber));
  const delays = timers.map((t) => timerDelay(ctx, t.timer, inputLocals(t, scope) ?? undefined));
  const earliest = delays.length ? Math.min(...delays) : null;
  const timer = earliest === null ? null : timers[delays.indexOf(earliest)];
  const until = earliest === null ? null : new Date(Date.now() + earliest).toISOString();
  ctx.tokens.waiting.set(fiber, messages.length ? { nodeId: node.id, kind: 'message', detail: messages.map((m) => m.messageName).join(' / ') } : { nodeId: node.id, kind: 'timer', detail: until! });
  ctx.pass(node, 'node_passed');
  await ctx.persist({
    history: [ctx.entry('events_awaited', { nodeId: node.id, data: { messages: messages.map((m, i) => ({ message: m.messageName, correlationKey: keys[i] })), until } })],
    subscriptions: messages.map((m, i) => ({ nodeId: m.id, messageName: m.messageName, correlationKey: keys[i], open: true })),
  });
  const arrived = () => messages.find((m, i) => ctx.mailbox.some((x) => takes(x, m.messageName, keys[i])));
  const came = earliest === null ? (await condition(() => arrived() !== undefined), true) : await condition(() => arrived() !== undefined, earliest);
  ctx.tokens.waiting.delete(fiber);
  const closed = messages.map((m, i) => ({ nodeId: m.id, messageName: m.messageName, correlationKey: keys[i], open: false }));
  const winner = came ? arrived() : undefined;
  if (winner) {
    const message = ctx.mailbox.find((x) => takes(x, winner.messageName, keys[messages.indexOf(winner)]))!;
    message.consumed = true;
    if (hasOutputs(winner)) applyOutputs(ctx, winner, { ...ctx.feelContext(), ...inputLocals(winner, scope), ...message.variables });
    else ctx.assign(message.variables);
    ctx.completed.add(winner.id);
    await ctx.persist({ history: [ctx.entry('message_consumed', { nodeId: winner.id, data: { message: winner.messageName, variables: message.variables } })], subscriptions: closed });
    return winner.outgoing;
  }
  if (!timer) throw new Incident(`event-based gateway ${node.id} stopped waiting with no event`); // no timer: the wait above ends only with a message
  if (hasOutputs(timer)) applyOutputs(ctx, timer, { ...ctx.feelContext(), ...inputLocals(timer, scope) });
  ctx.completed.add(timer.id);
  await ctx.persist({ history: [ctx.entry('timer_fired', { nodeId: timer.id })], subscriptions: closed });
  return timer.outgoing;
}
