import { condition, getExternalWorkflowHandle, proxyActivities } from '@temporalio/workflow';
import type { EndNode, MessageEventNode, SignalThrowNode } from '../../../lib/bpmn/graph';
import type { CaseActivities } from '../../../activities/cases';
import type { CaseContext } from '../context';
import { deliverSignalSignal } from '../contract';
import { applyOutputs, hasOutputs, inputLocals } from '../io-mapping';

const { signalTargets } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/**
 * Signals (docs/process-engine.md, "Signals"), as Camunda 8 broadcasts them: a signal reaches
 * every case subscribed to its name at that moment — a signal catch event or a user task's
 * signal boundary event waiting — and is not kept for one that starts waiting later. They come
 * from POST /api/signals or from a signal throw or end event of a case.
 */

/** A signal catch event: subscribes by name and waits for the next broadcast of it. */
export async function signalEvent(ctx: CaseContext, node: MessageEventNode, fiber: number): Promise<string[]> {
  const since = ctx.signalsReceived;
  const locals = inputLocals(node, ctx.feelContext());
  const subscription = { nodeId: node.id, messageName: node.messageName, correlationKey: '', kind: 'signal' as const };
  ctx.tokens.waiting.set(fiber, { nodeId: node.id, kind: 'message', detail: node.messageName });
  await ctx.persist({ history: [ctx.entry('signal_awaited', { nodeId: node.id, data: { signal: node.messageName } })], subscriptions: [{ ...subscription, open: true }] });
  await condition(() => ctx.signalAfter(node.messageName, since) !== undefined);
  const signal = ctx.signalAfter(node.messageName, since)!;
  if (hasOutputs(node)) applyOutputs(ctx, node, { ...ctx.feelContext(), ...locals, ...signal.variables });
  else ctx.assign(signal.variables);
  ctx.tokens.waiting.delete(fiber);
  ctx.completed.add(node.id);
  await ctx.persist({ history: [ctx.entry('signal_caught', { nodeId: node.id, data: { signal: node.messageName, variables: signal.variables } })], subscriptions: [{ ...subscription, open: false }] });
  return node.outgoing;
}

/**
 * Broadcasts a signal from this case: to the other cases subscribed now (at most
 * CASE_SIGNAL_FANOUT; a case that ended meanwhile is skipped) and to this case's own waiters.
 * It carries no variables. Each delivery is a command in this case's history, sent once.
 */
export async function broadcastSignal(ctx: CaseContext, node: SignalThrowNode | EndNode, name: string): Promise<void> {
  const targets = await ctx.persister.whileBusy(() => signalTargets({ name, caseId: ctx.input.caseId }));
  let delivered = 0;
  const skipped: string[] = [];
  for (const workflowId of targets.workflowIds) {
    try {
      await getExternalWorkflowHandle(workflowId).signal(deliverSignalSignal, { name, fromCase: ctx.input.caseNumber });
      delivered++;
    } catch {
      skipped.push(workflowId);
    }
  }
  ctx.receiveSignal(name, {});
  ctx.completed.add(node.id);
  await ctx.persist({ history: [ctx.entry('signal_thrown', { nodeId: node.id, data: { signal: name, delivered, skipped: skipped.length, more: targets.more } })] });
}

/** An intermediate signal throw event: broadcasts, then goes on. */
export async function signalThrow(ctx: CaseContext, node: SignalThrowNode): Promise<string[]> {
  await broadcastSignal(ctx, node, node.signalName);
  return node.outgoing;
}
