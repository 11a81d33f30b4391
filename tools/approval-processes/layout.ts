/**
 * Writes a BPMN 2.0 file (Zeebe attributes) with its diagram from a compact description: each
 * element sits in a grid cell (column, row), left to right; flows are drawn as orthogonal lines
 * between the cells. The shipped approvals (processes/*.bpmn) are generated with this, so their
 * diagrams stay tidy in bpmn-js without hand-placed coordinates; the .bpmn files are what ships
 * and what an administrator edits afterwards in the browser.
 */
export type Kind = 'start' | 'end' | 'userTask' | 'serviceTask' | 'sendTask' | 'callActivity' | 'xor' | 'timer' | 'boundary';

export interface Element {
  id: string;
  kind: Kind;
  name: string;
  col: number;
  row: number;
  /** start / userTask: its Camunda form (processes/forms/<formId>.form) */
  formId?: string;
  /** callActivity: the process it calls */
  calledElement?: string;
  /** userTask */
  groups?: string;
  assignee?: string;
  dueDate?: string;
  outcomes?: string;
  multi?: { collection: string; element: string };
  /** serviceTask / sendTask */
  type?: string;
  headers?: Record<string, string>;
  /** end: case result */
  result?: string;
  /** timer / boundary */
  duration?: string;
  cycle?: string;
  attachedTo?: string;
  interrupting?: boolean;
  /** xor: the default flow id */
  defaultFlow?: string;
  documentation?: string;
}

export interface Flow {
  id: string;
  from: string;
  to: string;
  name?: string;
  condition?: string;
}

export interface ProcessSpec {
  key: string;
  name: string;
  comment: string;
  properties: Record<string, string>;
  elements: Element[];
  flows: Flow[];
}

const COL = 170;
const ROW = 140;
const X0 = 150;
const Y0 = 100;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

function size(kind: Kind): [number, number] {
  if (kind === 'userTask' || kind === 'serviceTask' || kind === 'sendTask' || kind === 'callActivity') return [100, 80];
  if (kind === 'xor') return [50, 50];
  return [36, 36];
}

function boxes(spec: ProcessSpec): Map<string, Box> {
  const out = new Map<string, Box>();
  for (const e of spec.elements.filter((x) => x.kind !== 'boundary')) {
    const [w, h] = size(e.kind);
    const cx = X0 + e.col * COL + 50;
    const cy = Y0 + e.row * ROW + 40;
    out.set(e.id, { x: cx - w / 2, y: cy - h / 2, w, h });
  }
  // Boundary events sit on the lower edge of their task, right of centre.
  for (const e of spec.elements.filter((x) => x.kind === 'boundary')) {
    const host = out.get(e.attachedTo!)!;
    out.set(e.id, { x: host.x + host.w - 36 - 6, y: host.y + host.h - 18, w: 36, h: 36 });
  }
  return out;
}

function waypoints(spec: ProcessSpec, b: Map<string, Box>, flow: Flow): Array<[number, number]> {
  const s = b.get(flow.from)!;
  const t = b.get(flow.to)!;
  const source = spec.elements.find((e) => e.id === flow.from)!;
  const sx = s.x + s.w / 2;
  const sy = s.y + s.h / 2;
  const tx = t.x + t.w / 2;
  const ty = t.y + t.h / 2;
  const right = s.x + s.w;
  const left = t.x;
  if (Math.abs(sy - ty) < 1 && tx > sx)
    return [
      [right, sy],
      [left, ty],
    ];
  if (Math.abs(sx - tx) < 1)
    return ty > sy
      ? [
          [sx, s.y + s.h],
          [tx, t.y],
        ]
      : [
          [sx, s.y],
          [tx, t.y + t.h],
        ];
  if (tx > sx) {
    // Gateways and boundary events leave downwards (or upwards), then turn right.
    if (source.kind === 'xor' || source.kind === 'boundary') {
      const fromY = ty > sy ? s.y + s.h : s.y;
      return [
        [sx, fromY],
        [sx, ty],
        [left, ty],
      ];
    }
    // Into a gateway from another row: come from above or below it.
    const target = spec.elements.find((e) => e.id === flow.to)!;
    if (target.kind === 'xor' || target.kind === 'end') {
      return [
        [right, sy],
        [tx, sy],
        [tx, ty > sy ? t.y : t.y + t.h],
      ];
    }
    const mid = left - 25;
    return [
      [right, sy],
      [mid, sy],
      [mid, ty],
      [left, ty],
    ];
  }
  // Backwards: below everything between the two.
  const low = Math.max(s.y + s.h, t.y + t.h) + 40;
  return [
    [sx, s.y + s.h],
    [sx, low],
    [tx, low],
    [tx, t.y + t.h],
  ];
}

function extension(e: Element): string {
  const parts: string[] = [];
  if (e.formId) parts.push(`<zeebe:formDefinition formId="${esc(e.formId)}" />`);
  if (e.kind === 'callActivity') parts.push(`<zeebe:calledElement processId="${esc(e.calledElement!)}" propagateAllChildVariables="true" />`);
  if (e.kind === 'userTask') {
    const attrs = [e.groups ? `candidateGroups="${esc(e.groups)}"` : '', e.assignee ? `assignee="${esc(e.assignee)}"` : ''].filter(Boolean).join(' ');
    parts.push(`<zeebe:assignmentDefinition ${attrs} />`);
    if (e.dueDate) parts.push(`<zeebe:taskSchedule dueDate="${esc(e.dueDate)}" />`);
    if (e.outcomes) parts.push(`<zeebe:properties><zeebe:property name="outcomes" value="${esc(e.outcomes)}" /></zeebe:properties>`);
  }
  if (e.kind === 'serviceTask' || e.kind === 'sendTask') {
    parts.push(`<zeebe:taskDefinition type="${esc(e.type!)}" />`);
    const headers = Object.entries(e.headers ?? {});
    if (headers.length) parts.push(`<zeebe:taskHeaders>${headers.map(([k, v]) => `<zeebe:header key="${esc(k)}" value="${esc(v)}" />`).join('')}</zeebe:taskHeaders>`);
  }
  if (e.kind === 'end' && e.result) parts.push(`<zeebe:properties><zeebe:property name="result" value="${esc(e.result)}" /></zeebe:properties>`);
  return parts.length ? `\n      <bpmn:extensionElements>\n        ${parts.join('\n        ')}\n      </bpmn:extensionElements>` : '';
}

function element(spec: ProcessSpec, e: Element): string {
  const incoming = spec.flows
    .filter((f) => f.to === e.id)
    .map((f) => `\n      <bpmn:incoming>${f.id}</bpmn:incoming>`)
    .join('');
  const outgoing = spec.flows
    .filter((f) => f.from === e.id)
    .map((f) => `\n      <bpmn:outgoing>${f.id}</bpmn:outgoing>`)
    .join('');
  const doc = e.documentation ? `\n      <bpmn:documentation>${esc(e.documentation)}</bpmn:documentation>` : '';
  const body = `${doc}${extension(e)}${incoming}${outgoing}`;
  const name = `id="${e.id}" name="${esc(e.name)}"`;
  switch (e.kind) {
    case 'start':
      return `    <bpmn:startEvent ${name}>${body}\n    </bpmn:startEvent>`;
    case 'end':
      return `    <bpmn:endEvent ${name}>${body}\n    </bpmn:endEvent>`;
    case 'userTask': {
      const loop = e.multi
        ? `\n      <bpmn:multiInstanceLoopCharacteristics>\n        <bpmn:extensionElements>\n          <zeebe:loopCharacteristics inputCollection="${esc(e.multi.collection)}" inputElement="${esc(e.multi.element)}" />\n        </bpmn:extensionElements>\n      </bpmn:multiInstanceLoopCharacteristics>`
        : '';
      return `    <bpmn:userTask ${name}>${body}${loop}\n    </bpmn:userTask>`;
    }
    case 'serviceTask':
      return `    <bpmn:serviceTask ${name}>${body}\n    </bpmn:serviceTask>`;
    case 'sendTask':
      return `    <bpmn:sendTask ${name}>${body}\n    </bpmn:sendTask>`;
    case 'callActivity':
      return `    <bpmn:callActivity ${name}>${body}\n    </bpmn:callActivity>`;
    case 'xor':
      return `    <bpmn:exclusiveGateway ${name}${e.defaultFlow ? ` default="${e.defaultFlow}"` : ''}>${body}\n    </bpmn:exclusiveGateway>`;
    case 'timer':
      return `    <bpmn:intermediateCatchEvent ${name}>${body}\n      <bpmn:timerEventDefinition id="${e.id}Timer">\n        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">${esc(e.duration!)}</bpmn:timeDuration>\n      </bpmn:timerEventDefinition>\n    </bpmn:intermediateCatchEvent>`;
    case 'boundary': {
      const timer = e.cycle ? `<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">${esc(e.cycle)}</bpmn:timeCycle>` : `<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">${esc(e.duration!)}</bpmn:timeDuration>`;
      return `    <bpmn:boundaryEvent ${name} cancelActivity="${e.interrupting === false ? 'false' : 'true'}" attachedToRef="${e.attachedTo}">${body}\n      <bpmn:timerEventDefinition id="${e.id}Timer">\n        ${timer}\n      </bpmn:timerEventDefinition>\n    </bpmn:boundaryEvent>`;
    }
  }
}

function flowXml(f: Flow): string {
  const name = f.name ? ` name="${esc(f.name)}"` : '';
  if (!f.condition) return `    <bpmn:sequenceFlow id="${f.id}"${name} sourceRef="${f.from}" targetRef="${f.to}" />`;
  return `    <bpmn:sequenceFlow id="${f.id}"${name} sourceRef="${f.from}" targetRef="${f.to}">\n      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${esc(f.condition)}</bpmn:conditionExpression>\n    </bpmn:sequenceFlow>`;
}

export function toBpmn(spec: ProcessSpec): string {
  const b = boxes(spec);
  const props = Object.entries(spec.properties);
  const procExt = props.length
    ? `\n    <bpmn:extensionElements>\n      <zeebe:properties>\n${props.map(([k, v]) => `        <zeebe:property name="${esc(k)}" value="${esc(v)}" />`).join('\n')}\n      </zeebe:properties>\n    </bpmn:extensionElements>`
    : '';
  const shapes = spec.elements
    .map((e) => {
      const x = b.get(e.id)!;
      const marker = e.kind === 'xor' ? ' isMarkerVisible="true"' : '';
      return `      <bpmndi:BPMNShape id="${e.id}_di" bpmnElement="${e.id}"${marker}><dc:Bounds x="${x.x}" y="${x.y}" width="${x.w}" height="${x.h}" /></bpmndi:BPMNShape>`;
    })
    .join('\n');
  const edges = spec.flows
    .map(
      (f) =>
        `      <bpmndi:BPMNEdge id="${f.id}_di" bpmnElement="${f.id}">${waypoints(spec, b, f)
          .map(([x, y]) => `<di:waypoint x="${x}" y="${y}" />`)
          .join('')}</bpmndi:BPMNEdge>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- ${spec.comment}
     Generated by tools/approval-processes (npx tsx tools/approval-processes/build.ts); see docs/approvals.md. -->
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_${spec.key}" targetNamespace="http://bpmn.io/schema/bpmn" exporter="property-platform" exporterVersion="1" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.6.0">
  <bpmn:process id="${spec.key}" name="${esc(spec.name)}" isExecutable="true">${procExt}
${spec.elements.map((e) => element(spec, e)).join('\n')}
${spec.flows.map(flowXml).join('\n')}
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_${spec.key}">
    <bpmndi:BPMNPlane id="Plane_${spec.key}" bpmnElement="${spec.key}">
${shapes}
${edges}
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
`;
}

/** Two shapes share a cell, or a shape lies on another's bounds: a layout mistake in a spec. */
export function overlaps(spec: ProcessSpec): string[] {
  const b = boxes(spec);
  const ids = spec.elements.filter((e) => e.kind !== 'boundary').map((e) => e.id);
  const problems: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) {
      const p = b.get(ids[i])!;
      const q = b.get(ids[j])!;
      if (p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h) problems.push(`${ids[i]} overlaps ${ids[j]}`);
    }
  }
  return problems;
}
