import { evaluateFeel, isExpression } from '../../lib/bpmn/feel';
import type { GraphNode, VariableMapping } from '../../lib/bpmn/graph';
import type { CaseContext } from './context';
import { Incident } from './errors';

/**
 * zeebe:ioMapping in a running case (Camunda 8 semantics). Inputs make variables local to one
 * activation of an element; outputs decide what its completion writes to the case variables.
 * Every function here is pure apart from `applyOutputs` writing the variables (`ctx.assign`): no command is
 * issued, so an element without mappings runs exactly as before they existed.
 */

export function hasInputs(node: GraphNode): boolean {
  return (node.ioMapping?.inputs.length ?? 0) > 0;
}

/** With outputs, only their targets leave the element; its completion's variables stay local. */
export function hasOutputs(node: GraphNode): boolean {
  return (node.ioMapping?.outputs.length ?? 0) > 0;
}

/**
 * The element's local variables from its input mappings over `scope`, or null without inputs.
 * A later mapping sees the earlier ones' targets (they are one FEEL context in Zeebe).
 */
export function inputLocals(node: GraphNode, scope: Record<string, unknown>): Record<string, unknown> | null {
  return hasInputs(node) ? evaluateMappings(node, 'input', node.ioMapping!.inputs, scope) : null;
}

/**
 * Evaluates the output mappings in the element's scope (case variables, its locals, what the
 * completion produced) and writes their targets to the case; answers what it wrote.
 */
export function applyOutputs(ctx: CaseContext, node: GraphNode, scope: Record<string, unknown>): Record<string, unknown> {
  const written = evaluateMappings(node, 'output', node.ioMapping?.outputs ?? [], scope);
  ctx.assign(written);
  return written;
}

function evaluateMappings(node: GraphNode, kind: 'input' | 'output', mappings: VariableMapping[], scope: Record<string, unknown>): Record<string, unknown> {
  const written: Record<string, unknown> = {};
  let visible = scope;
  for (const m of mappings) {
    const value = sourceValue(node, kind, m, visible);
    const [head, ...path] = m.target.split('.');
    // A nested target updates a copy of the variable it names (created if absent).
    const next = path.length ? setPath(visible[head], path, value) : value;
    written[head] = next;
    visible = { ...visible, [head]: next };
  }
  return written;
}

function sourceValue(node: GraphNode, kind: string, m: VariableMapping, scope: Record<string, unknown>): unknown {
  if (!m.source) return null;
  if (!isExpression(m.source)) return m.source;
  try {
    return evaluateFeel(m.source, scope);
  } catch (err) {
    throw new Incident(`${kind} mapping "${m.target}" of ${node.id}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function setPath(current: unknown, path: string[], value: unknown): Record<string, unknown> {
  const base = current !== null && typeof current === 'object' && !Array.isArray(current) ? { ...(current as Record<string, unknown>) } : {};
  const [key, ...rest] = path;
  base[key] = rest.length ? setPath(base[key], rest, value) : value;
  return base;
}
