import { DmnModdle } from 'dmn-moddle';
import { feelSyntaxError, isBlank } from './feel';
import { AGGREGATIONS, HIT_POLICIES, type Aggregation, type Decision, type DecisionModel, type DecisionTable, type HitPolicy, type InputClause, type OutputClause, type Rule } from './model';
import { findCycles } from './requirements';

/**
 * Reads a DMN 1.3 file (as Camunda Modeler 5 saves it for Camunda 8) into a DecisionModel, or says
 * everything that is wrong with it, each problem naming the element at fault, so that publishing
 * can refuse the file before a business rule task fails on it at run time.
 */

export interface ReadProblem {
  /** The element at fault; '' when the problem is the XML document itself. */
  elementId: string;
  message: string;
}

export type ReadDmnResult = { ok: true; model: DecisionModel } | { ok: false; problems: ReadProblem[] };

/** The few properties of dmn-moddle's elements the reader uses (dmn-moddle has no types). */
interface Element {
  $type: string;
  id?: string;
  name?: string;
  label?: string;
  text?: string;
  typeRef?: string;
  expressionLanguage?: string;
  description?: string;
  [key: string]: unknown;
}

interface ModdleWarning {
  message: string;
  element?: { id?: string; $type?: string };
}

export async function readDmn(xml: string): Promise<ReadDmnResult> {
  const { definitions, problems } = await parseXml(xml);
  if (!definitions) return { ok: false, problems };
  const model = compileDefinitions(definitions, problems);
  return problems.length ? { ok: false, problems } : { ok: true, model };
}

async function parseXml(xml: string): Promise<{ definitions: Element | null; problems: ReadProblem[] }> {
  try {
    const result = (await new DmnModdle().fromXML(xml)) as { rootElement: Element; warnings: ModdleWarning[] };
    const lines = xml.split('\n');
    // A diagram shape pointing at a missing element spoils the drawing only, not what is evaluated.
    const diagramOnly = (w: ModdleWarning) => /^unresolved reference/.test(w.message) && (w.element?.$type ?? '').startsWith('dmndi:');
    const problems = result.warnings.filter((w) => !diagramOnly(w)).map((w) => ({ elementId: warningElementId(w, lines), message: warningMessage(w) }));
    return { definitions: result.rootElement, problems };
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    const hint = /failed to parse document/.test(message) ? ' (a DMN 1.3 file is expected, namespace https://www.omg.org/spec/DMN/20191111/MODEL/)' : '';
    return { definitions: null, problems: [{ elementId: '', message: `not a readable DMN file: ${message}${hint}` }] };
  }
}

/** The reader's message on one line: "unparsable content <x> detected: duplicate ID <a> (line 3)". */
function warningMessage(w: ModdleWarning): string {
  const [first, ...details] = w.message.split('\n').map((l) => l.trim());
  const nested = details
    .find((d) => d.startsWith('nested error:'))
    ?.replace('nested error:', '')
    .trim();
  const line = /line: (\d+)/.exec(w.message)?.[1];
  return `${first}${nested ? `: ${nested}` : ''}${line ? ` (line ${Number(line) + 1})` : ''}`;
}

/** The element a reader warning is about: the one it names, else the id on the XML line it cites (saxen counts lines from 0). */
function warningElementId(w: ModdleWarning, lines: string[]): string {
  if (w.element?.id) return w.element.id;
  const line = /line: (\d+)/.exec(w.message)?.[1];
  const text = line ? lines[Number(line)] : undefined;
  return (text && /\bid="([^"]+)"/.exec(text)?.[1]) || '';
}

/** What compiling the decisions shares: where problems go and the variable names FEEL may mention. */
interface Compiling {
  problems: ReadProblem[];
  names: string[];
}

function compileDefinitions(definitions: Element, problems: ReadProblem[]): DecisionModel {
  const drgElements = elements(definitions.drgElement);
  const decisionElements = drgElements.filter((e) => e.$type === 'dmn:Decision');
  if (!decisionElements.length) problems.push({ elementId: definitions.id ?? '', message: 'the DMN file has no decision' });

  // Decision results and input data are the variables a decision's FEEL may name, spaces and all.
  const names = drgElements.map((e) => (e.$type === 'dmn:Decision' || e.$type === 'dmn:InputData' ? variableName(e) : null)).filter((n): n is string => !!n);
  const ctx: Compiling = { problems, names };
  const decisions: Record<string, Decision> = {};
  for (const element of decisionElements) {
    const decision = compileDecision(element, ctx);
    if (decision) decisions[decision.id] = decision;
  }
  const ids = new Set(decisionElements.map((d) => d.id));
  for (const element of decisionElements) checkRequirements(element, ids, ctx);
  const requirements = decisionElements.filter((d) => d.id).map((d) => ({ id: d.id ?? '', requiredDecisions: requiredDecisionIds(d) }));
  for (const cycle of findCycles(requirements)) {
    problems.push({ elementId: cycle[0], message: `decisions require each other in a cycle: ${[...cycle, cycle[0]].join(' → ')}` });
  }
  return { id: definitions.id ?? '', name: definitions.name ?? null, decisions };
}

function compileDecision(element: Element, ctx: Compiling): Decision | null {
  const id = element.id;
  if (!id) {
    ctx.problems.push({ elementId: '', message: `decision '${element.name ?? ''}' has no id` });
    return null;
  }
  const variable = element.variable as Element | undefined;
  const base = {
    id,
    name: element.name ?? null,
    resultName: variable?.name || id,
    resultType: variable?.typeRef || null,
    requiredDecisions: requiredDecisionIds(element),
  };
  const logic = element.decisionLogic as Element | undefined;
  if (logic?.$type === 'dmn:DecisionTable') {
    const table = compileTable(element, logic, ctx);
    return table ? { ...base, kind: 'decisionTable', table } : null;
  }
  if (logic?.$type === 'dmn:LiteralExpression') {
    const expressionId = logic.id ?? id;
    const expression = (logic.text ?? '').trim();
    if (isBlank(expression)) ctx.problems.push({ elementId: expressionId, message: `${describe(element)}: its literal expression is empty` });
    else checkFeel(ctx, expressionId, logic, 'expression', expression, `${describe(element)}: literal expression`);
    return { ...base, kind: 'literalExpression', expressionId, expression };
  }
  const has = logic ? ` (it has a ${logic.$type.replace(/^dmn:/, '')}, which is not supported)` : '';
  ctx.problems.push({ elementId: id, message: `${describe(element)} has neither a decision table nor a literal expression${has}` });
  return null;
}

function compileTable(decision: Element, table: Element, ctx: Compiling): DecisionTable | null {
  const tableId = table.id ?? decision.id ?? '';
  const where = describe(decision);
  const problemsBefore = ctx.problems.length;

  const hitPolicy = (table.hitPolicy as string | undefined) ?? 'UNIQUE';
  if (!(HIT_POLICIES as readonly string[]).includes(hitPolicy)) {
    ctx.problems.push({ elementId: tableId, message: `${where}: unknown hit policy '${hitPolicy}' (one of ${HIT_POLICIES.join(', ')})` });
  }
  const aggregationText = table.aggregation as string | undefined;
  if (aggregationText && !(AGGREGATIONS as readonly string[]).includes(aggregationText)) {
    ctx.problems.push({ elementId: tableId, message: `${where}: unknown aggregation '${aggregationText}' (one of ${AGGREGATIONS.join(', ')})` });
  }
  // Camunda applies an aggregation only to COLLECT and ignores it otherwise.
  const aggregation = hitPolicy === 'COLLECT' && aggregationText ? (aggregationText as Aggregation) : null;

  const inputs = elements(table.input).map((input) => compileInput(decision, input, ctx));
  const outputs = elements(table.output).map((output) => compileOutput(decision, output, ctx));
  checkOutputs(decision, tableId, outputs, aggregation, ctx);
  const rules = elements(table.rule).map((rule, index) => compileRule(decision, rule, index, inputs, outputs, ctx));

  if (ctx.problems.length > problemsBefore) return null;
  return { id: tableId, hitPolicy: hitPolicy as HitPolicy, aggregation, inputs, outputs, rules };
}

function compileInput(decision: Element, input: Element, ctx: Compiling): InputClause {
  const id = input.id ?? '';
  const label = input.label || null;
  const inputExpression = input.inputExpression as Element | undefined;
  const expression = (inputExpression?.text ?? '').trim();
  const what = `${describe(decision)}: input '${label ?? id}'`;
  if (isBlank(expression)) ctx.problems.push({ elementId: id, message: `${what} has no input expression` });
  else if (inputExpression) checkFeel(ctx, id, inputExpression, 'expression', expression, `${what}: input expression`);
  const inputValues = input.inputValues as Element | undefined;
  if (inputValues && !isBlank(inputValues.text ?? '')) {
    checkFeel(ctx, inputValues.id ?? id, inputValues, 'unaryTests', (inputValues.text ?? '').trim(), `${what}: input values`);
  }
  return { id, label, expression };
}

function compileOutput(decision: Element, output: Element, ctx: Compiling): OutputClause {
  const id = output.id ?? '';
  const what = `${describe(decision)}: output '${output.name || output.label || id}'`;
  const outputValues = output.outputValues as Element | undefined;
  const valuesText = (outputValues?.text ?? '').trim();
  if (outputValues && !isBlank(valuesText)) checkFeel(ctx, outputValues.id ?? id, outputValues, 'unaryTests', valuesText, `${what}: output values`);
  const defaultEntry = output.defaultOutputEntry as Element | undefined;
  const defaultText = (defaultEntry?.text ?? '').trim();
  if (defaultEntry && !isBlank(defaultText)) checkFeel(ctx, defaultEntry.id ?? id, defaultEntry, 'expression', defaultText, `${what}: default output entry`);
  return { id, label: output.label || null, name: output.name || null, outputValues: listItems(valuesText), defaultOutputEntry: isBlank(defaultText) ? null : defaultText };
}

function checkOutputs(decision: Element, tableId: string, outputs: OutputClause[], aggregation: Aggregation | null, ctx: Compiling): void {
  const where = describe(decision);
  if (!outputs.length) ctx.problems.push({ elementId: tableId, message: `${where}: the decision table has no output` });
  if (outputs.length > 1) {
    // Several outputs make a context keyed by output name, so each needs a distinct one.
    const seen = new Set<string>();
    for (const output of outputs) {
      if (!output.name) ctx.problems.push({ elementId: output.id, message: `${where}: output '${output.label ?? output.id}' has no name (a table with several outputs needs one for each)` });
      else if (seen.has(output.name)) ctx.problems.push({ elementId: output.id, message: `${where}: two outputs are named '${output.name}'` });
      if (output.name) seen.add(output.name);
    }
    if (aggregation) ctx.problems.push({ elementId: tableId, message: `${where}: hit policy COLLECT with aggregation ${aggregation} needs a single output, but the table has ${outputs.length}` });
  }
}

function compileRule(decision: Element, rule: Element, index: number, inputs: InputClause[], outputs: OutputClause[], ctx: Compiling): Rule {
  const id = rule.id ?? '';
  const what = `${describe(decision)}: rule ${index + 1} (${id})`;
  const inputEntries = elements(rule.inputEntry);
  const outputEntries = elements(rule.outputEntry);
  if (inputEntries.length !== inputs.length) {
    ctx.problems.push({ elementId: id, message: `${what} has ${inputEntries.length} input entries, but the table has ${inputs.length} inputs` });
  }
  if (outputEntries.length !== outputs.length) {
    ctx.problems.push({ elementId: id, message: `${what} has ${outputEntries.length} output entries, but the table has ${outputs.length} outputs` });
  }
  const inputTexts = inputEntries.map((entry, i) => {
    const text = (entry.text ?? '').trim();
    const input = inputs[i];
    if (!isBlank(text)) checkFeel(ctx, entry.id ?? id, entry, 'unaryTests', text, `${what}: input entry "${text}" for input '${input?.label ?? input?.id ?? i + 1}'`);
    return text;
  });
  const outputTexts = outputEntries.map((entry, i) => {
    const text = (entry.text ?? '').trim();
    const output = outputs[i];
    if (!isBlank(text)) checkFeel(ctx, entry.id ?? id, entry, 'expression', text, `${what}: output entry "${text}" for output '${output?.name ?? output?.label ?? i + 1}'`);
    return text;
  });
  return { id, description: rule.description?.trim() || null, inputEntries: inputTexts, outputEntries: outputTexts };
}

function checkRequirements(decision: Element, ids: Set<string | undefined>, ctx: Compiling): void {
  for (const requirement of elements(decision.informationRequirement)) {
    const href = (requirement.requiredDecision as { href?: string } | undefined)?.href;
    if (href === undefined) continue;
    const id = hrefId(href);
    if (!ids.has(id)) ctx.problems.push({ elementId: decision.id ?? '', message: `${describe(decision)} requires decision '${href}', which the file does not have` });
  }
  if (elements(decision.knowledgeRequirement).length) {
    ctx.problems.push({ elementId: decision.id ?? '', message: `${describe(decision)} requires a business knowledge model, which is not supported` });
  }
}

function requiredDecisionIds(decision: Element): string[] {
  return elements(decision.informationRequirement)
    .map((r) => (r.requiredDecision as { href?: string } | undefined)?.href)
    .filter((href): href is string => href !== undefined)
    .map(hrefId);
}

/** "#Decision_1" names a decision of this file; a reference into another file ("other.dmn#x") keeps its prefix and so is not found. */
function hrefId(href: string): string {
  return href.startsWith('#') ? href.slice(1) : href;
}

/** FEEL is the only expression language Camunda 8 evaluates (any version of its namespace, or "feel"). */
const FEEL_LANGUAGE = /^feel$|\/FEEL(\/\d+)?\/?$/i;

function checkFeel(ctx: Compiling, elementId: string, element: Element, grammar: 'expression' | 'unaryTests', text: string, what: string): void {
  const language = element.expressionLanguage;
  if (language && !FEEL_LANGUAGE.test(language)) {
    ctx.problems.push({ elementId, message: `${what}: expression language '${language}' is not supported (only FEEL)` });
    return;
  }
  const error = feelSyntaxError(text, grammar, ctx.names);
  if (error) ctx.problems.push({ elementId, message: `${what} is not valid FEEL${grammar === 'unaryTests' ? ' unary tests' : ''}: ${error}` });
}

/** The items of an output's value list ('"low","high"' → low, high), quotes removed, for PRIORITY and OUTPUT ORDER. */
export function listItems(text: string): string[] {
  const items: string[] = [];
  for (const match of text.matchAll(/\s*("(?:[^"\\]|\\.)*"|[^,]*)\s*(?:,|$)/g)) {
    const item = match[1].trim();
    if (match[0] === '') break;
    if (item) items.push(item.startsWith('"') && item.endsWith('"') ? item.slice(1, -1).replace(/\\(.)/g, '$1') : item);
  }
  return items;
}

function variableName(element: Element): string | null {
  return (element.variable as Element | undefined)?.name || element.name || element.id || null;
}

function describe(decision: Element): string {
  return decision.name && decision.name !== decision.id ? `decision '${decision.name}' (${decision.id ?? ''})` : `decision '${decision.id ?? ''}'`;
}

function elements(value: unknown): Element[] {
  return Array.isArray(value) ? (value as Element[]) : [];
}
