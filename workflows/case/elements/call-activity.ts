import { CancellationScope, executeChild, ParentClosePolicy, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { evaluateFeel, literalOrFeel } from '../../../lib/bpmn/feel';
import type { CallActivityNode } from '../../../lib/bpmn/graph';
import { startingCaseSearchAttributes } from '../../../lib/temporal/search-attributes';
import type { CaseActivities } from '../../../activities/cases';
import type { caseWorkflow } from '../../case-workflow';
import type { CaseSnapshot } from '../contract';
import type { CaseContext } from '../context';
import { BpmnError, Incident } from '../errors';
import { applyOutputs, hasOutputs, inputLocals } from '../io-mapping';
import { visibleVariables } from '../variable-scopes';

const { prepareChildCase } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/**
 * Call activities: each child is a case of the called process with a row of its own (linked to
 * this case by parent_case_id) and a Temporal child workflow running it. The token waits until
 * every child has ended; a child that ends other than completed stops this case with an
 * incident (a retry calls again). Ending or moving this case cancels its children, which end
 * as terminated. Variables, as Zeebe passes them:
 * - in: every case variable (unless propagateAllParentVariables="false"), plus the input
 *   mappings and, for a multi-instance call, the element under inputElement;
 * - out: a single call merges every variable of the child (unless propagateAllChildVariables
 *   ="false"), or only the targets of its output mappings; a multi-instance call collects one
 *   outputElement per child into outputCollection (and applies output mappings per child).
 */
export async function callActivity(ctx: CaseContext, node: CallActivityNode): Promise<string[]> {
  const visit = ctx.nextVisit(node.id);
  const scope = ctx.feelContext();
  const mi = node.multiInstance;
  const collection = mi ? evaluateFeel(mi.inputCollection, scope) : [undefined];
  if (!Array.isArray(collection)) throw new Incident(`inputCollection of ${node.id} is not a list`);

  const runChild = async (element: unknown, index: number) => {
    const item = mi ? { [mi.inputElement]: element } : {};
    const locals = { ...item, ...inputLocals(node, { ...scope, ...item }) };
    const processKey = String(literalOrFeel(node.processId, { ...scope, ...locals }) ?? '');
    if (!processKey) throw new Incident(`the processId of ${node.id} gave no process key`);
    const parentKey = `${node.id}-${visit}-${index + 1}`;
    const input = await ctx.persister.whileBusy(() =>
      prepareChildCase({
        parentCaseId: ctx.input.caseId,
        workflowId: `${workflowInfo().workflowId}.${parentKey}`,
        parentKey,
        processKey,
        variables: { ...(node.propagateAllParentVariables ? visibleVariables(ctx.vars) : {}), ...locals },
        smsTaskQueue: ctx.input.smsTaskQueue ?? null,
      }),
    );
    await ctx.persist({ history: [ctx.entry('child_case_started', { nodeId: node.id, data: { caseId: input.caseId, caseNumber: input.caseNumber, processKey } })] });
    const { workflowId, ...args } = input;
    const result: CaseSnapshot = await executeChild<typeof caseWorkflow>('caseWorkflow', {
      workflowId,
      args: [args],
      // A parent closed without ending its children (terminated from outside) still asks them to stop.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      typedSearchAttributes: startingCaseSearchAttributes({ processKey, districtCode: args.scope.districtCode, organisationId: args.scope.organisationId }),
    });
    await ctx.persist({ history: [ctx.entry('child_case_ended', { nodeId: node.id, outcome: result.result, data: { caseId: input.caseId, caseNumber: input.caseNumber, status: result.status } })] });
    // A BPMN error the child did not catch: thrown on here, for an error boundary of this call activity.
    if (result.thrownError) throw new BpmnError(result.thrownError.code, node.id, `the called case ${input.caseNumber} ended with the BPMN error ${result.thrownError.code}`);
    if (result.status !== 'completed') throw new Incident(`the called case ${input.caseNumber} (${processKey}) ended ${result.status}, not completed`);
    return { locals, variables: result.variables };
  };

  // In a scope of their own: when one child fails or throws, the others still running are ended.
  const calls = new CancellationScope({ cancellable: true });
  const children: Array<Awaited<ReturnType<typeof runChild>>> = [];
  try {
    await calls.run(async () => {
      if (mi?.sequential) {
        for (const [i, element] of collection.entries()) children.push(await runChild(element, i));
      } else {
        children.push(...(await Promise.all(collection.map((element, i) => runChild(element, i)))));
      }
    });
  } catch (err) {
    calls.cancel();
    throw err;
  }

  for (const child of children) {
    if (hasOutputs(node)) applyOutputs(ctx, node, { ...ctx.feelContext(), ...child.locals, ...child.variables });
    else if (!mi && node.propagateAllChildVariables) ctx.assign(child.variables);
  }
  if (mi?.outputCollection && mi.outputElement) {
    const element = mi.outputElement;
    ctx.assign({ [mi.outputCollection]: children.map((c) => evaluateFeel(element, { ...c.variables, ...c.locals }) ?? null) });
  }
  ctx.completed.add(node.id);
  await ctx.persist({ history: [ctx.entry('call_completed', { nodeId: node.id, data: { children: children.length } })] });
  return node.outgoing;
}
