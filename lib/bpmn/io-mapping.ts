import { feelSyntaxProblem, isExpression } from './feel';
import type { IoMapping, VariableMapping } from './graph';
import type { ModdleElement } from './moddle';

/**
 * Reading and checking `zeebe:ioMapping` at publishing. The engine side (applying mappings in a
 * case) is workflows/case/io-mapping.ts; this module reads moddle elements, so workflow code
 * must not import it.
 */

/** A variable name as Camunda 8 allows it: no operators, no leading digit, no whitespace. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** FEEL literals and keywords cannot name a variable (docs.camunda.io, "Variables"). */
const RESERVED = new Set(['null', 'true', 'false', 'function', 'if', 'then', 'else', 'for', 'return', 'between', 'instance', 'of', 'not', 'in', 'some', 'every', 'satisfies', 'and', 'or']);

/** Why a target cannot be written, or null: a name, or a dotted path of names into a variable. */
export function targetProblem(target: string): string | null {
  if (!target) return 'a mapping needs a target';
  for (const part of target.split('.')) {
    if (!NAME.test(part)) return `target "${target}" is not a variable name or a dotted path of names (letters, digits, "_")`;
    if (RESERVED.has(part)) return `target "${target}" uses the FEEL keyword "${part}" as a name`;
  }
  return null;
}

type Parameter = { $type?: string; source?: string; target?: string };

function readParameters(params: Parameter[] | undefined, kind: 'input' | 'output', report: (message: string) => void): VariableMapping[] {
  return (params ?? []).map((p) => {
    const source = (p.source ?? '').trim();
    const target = (p.target ?? '').trim();
    const bad = targetProblem(target);
    if (bad) report(`${kind} mapping: ${bad}`);
    if (isExpression(source)) {
      const syntax = feelSyntaxProblem(source);
      if (syntax) report(`${kind} mapping "${target}": source is not valid FEEL: ${syntax}`);
    }
    return { source, target };
  });
}

/**
 * The element's zeebe:ioMapping, or null when it has none (an empty one, as Camunda Modeler
 * leaves after the last mapping is deleted, counts as none: there is nothing to apply).
 * Problems go to `report`, which names the element.
 */
export function readIoMapping(el: ModdleElement, report: (message: string) => void): IoMapping | null {
  const values = ((el.extensionElements as { values?: ModdleElement[] } | undefined)?.values ?? []).filter((v) => v.$type === 'zeebe:IoMapping');
  if (values.length === 0) return null;
  if (values.length > 1) report('an element takes one zeebe:ioMapping');
  const io = values[0] as { inputParameters?: Parameter[]; outputParameters?: Parameter[] };
  const inputs = readParameters(io.inputParameters, 'input', report);
  const outputs = readParameters(io.outputParameters, 'output', report);
  return inputs.length || outputs.length ? { inputs, outputs } : null;
}
