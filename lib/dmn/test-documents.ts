/**
 * Builds small DMN documents for the tests, in the shape Camunda Modeler 5 saves for Camunda 8
 * (DMN 1.3 namespace, modeler:executionPlatform="Camunda Cloud", element ids as the Modeler makes
 * them, and a dmndi diagram with a shape per decision and an edge per information requirement).
 * Test support only: nothing outside the tests imports it.
 */

export interface TableSpec {
  id: string;
  name?: string;
  hitPolicy?: string;
  aggregation?: string;
  requires?: string[];
  inputs: Array<{ label?: string; expression: string; typeRef?: string; values?: string }>;
  outputs: Array<{ name?: string; label?: string; typeRef?: string; values?: string; defaultEntry?: string }>;
  /** Each rule as [input entries, output entries]. */
  rules: Array<[string[], string[]]>;
}

export interface LiteralSpec {
  id: string;
  name?: string;
  requires?: string[];
  expression: string;
  variable?: { name: string; typeRef?: string };
}

/** Ids for elements the Modeler would give random suffixes; counted so each document stays valid. */
let counter = 0;
const nextId = (prefix: string) => `${prefix}_${(++counter).toString(36).padStart(7, '0')}`;

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const attr = (name: string, value: string | undefined) => (value === undefined ? '' : ` ${name}="${escapeXml(value)}"`);
const text = (value: string) => `<text>${escapeXml(value)}</text>`;

function requirements(requires: string[] | undefined, edges: string[]): string {
  return (requires ?? [])
    .map((required) => {
      const id = nextId('InformationRequirement');
      edges.push(id);
      return `    <informationRequirement id="${id}">\n      <requiredDecision href="#${required}" />\n    </informationRequirement>\n`;
    })
    .join('');
}

/** `firstTable`: the Modeler names the first table's first input and output Input_1 and Output_1, later ones get random ids. */
export function decisionTable(spec: TableSpec, edges: string[] = [], firstTable = true): string {
  const inputs = spec.inputs
    .map((input, i) => {
      const values = input.values ? `\n        <inputValues id="${nextId('UnaryTests')}">\n          ${text(input.values)}\n        </inputValues>` : '';
      return (
        `      <input id="${firstTable && i === 0 ? 'Input_1' : nextId('InputClause')}"${attr('label', input.label)}>\n` +
        `        <inputExpression id="${firstTable && i === 0 ? 'InputExpression_1' : nextId('LiteralExpression')}"${attr('typeRef', input.typeRef ?? 'string')}>\n` +
        `          ${text(input.expression)}\n        </inputExpression>${values}\n      </input>\n`
      );
    })
    .join('');
  const outputs = spec.outputs
    .map((output, i) => {
      const id = firstTable && i === 0 ? 'Output_1' : nextId('OutputClause');
      const head = `      <output id="${id}"${attr('label', output.label)}${attr('name', output.name)}${attr('typeRef', output.typeRef ?? 'string')}`;
      if (!output.values && output.defaultEntry === undefined) return `${head} />\n`;
      const values = output.values ? `        <outputValues id="${nextId('UnaryTests')}">\n          ${text(output.values)}\n        </outputValues>\n` : '';
      const fallback = output.defaultEntry !== undefined ? `        <defaultOutputEntry id="${nextId('LiteralExpression')}">\n          ${text(output.defaultEntry)}\n        </defaultOutputEntry>\n` : '';
      return `${head}>\n${values}${fallback}      </output>\n`;
    })
    .join('');
  const rules = spec.rules
    .map(([ins, outs]) => {
      const entries =
        ins.map((e) => `        <inputEntry id="${nextId('UnaryTests')}">\n          ${text(e)}\n        </inputEntry>\n`).join('') +
        outs.map((e) => `        <outputEntry id="${nextId('LiteralExpression')}">\n          ${text(e)}\n        </outputEntry>\n`).join('');
      return `      <rule id="${nextId('DecisionRule')}">\n${entries}      </rule>\n`;
    })
    .join('');
  return (
    `  <decision id="${spec.id}"${attr('name', spec.name ?? spec.id)}>\n${requirements(spec.requires, edges)}` +
    `    <decisionTable id="${nextId('DecisionTable')}"${attr('hitPolicy', spec.hitPolicy)}${attr('aggregation', spec.aggregation)}>\n` +
    `${inputs}${outputs}${rules}    </decisionTable>\n  </decision>\n`
  );
}

export function literalDecision(spec: LiteralSpec, edges: string[] = []): string {
  const variable = spec.variable ? `    <variable id="${nextId('InformationItem')}"${attr('name', spec.variable.name)}${attr('typeRef', spec.variable.typeRef)} />\n` : '';
  return (
    `  <decision id="${spec.id}"${attr('name', spec.name ?? spec.id)}>\n${requirements(spec.requires, edges)}${variable}` +
    `    <literalExpression id="${nextId('LiteralExpression')}">\n      ${text(spec.expression)}\n    </literalExpression>\n  </decision>\n`
  );
}

/** A whole .dmn file around the given decisions (TableSpec/LiteralSpec, or ready XML of one decision). */
export function dmnDocument(decisions: Array<TableSpec | LiteralSpec | string>, definitionsId = 'Definitions_1'): string {
  const edges: string[] = [];
  const ids: string[] = [];
  let tables = 0;
  const body = decisions
    .map((d) => {
      if (typeof d === 'string') {
        ids.push(/<decision id="([^"]+)"/.exec(d)?.[1] ?? '');
        return d;
      }
      ids.push(d.id);
      if (!('rules' in d)) return literalDecision(d, edges);
      tables++;
      return decisionTable(d, edges, tables === 1);
    })
    .join('');
  const shapes = ids.map((id, i) => `      <dmndi:DMNShape dmnElementRef="${id}">\n        <dc:Bounds height="80" width="180" x="${160 + 240 * i}" y="100" />\n      </dmndi:DMNShape>\n`).join('');
  const edgeShapes = edges.map((id) => `      <dmndi:DMNEdge id="DMNEdge_${id}" dmnElementRef="${id}">\n        <di:waypoint x="250" y="260" />\n        <di:waypoint x="250" y="180" />\n      </dmndi:DMNEdge>\n`).join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" ` +
    `xmlns:di="http://www.omg.org/spec/DMN/20180521/DI/" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="${definitionsId}" name="DRD" ` +
    `namespace="http://camunda.org/schema/1.0/dmn" exporter="Camunda Modeler" exporterVersion="5.25.0" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.5.0">\n` +
    `${body}  <dmndi:DMNDI>\n    <dmndi:DMNDiagram>\n${shapes}${edgeShapes}    </dmndi:DMNDiagram>\n  </dmndi:DMNDI>\n</definitions>\n`
  );
}
