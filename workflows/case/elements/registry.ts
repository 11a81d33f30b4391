import { isTimerHost, type GraphNode, type NodeKind } from '../../../lib/bpmn/graph';
import { withTimerBoundaries } from './activity-timers';
import { withListeners } from './execution-listeners';
import type { CaseContext } from '../context';
import { callActivity } from './call-activity';
import { boundaryError, boundaryEscalation, boundaryMessage, boundaryTimer, endEvent, escalationThrow, messageEvent, startEvent, timerEvent } from './events';
import { eventGateway, exclusiveGateway, inclusiveGateway, parallelGateway } from './gateways';
import { scriptTask } from './script-task';
import { businessRuleTask } from './business-rule-task';
import { serviceTask } from './service-task';
import { signalThrow } from './signals';
import { subProcess } from './sub-process';
import { userTask } from './user-task';

/**
 * What a token does at a node of one kind. Answers the flows to leave by: none ends the token,
 * more than one forks it. `fiber` is the token (for what it waits on), `via` the flow it came by.
 * A handler is either synchronous or async as a whole: that shape is recorded behaviour (it
 * orders the commands concurrent tokens issue), so an existing handler keeps the one it has.
 */
export type ElementHandler<N extends GraphNode> = (ctx: CaseContext, node: N, fiber: number, via: string | null) => string[] | Promise<string[]>;

/** One handler per element kind of lib/bpmn/graph.ts; the mapped type makes a missing one a type error. */
export const ELEMENT_HANDLERS: { [K in NodeKind]: ElementHandler<Extract<GraphNode, { kind: K }>> } = {
  start: startEvent,
  end: endEvent,
  userTask,
  serviceTask,
  scriptTask,
  businessRuleTask,
  exclusiveGateway,
  parallelGateway,
  inclusiveGateway,
  eventGateway,
  timerEvent,
  messageEvent,
  boundaryTimer,
  callActivity,
  subProcess,
  boundaryError,
  escalationThrow,
  boundaryEscalation,
  boundaryMessage,
  signalThrow,
};

/** Runs one node for a token (the engine's only dispatch on element kind). */
export async function runElement(ctx: CaseContext, fiber: number, node: GraphNode, via: string | null): Promise<string[]> {
  // ELEMENT_HANDLERS[node.kind] is the handler of exactly this node's kind (the mapped type above).
  const handler = ELEMENT_HANDLERS[node.kind] as ElementHandler<GraphNode>;
  // Execution listeners and timer boundaries on an activity other than a user task run around
  // it (graphs before they were allowed have neither, and take the plain call).
  const work = () => handler(ctx, node, fiber, via);
  const timed = isTimerHost(node) && node.timerBoundaryIds?.length ? () => withTimerBoundaries(ctx, node, fiber, work) : work;
  if (node.listeners?.length) return withListeners(ctx, node, fiber, timed);
  return timed();
}
