import { CancellationScope, condition } from '@temporalio/workflow';
import { evaluateFeel } from '../../../lib/bpmn/feel';
import type { CallMultiInstance, SubProcessNode } from '../../../lib/bpmn/graph';
import { isInside } from '../bpmn-errors';
import type { CaseContext } from '../context';
import { Incident } from '../errors';
import { applyOutputs, hasOutputs, inputLocals } from '../io-mapping';
import { closeInstance } from '../task-instances';
import type { TokenGroup } from '../tokens';
import { bindLocals } from '../variable-scopes';

/**
 * An embedded sub-process: one token starts at its start event, in a group of its own (the
 * tokens it forks join it) running in a cancellation scope of its own; this token waits until
 * none of them is left, then leaves by the sub-process's own flows. A BPMN error nobody inside
 * catches cancels the group, closes its open tasks and is thrown on from the sub-process, where
 * an error boundary event may catch it. Ending or moving the case cancels them with the rest.
 *
 * Its input mappings are local variables of the run (variable-scopes.ts): the elements inside
 * see them, nothing outside does; its output mappings are evaluated when it completes, over the
 * case's variables and those locals. A multi-instance sub-process runs the body once per
 * element of its inputCollection — all at once, or one after another when sequential — each run
 * in a group and scope of its own whose locals are the element (under inputElement),
 * `loopCounter` (1, 2, …) and its input mappings; outputElement over each run's variables is
 * collected, in collection order, into outputCollection.
 */
export async function subProcess(ctx: CaseContext, node: SubProcessNode, fiber: number): Promise<string[]> {
  // Graphs with mappings or a loop (which could not be published before) take the scoped path;
  // every other sub-process runs exactly as it always has (same code, same awaits).
  if (node.multiInstance || node.ioMapping) return scopedRuns(ctx, node, node.multiInstance ?? null, fiber);
  const inner: TokenGroup = { live: 0, scope: new CancellationScope({ cancellable: true }), subProcessId: node.id, parent: ctx.tokens.groupOf(fiber) };
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

/** Runs with local variables: one for mappings only, one per element for a loop. */
async function scopedRuns(ctx: CaseContext, node: SubProcessNode, mi: CallMultiInstance | null, fiber: number): Promise<string[]> {
  const scope = ctx.feelContext();
  const collection = mi ? evaluateFeel(mi.inputCollection, scope) : [undefined];
  if (!Array.isArray(collection)) throw new Incident(`inputCollection of ${node.id} is not a list`);
  const localsOf = (element: unknown, index: number): Record<string, unknown> => {
    const item = mi ? { [mi.inputElement]: element, loopCounter: index + 1 } : {};
    return { ...item, ...inputLocals(node, { ...scope, ...item }) };
  };
  ctx.pass(node, 'subprocess_started', mi ? { data: { instances: collection.length } } : {});
  const runs: Array<{ group: TokenGroup; locals: Record<string, unknown> }> = [];
  const start = (element: unknown, index: number) => {
    const group: TokenGroup = { live: 0, scope: new CancellationScope({ cancellable: true }), subProcessId: node.id, parent: ctx.tokens.groupOf(fiber) };
    const locals = localsOf(element, index);
    bindLocals(group.scope!, locals);
    runs.push({ group, locals });
    ctx.tokens.spawn(node.startNodeId, null, undefined, group);
    return group;
  };
  const failed = () => runs.find((r) => r.group.error)?.group.error;
  if (mi?.sequential) {
    for (const [i, element] of collection.entries()) {
      const group = start(element, i);
      await condition(() => group.live === 0);
      if (group.error) break;
    }
  } else {
    collection.forEach((element, i) => start(element, i));
    // One run's uncaught BPMN error ends the others too.
    await condition(() => runs.every((r) => r.group.live === 0) || failed() !== undefined);
  }
  const error = failed();
  if (error) {
    // The other runs end with it; marked with the error, their cancelled tokens count as done
    // (tokens.ts), as those of the run that threw do.
    for (const r of runs) {
      r.group.error ??= error;
      r.group.scope!.cancel();
    }
    await condition(() => runs.every((r) => r.group.live === 0));
    return interrupted(ctx, node, error);
  }
  const results: Record<string, unknown> = {};
  if (mi?.outputCollection && mi.outputElement) {
    const element = mi.outputElement;
    results[mi.outputCollection] = runs.map((r) => evaluateFeel(element, { ...ctx.feelContext(), ...r.locals }) ?? null);
    ctx.assign(results);
  }
  const outputs = !mi && hasOutputs(node) ? applyOutputs(ctx, node, { ...ctx.feelContext(), ...runs[0].locals }) : null;
  await ctx.persist({ history: [ctx.entry('subprocess_completed', { nodeId: node.id, ...(mi || outputs ? { data: { ...results, ...(outputs ? { outputs } : {}) } } : {}) })] });
  return node.outgoing;
}

/** A BPMN error left a run: its open tasks close and the error is thrown on from the sub-process. */
async function interrupted(ctx: CaseContext, node: SubProcessNode, error: NonNullable<TokenGroup['error']>): Promise<never> {
  const closing = ctx
    .openInstances()
    .filter((i) => isInside(ctx, i.nodeId, node.id))
    .map((i) => closeInstance(i, 'cancelled'));
  await ctx.persist({ taskPatches: closing, history: [ctx.entry('subprocess_interrupted', { nodeId: node.id, data: { code: error.code, thrownBy: error.thrownBy } })] });
  throw error;
}
