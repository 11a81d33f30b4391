import type { BoundaryErrorNode, GraphNode } from '../../lib/bpmn/graph';
import type { CaseContext } from './context';
import { applyOutputs, hasOutputs } from './io-mapping';
import { EscalationThrown, type BpmnError } from './errors';

/**
 * Catching BPMN errors (docs/process-engine.md, "Errors"): an error boundary event on the
 * element the error came out of, with the error's code (or none, catching every code), takes
 * the token on (an interrupting escalation leaves the same way, for its escalation boundary
 * event). An error that leaves the process level ends a called case, its caller's call
 * activity throwing it on; in a case nobody called it is an incident.
 */
export function catchError(ctx: CaseContext, node: GraphNode, err: BpmnError): string[] | null {
  if (err instanceof EscalationThrown) {
    // Caught by the boundary publishing chose, once the escalation has left the elements inside it.
    const boundary = ctx.graph.nodes[err.catcher];
    if (boundary?.kind !== 'boundaryEscalation' || boundary.attachedTo !== node.id) return null;
    ctx.completed.add(boundary.id);
    ctx.persister.buffer(ctx.entry('escalation_caught', { nodeId: boundary.id, data: { code: err.code, thrownBy: err.thrownBy, on: node.id, interrupting: true } }));
    return boundary.outgoing;
  }
  const boundaries = Object.values(ctx.graph.nodes).filter((n): n is BoundaryErrorNode => n.kind === 'boundaryError' && n.attachedTo === node.id);
  const boundary = boundaries.find((b) => b.errorCode === err.code) ?? boundaries.find((b) => b.errorCode === null);
  if (!boundary) return null;
  // A job worker's error variables: through the boundary's output mappings (with errorCode and
  // errorMessage), else into the case, as Zeebe propagates them.
  if (hasOutputs(boundary)) applyOutputs(ctx, boundary, { ...ctx.feelContext(), ...err.thrown?.variables, errorCode: err.code, errorMessage: err.thrown?.errorMessage ?? err.message });
  else if (err.thrown) ctx.assign(err.thrown.variables);
  ctx.completed.add(boundary.id);
  ctx.persister.buffer(ctx.entry('error_caught', { nodeId: boundary.id, comment: err.message.slice(0, 2000), data: { code: err.code, thrownBy: err.thrownBy, on: node.id } }));
  return boundary.outgoing;
}

export function endWithError(ctx: CaseContext, err: BpmnError): boolean {
  if (!ctx.input.parentCaseId) return false;
  ctx.thrownError = { code: err.code, message: err.message };
  void ctx.finish('completed', 'error', ctx.entry('error_thrown', { nodeId: err.thrownBy, outcome: 'error', data: { code: err.code } }));
  return true;
}

/** Whether `nodeId` is drawn inside the sub-process `subId`, at any depth. */
export function isInside(ctx: CaseContext, nodeId: string, subId: string): boolean {
  for (let at = ctx.graph.nodes[nodeId]?.scope; at; at = ctx.graph.nodes[at]?.scope) if (at === subId) return true;
  return false;
}
