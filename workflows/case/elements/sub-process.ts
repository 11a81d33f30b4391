import { CancellationScope, condition } from '@temporalio/workflow';
import type { SubProcessNode } from '../../../lib/bpmn/graph';
import { isInside } from '../bpmn-errors';
import type { CaseContext } from '../context';
import { closeInstance } from '../task-instances';
import type { TokenGroup } from '../tokens';

/**
 * An embedded sub-process: one token starts at its start event, in a group of its own (the
 * tokens it forks join it) running in a cancellation scope of its own; this token waits until
 * none of them is left, then leaves by the sub-process's own flows. A BPMN error nobody inside
 * catches cancels the group, closes its open tasks and is thrown on from the sub-process, where
 * an error boundary event may catch it. Ending or moving the case cancels them with the rest.
 */
export async function subProcess(ctx: CaseContext, node: SubProcessNode): Promise<string[]> {
  const inner: TokenGroup = { live: 0, scope: new CancellationScope({ cancellable: true }) };
  ctx.pass(node, 'subprocess_started');
  ctx.tokens.spawn(node.startNodeId, null, undefined, inner);
  await condition(() => inner.live === 0);
  if (inner.error) {
    const error = inner.error;
    const closing = ctx
      .openInstances()
      .filter((i) => isInside(ctx, i.nodeId, node.id))
      .map((i) => closeInstance(i, 'cancelled'));
    await ctx.persist({ taskPatches: closing, history: [ctx.entry('subprocess_interrupted', { nodeId: node.id, data: { code: error.code, thrownBy: error.thrownBy } })] });
    throw error;
  }
  await ctx.persist({ history: [ctx.entry('subprocess_completed', { nodeId: node.id })] });
  return node.outgoing;
}
