import { condition, patched, sleep } from '@temporalio/workflow';
import { PATCH_MESSAGE_TAKEN_FIRST } from '../patches';
import { evaluateFeel } from '../../../lib/bpmn/feel';
import type { BoundaryErrorNode, BoundaryEscalationNode, BoundaryMessageNode, BoundaryTimerNode, EndNode, EscalationThrowNode, MessageEventNode, StartNode, ThrownEscalation, TimerEventNode } from '../../../lib/bpmn/graph';
import { takes, type CaseContext } from '../context';
import { BpmnError, EscalationThrown, Incident } from '../errors';
import { applyOutputs, hasOutputs, inputLocals } from '../io-mapping';
import { currentLocals } from '../variable-scopes';
import { timerDelay } from '../timers';
import { serviceTask } from './service-task';
import { broadcastSignal, signalEvent } from './signals';

/** Events: start, end (plain, terminate, error, escalation), intermediate timer and message catch, escalation throw, boundary timer, error and escalation. */

export function startEvent(ctx: CaseContext, node: StartNode): string[] {
  // Output mappings over the start variables (graphs before they were read have none).
  if (hasOutputs(node)) applyOutputs(ctx, node, ctx.feelContext());
  ctx.pass(node, 'node_passed');
  return node.outgoing;
}

/** A plain end ends its token (the case completes when none is left); a terminate end ends the case. */
export async function endEvent(ctx: CaseContext, node: EndNode, fiber: number): Promise<string[]> {
  // A message end event's job sends the message first (graphs before them have none).
  if (node.sendJob) await serviceTask(ctx, node.sendJob, fiber);
  ctx.completed.add(node.id);
  // An end inside a sub-process ends its token only: the case's result is the process level's.
  // An interrupting event sub-process has taken the case over: its end gives the result.
  if (!node.scope || interruptingEventSub(ctx, node.scope)) ctx.lastEndResult = node.result;
  // Output mappings of an end event: written with the batch that ends the token or the case.
  if (hasOutputs(node)) applyOutputs(ctx, node, ctx.feelContext());
  if (node.errorCode) {
    ctx.persister.buffer(ctx.entry('error_end_reached', { nodeId: node.id, data: { code: node.errorCode } }));
    throw new BpmnError(node.errorCode, node.id);
  }
  if (node.signal) {
    await broadcastSignal(ctx, node, node.signal);
    ctx.persister.buffer(ctx.entry('end_reached', { nodeId: node.id, outcome: node.result }));
    return [];
  }
  if (node.escalation) {
    // The token ends here either way; an interrupting catcher ends the sub-processes up to it.
    throwEscalation(ctx, node, node.escalation, fiber);
    return [];
  }
  if (node.terminate) {
    await ctx.finish('completed', node.result, ctx.entry('terminated_by_end', { nodeId: node.id, outcome: node.result }));
  } else {
    ctx.persister.buffer(ctx.entry('end_reached', { nodeId: node.id, outcome: node.result }));
  }
  return [];
}

function interruptingEventSub(ctx: CaseContext, scope: string): boolean {
  const sub = ctx.graph.nodes[scope];
  return sub?.kind === 'subProcess' && !sub.scope && (sub.trigger?.kind === 'error' || (sub.trigger?.kind === 'timer' && sub.trigger.interrupting));
}

/** A durable Temporal timer; the snapshot shows when it fires. */
export async function timerEvent(ctx: CaseContext, node: TimerEventNode, fiber: number): Promise<string[]> {
  const locals = inputLocals(node, ctx.feelContext());
  const ms = timerDelay(ctx, node.timer, locals ?? undefined);
  const until = new Date(Date.now() + ms).toISOString();
  ctx.tokens.waiting.set(fiber, { nodeId: node.id, kind: 'timer', detail: until });
  await ctx.persist({ history: [ctx.entry('timer_started', { nodeId: node.id, data: { until } })] });
  await sleep(ms);
  ctx.tokens.waiting.delete(fiber);
  ctx.completed.add(node.id);
  if (hasOutputs(node)) applyOutputs(ctx, node, { ...ctx.feelContext(), ...locals });
  await ctx.persist({ history: [ctx.entry('timer_fired', { nodeId: node.id })] });
  return node.outgoing;
}

/**
 * Waits for a message (update "deliverMessage") by name; one that came before the token is
 * already in the mailbox. Its variables become case variables (with output mappings: only their
 * targets, the message's variables being their scope). The subscription row tells
 * outside systems what the case waits for and under which correlation key.
 */
export async function messageEvent(ctx: CaseContext, node: MessageEventNode, fiber: number): Promise<string[]> {
  // A signal catch event shares the node shape; graphs before signals have none.
  if (node.signal) return signalEvent(ctx, node, fiber);
  // Input mappings are local to this wait: the correlation key and the output mappings see them.
  const scope = ctx.feelContext();
  const locals = inputLocals(node, scope);
  const key = String(node.correlationKey ? evaluateFeel(node.correlationKey, locals ? { ...scope, ...locals } : scope) : ctx.input.caseNumber);
  // Each run of a multi-instance sub-process waits under a subscription of its own (the table
  // keeps one per case and element id); elsewhere the element id, as always.
  const run = currentLocals().find((l) => typeof l.loopCounter === 'number')?.loopCounter;
  const subscriptionId = run === undefined ? node.id : `${node.id}#${String(run)}`;
  ctx.tokens.waiting.set(fiber, { nodeId: node.id, kind: 'message', detail: node.messageName });
  await ctx.persist({
    history: [ctx.entry('message_awaited', { nodeId: node.id, data: { message: node.messageName, correlationKey: key } })],
    subscriptions: [{ nodeId: subscriptionId, messageName: node.messageName, correlationKey: key, open: true }],
  });
  await condition(() => ctx.mailbox.some((m) => takes(m, node.messageName, key)));
  let message = ctx.mailbox.find((m) => takes(m, node.messageName, key));
  // Two waiters for one message woken together: the first takes it, the other waits for the
  // next (cases before the patch raised an incident here, and replay so).
  while (!message && patched(PATCH_MESSAGE_TAKEN_FIRST)) {
    await condition(() => ctx.mailbox.some((m) => takes(m, node.messageName, key)));
    message = ctx.mailbox.find((m) => takes(m, node.messageName, key));
  }
  if (!message) throw new Incident(`message ${node.messageName} for ${node.id} vanished from the mailbox`);
  message.consumed = true;
  if (hasOutputs(node)) applyOutputs(ctx, node, { ...ctx.feelContext(), ...locals, ...message.variables });
  else ctx.assign(message.variables);
  ctx.tokens.waiting.delete(fiber);
  ctx.completed.add(node.id);
  await ctx.persist({
    history: [ctx.entry('message_consumed', { nodeId: node.id, data: { message: node.messageName, variables: message.variables } })],
    subscriptions: [{ nodeId: subscriptionId, messageName: node.messageName, correlationKey: key, open: false }],
  });
  return node.outgoing;
}

/** Reached only through the attached task's messages (boundary-timers.ts); a token arriving here just leaves. */
export function boundaryMessage(_ctx: CaseContext, node: BoundaryMessageNode): string[] {
  return node.outgoing;
}

/** Reached only through the attached task's timers (boundary-timers.ts); a token arriving here just leaves. */
export function boundaryTimer(_ctx: CaseContext, node: BoundaryTimerNode): string[] {
  return node.outgoing;
}

/** Reached only when its error is caught (bpmn-errors.ts); a token arriving here just leaves. */
export function boundaryError(_ctx: CaseContext, node: BoundaryErrorNode): string[] {
  return node.outgoing;
}

/** An intermediate escalation throw event: throws, then goes on unless its catcher interrupts. */
export function escalationThrow(ctx: CaseContext, node: EscalationThrowNode, fiber: number): string[] {
  throwEscalation(ctx, node, node.escalation, fiber);
  return node.outgoing;
}

/** A non-interrupting escalation boundary's token, started beside the sub-process: it leaves by its flows. */
export function boundaryEscalation(_ctx: CaseContext, node: BoundaryEscalationNode): string[] {
  return node.outgoing;
}

/**
 * Throws an escalation to the boundary publishing resolved (none: it is noted and the thrower
 * goes on, as in Zeebe). An interrupting catcher: thrown as an exception that ends every
 * sub-process up to the one it is attached to. A non-interrupting one: a token starts at it,
 * beside that sub-process, and the thrower goes on.
 */
function throwEscalation(ctx: CaseContext, node: EscalationThrowNode | EndNode, escalation: ThrownEscalation, fiber: number): void {
  const catcher = escalation.catcher ? ctx.graph.nodes[escalation.catcher] : undefined;
  ctx.pass(node, 'escalation_thrown', { data: { code: escalation.code, caughtBy: catcher?.id ?? null } });
  if (catcher?.kind !== 'boundaryEscalation') return;
  if (catcher.interrupting) throw new EscalationThrown(escalation.code, node.id, catcher.id);
  ctx.persister.buffer(ctx.entry('escalation_caught', { nodeId: catcher.id, data: { code: escalation.code, thrownBy: node.id, on: catcher.attachedTo, interrupting: false } }));
  ctx.completed.add(catcher.id);
  ctx.tokens.spawnBeside(fiber, catcher.attachedTo, catcher.id);
}
