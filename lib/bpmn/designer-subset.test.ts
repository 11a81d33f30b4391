import fs from 'node:fs';
import * as ReplaceOptions from 'bpmn-js/lib/features/replace/ReplaceOptions';
import type { ReplaceOption } from 'bpmn-js/lib/features/replace/ReplaceOptions';
import { compileBpmn } from './compile';
import { hiddenAppendEntry, hiddenPaletteEntry, hiddenReplaceHeaderEntry, hiddenReplaceOption, namedIds, type DesignerContext, type DesignerScope } from './designer-subset';

/**
 * The designer's subset (lib/bpmn/designer-subset.ts) tied to the compiler: every option bpmn-js
 * offers is drawn as a minimal Camunda 8 process, in each context the menus offer it (the
 * element's scope, a boundary event's host, a flow's source), and compiled. An option is hidden
 * exactly when publishing refuses what it makes: a problem naming that element. An offered one
 * must compile without any problem (so the surroundings drawn here are valid ones).
 */

type Target = NonNullable<ReplaceOption['target']>;
interface Variant {
  /** A script or business rule task done by a job (zeebe:taskDefinition) rather than by the engine. */
  job?: boolean;
  /** Loop characteristics XML inside the activity. */
  loop?: string;
}
/** Elements drawn for an option: `entry` is what the scope's start flows into, `exits` flow to its end. */
interface Built {
  xml: string;
  start?: boolean;
  entry?: string;
  exits: string[];
}

const JOB = '<zeebe:taskDefinition type="case-note" />';
const TIMER = '<bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>';
const DEFINITIONS: Record<string, string> = {
  'bpmn:MessageEventDefinition': '<bpmn:messageEventDefinition messageRef="msg" />',
  'bpmn:TimerEventDefinition': TIMER,
  'bpmn:ConditionalEventDefinition': '<bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">=ready</bpmn:condition></bpmn:conditionalEventDefinition>',
  'bpmn:SignalEventDefinition': '<bpmn:signalEventDefinition signalRef="sig" />',
  'bpmn:ErrorEventDefinition': '<bpmn:errorEventDefinition errorRef="err" />',
  'bpmn:EscalationEventDefinition': '<bpmn:escalationEventDefinition escalationRef="esc" />',
  'bpmn:CompensateEventDefinition': '<bpmn:compensateEventDefinition />',
  'bpmn:CancelEventDefinition': '<bpmn:cancelEventDefinition />',
  'bpmn:TerminateEventDefinition': '<bpmn:terminateEventDefinition />',
  'bpmn:LinkEventDefinition': '<bpmn:linkEventDefinition name="jump" />',
};
/** What each activity needs to be a valid one. */
const ACTIVITY_EXTENSIONS: Record<string, string> = {
  'bpmn:UserTask': '<zeebe:assignmentDefinition candidateGroups="city_staff" />',
  'bpmn:ServiceTask': JOB,
  'bpmn:SendTask': JOB,
  'bpmn:ScriptTask': '<zeebe:script expression="=1" resultVariable="one" />',
  'bpmn:BusinessRuleTask': '<zeebe:calledDecision decisionId="fee" resultVariable="fee" />',
  'bpmn:CallActivity': '<zeebe:calledElement processId="other" />',
};

const tag = (type: string) => `bpmn:${type.charAt(5).toLowerCase()}${type.slice(6)}`;
const extensions = (inner: string) => (inner ? `<bpmn:extensionElements>${inner}</bpmn:extensionElements>` : '');
let flowCount = 0;
const flow = (source: string, target: string, id = `flow${++flowCount}`, condition = '') =>
  `<bpmn:sequenceFlow id="${id}" sourceRef="${source}" targetRef="${target}">${condition ? `<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${condition}</bpmn:conditionExpression>` : ''}</bpmn:sequenceFlow>`;

/** The elements a replace option's target makes, with id `id`. */
function build(target: Target, id: string, variant: Variant = {}): Built {
  const type = target.type;
  const definition = target.eventDefinitionType ? DEFINITIONS[target.eventDefinitionType] : '';
  if (target.eventDefinitionType && !definition) throw new Error(`no event definition drawn for ${target.eventDefinitionType}`);
  const el = (attrs: string, inner: string) => `<${tag(type)} id="${id}"${attrs}>${inner}</${tag(type)}>`;
  const through = (xml: string): Built => ({ xml, entry: id, exits: [id] });
  if (type.endsWith('Event')) {
    // A message is thrown by a job in Camunda 8, as a send task sends it.
    const job = target.eventDefinitionType === 'bpmn:MessageEventDefinition' && (type === 'bpmn:IntermediateThrowEvent' || type === 'bpmn:EndEvent') ? extensions(JOB) : '';
    const xml = el(target.isInterrupting === false ? ' isInterrupting="false"' : '', job + definition);
    const link = target.eventDefinitionType === 'bpmn:LinkEventDefinition';
    if (type === 'bpmn:StartEvent') return { xml, start: true, exits: [id] };
    if (type === 'bpmn:EndEvent') return { xml, entry: id, exits: [] };
    // A link event with its partner of the same name.
    if (link && type === 'bpmn:IntermediateThrowEvent') return { xml: xml + `<bpmn:intermediateCatchEvent id="${id}_catch">${definition}</bpmn:intermediateCatchEvent>`, entry: id, exits: [`${id}_catch`] };
    if (link) return { xml: `<bpmn:intermediateThrowEvent id="${id}_throw">${definition}</bpmn:intermediateThrowEvent>` + xml, entry: `${id}_throw`, exits: [id] };
    return through(xml);
  }
  if (type === 'bpmn:EventBasedGateway') {
    const catches = ['a', 'b'].map((s) => `<bpmn:intermediateCatchEvent id="${id}_${s}">${TIMER}</bpmn:intermediateCatchEvent>` + flow(id, `${id}_${s}`)).join('');
    return { xml: el('', '') + catches, entry: id, exits: [`${id}_a`, `${id}_b`] };
  }
  if (type.endsWith('Gateway')) return through(el('', ''));
  if (type === 'bpmn:SubProcess' && target.triggeredByEvent) {
    // Started by its own (timer) start event, not by flows.
    return { xml: el(' triggeredByEvent="true"', `<bpmn:startEvent id="${id}_s">${TIMER}</bpmn:startEvent><bpmn:endEvent id="${id}_e" />${flow(`${id}_s`, `${id}_e`)}`), exits: [] };
  }
  if (type === 'bpmn:SubProcess' || type === 'bpmn:Transaction') return through(el('', `${variant.loop ?? ''}<bpmn:startEvent id="${id}_s" /><bpmn:endEvent id="${id}_e" />${flow(`${id}_s`, `${id}_e`)}`));
  if (type === 'bpmn:AdHocSubProcess') return through(el('', `${variant.loop ?? ''}<bpmn:task id="${id}_t" />`));
  if (type === 'bpmn:DataObjectReference') return { xml: `<bpmn:dataObject id="${id}_object" />` + el(` dataObjectRef="${id}_object"`, ''), exits: [] };
  if (type === 'bpmn:DataStoreReference') return { xml: el('', ''), exits: [] };
  if (type.endsWith('Task') || type === 'bpmn:CallActivity') {
    const ext = variant.job && (type === 'bpmn:ScriptTask' || type === 'bpmn:BusinessRuleTask') ? JOB : (ACTIVITY_EXTENSIONS[type] ?? '');
    return through(el(type === 'bpmn:ReceiveTask' ? ' messageRef="msg"' : '', extensions(ext) + (variant.loop ?? '')));
  }
  throw new Error(`no drawing for ${type}`);
}

/** A boundary event `x` of a target on a host activity. */
function boundary(target: Target, hostType: string, variant: Variant): Built {
  const host = build({ type: hostType }, 'host', variant);
  const definition = target.eventDefinitionType ? DEFINITIONS[target.eventDefinitionType] : '';
  const xml = `<bpmn:boundaryEvent id="x" attachedToRef="host"${target.cancelActivity === false ? ' cancelActivity="false"' : ''}>${definition}</bpmn:boundaryEvent>`;
  return { xml: host.xml + xml, entry: host.entry, exits: [...host.exits, 'x'] };
}

/** The elements of a scope around what was built, from its start event to its end event. */
function body(built: Built, prefix: string, startDefinition = ''): string {
  const parts = [built.xml];
  const start = `${prefix}start`;
  const end = `${prefix}end`;
  const needsEnd = built.exits.length > 0 || (!built.start && !built.entry);
  if (!built.start) parts.unshift(`<bpmn:startEvent id="${start}">${startDefinition}</bpmn:startEvent>`, flow(start, built.entry ?? end));
  if (needsEnd) parts.push(`<bpmn:endEvent id="${end}" />`, ...built.exits.map((exit) => flow(exit, end)));
  return parts.join('\n');
}

function processXml(built: Built, scope: DesignerScope = 'process', wrap?: (process: string) => string): string {
  let process: string;
  if (scope === 'process') process = body(built, '');
  else if (scope === 'subProcess') process = `<bpmn:startEvent id="start" />${flow('start', 'sub')}<bpmn:subProcess id="sub">${body(built, 'sub_')}</bpmn:subProcess>${flow('sub', 'end')}<bpmn:endEvent id="end" />`;
  // An event sub-process (started on a timer unless the element drawn is its start event) beside the plain flow.
  else process = `<bpmn:startEvent id="start" />${flow('start', 'end')}<bpmn:endEvent id="end" /><bpmn:subProcess id="esp" triggeredByEvent="true">${body(built, 'esp_', TIMER)}</bpmn:subProcess>`;
  const proc = `<bpmn:process id="subset" isExecutable="true">\n${process}\n</bpmn:process>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:message id="msg" name="msg" />
  <bpmn:signal id="sig" name="sig" />
  <bpmn:error id="err" errorCode="E1" />
  <bpmn:escalation id="esc" escalationCode="ESC1" />
  ${wrap ? wrap(proc) : proc}
</bpmn:definitions>`;
}

/** The problems a diagram has: on the element(s) checked, and anywhere. */
const compiled = new Map<string, Promise<Array<{ elementId: string; message: string }>>>();
async function problemsOf(xml: string) {
  if (!compiled.has(xml))
    compiled.set(
      xml,
      compileBpmn(xml).then((r) => (r.ok ? [] : r.problems.map((p) => ({ elementId: p.elementId, message: p.message })))),
    );
  return compiled.get(xml)!;
}

/**
 * Compares the definition's verdict with the compiler's over the drawings of one option (several
 * when an element can be built in several ways, e.g. a script task by FEEL or by a job): hidden
 * ⇔ every drawing is refused on one of `ids`; offered ⇔ some drawing compiles without a problem.
 */
async function verdict(label: string, hidden: boolean, drawings: string[], ids: string[]): Promise<string | null> {
  const results = await Promise.all(drawings.map(problemsOf));
  const refused = results.every((problems) => problems.some((p) => ids.includes(p.elementId)));
  const accepted = results.some((problems) => problems.length === 0);
  if (hidden && !refused) return `${label}: hidden, but the compiler accepts it`;
  if (!hidden && !accepted) return `${label}: offered, but the compiler refuses it: ${JSON.stringify(results.find((problems) => problems.length))}`;
  return null;
}

const ALL_SCOPES: DesignerScope[] = ['process', 'subProcess', 'eventSubProcess'];
/** Where bpmn-js offers each list of ReplaceOptions (ReplaceMenuProvider.getPopupMenuEntries). */
const REPLACE_MENUS: Record<string, DesignerScope[] | 'boundary' | 'flow' | { notChecked: string }> = {
  START_EVENT: ['process'],
  START_EVENT_SUB_PROCESS: ['subProcess'],
  EVENT_SUB_PROCESS_START_EVENT: ['eventSubProcess'],
  INTERMEDIATE_EVENT: ALL_SCOPES,
  END_EVENT: ALL_SCOPES,
  // Added to an event's menu in its own scope (start events left out inside a plain sub-process).
  TYPED_EVENT: ALL_SCOPES,
  GATEWAY: ['process'],
  SUBPROCESS_EXPANDED: ['process', 'subProcess'],
  AD_HOC_SUBPROCESS_EXPANDED: ['process', 'subProcess'],
  TRANSACTION: ['process', 'subProcess'],
  EVENT_SUB_PROCESS: ['process', 'subProcess'],
  TASK: ['process'],
  DATA_OBJECT_REFERENCE: ['process'],
  DATA_STORE_REFERENCE: ['process'],
  BOUNDARY_EVENT: 'boundary',
  SEQUENCE_FLOW: 'flow',
  PARTICIPANT: { notChecked: 'expanded or collapsed pool: publishing counts the executable processes of the file, it refuses no pool' },
};

/** Boundary event hosts (a script or business rule task drawn both ways: FEEL or decision, and a job). */
const HOSTS: Array<{ type: string; variants: Variant[] }> = [
  ...['bpmn:UserTask', 'bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:ReceiveTask', 'bpmn:Task', 'bpmn:ManualTask', 'bpmn:CallActivity', 'bpmn:SubProcess', 'bpmn:Transaction', 'bpmn:AdHocSubProcess'].map((type) => ({ type, variants: [{}] })),
  ...['bpmn:ScriptTask', 'bpmn:BusinessRuleTask'].map((type) => ({ type, variants: [{}, { job: true }] })),
];

const optionLists = (name: string): ReplaceOption[] => {
  const value = (ReplaceOptions as unknown as Record<string, ReplaceOption[] | Record<string, ReplaceOption[]>>)[name];
  return Array.isArray(value) ? value : Object.values(value).flat();
};

/** Sources of a flow whose type bpmn-js's sequence flow options change (ReplaceMenuProvider._createSequenceFlowEntries). */
const FLOW_SOURCES: Record<string, string[]> = {
  'replace-with-sequence-flow': ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway', 'bpmn:UserTask'],
  'replace-with-default-flow': ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway', 'bpmn:UserTask'],
  // Offered out of an activity only.
  'replace-with-conditional-flow': ['bpmn:UserTask'],
};

/** A flow `x` of the option's kind from a source to an end event. */
function flowDrawing(actionName: string, sourceType: string): string {
  const source = build({ type: sourceType }, 'src');
  const isDefault = actionName === 'replace-with-default-flow';
  const xml = source.xml.replace('id="src"', `id="src"${isDefault ? ' default="x"' : ''}`) + flow('src', 'to', 'x', actionName === 'replace-with-conditional-flow' ? '=ready' : '') + '<bpmn:endEvent id="to" />';
  return processXml({ xml, entry: 'src', exits: [] });
}

const sourceText = (file: string) => fs.readFileSync(require.resolve(`bpmn-js/lib/features/${file}`), 'utf8');
const idsIn = (text: string, pattern: RegExp) => [...new Set([...text.matchAll(pattern)].map((m) => m[1]))];

/** The replace menu's header toggles (ReplaceMenuProvider.getPopupMenuHeaderEntries). */
const HEADER_LOOPS: Record<string, string> = {
  'toggle-parallel-mi': '<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=[1, 2]" inputElement="item" /></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>',
  'toggle-sequential-mi':
    '<bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=[1, 2]" inputElement="item" /></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>',
  'toggle-loop': '<bpmn:standardLoopCharacteristics />',
};
const HEADER_NOT_CHECKED: Record<string, string> = {
  'toggle-non-interrupting': 'the same elements as the non-interrupting replace options (checked there); never hidden',
  'toggle-is-collection': 'a data object: ignored by the compiler',
  'toggle-participant-multiplicity': 'a pool: publishing refuses no pool',
};
/** Activities, for the loop toggles (an event sub-process has none). */
const ACTIVITIES: Array<{ type: string; variants: Variant[] }> = HOSTS;

/** Context pad append entries: what bpmn-js appends, and to what (ContextPadProvider.getContextPadEntries). */
const APPENDS: Record<string, { from: string; target: Target; annotation?: boolean } | { notChecked: string }> = {
  'append.receive-task': { from: 'bpmn:EventBasedGateway', target: { type: 'bpmn:ReceiveTask' } },
  'append.message-intermediate-event': { from: 'bpmn:EventBasedGateway', target: { type: 'bpmn:IntermediateCatchEvent', eventDefinitionType: 'bpmn:MessageEventDefinition' } },
  'append.timer-intermediate-event': { from: 'bpmn:EventBasedGateway', target: { type: 'bpmn:IntermediateCatchEvent', eventDefinitionType: 'bpmn:TimerEventDefinition' } },
  'append.condition-intermediate-event': { from: 'bpmn:EventBasedGateway', target: { type: 'bpmn:IntermediateCatchEvent', eventDefinitionType: 'bpmn:ConditionalEventDefinition' } },
  'append.signal-intermediate-event': { from: 'bpmn:EventBasedGateway', target: { type: 'bpmn:IntermediateCatchEvent', eventDefinitionType: 'bpmn:SignalEventDefinition' } },
  'append.end-event': { from: 'bpmn:UserTask', target: { type: 'bpmn:EndEvent' } },
  'append.gateway': { from: 'bpmn:UserTask', target: { type: 'bpmn:ExclusiveGateway' } },
  'append.append-task': { from: 'bpmn:UserTask', target: { type: 'bpmn:Task' } },
  'append.intermediate-event': { from: 'bpmn:UserTask', target: { type: 'bpmn:IntermediateThrowEvent' } },
  'append.text-annotation': { from: 'bpmn:UserTask', target: { type: 'bpmn:TextAnnotation' }, annotation: true },
  'append.compensation-activity': { notChecked: 'offered on a compensation boundary event only, which the replace menu hides (compensation is refused)' },
};

/** An element `x` appended (by the flow `fx`) to a source element `src`; after an event-based gateway, beside a timer catch event. */
function appendDrawing(from: string, target: Target, annotation: boolean): string {
  const gateway = from === 'bpmn:EventBasedGateway';
  const src = `<${tag(from)} id="src">${from === 'bpmn:UserTask' ? extensions(ACTIVITY_EXTENSIONS[from]) : ''}</${tag(from)}>`;
  if (annotation) return processXml({ xml: src + '<bpmn:textAnnotation id="x"><bpmn:text>note</bpmn:text></bpmn:textAnnotation><bpmn:association id="fx" sourceRef="src" targetRef="x" />', entry: 'src', exits: ['src'] });
  const x = build(target, 'x');
  const beside = gateway ? `<bpmn:intermediateCatchEvent id="timer">${TIMER}</bpmn:intermediateCatchEvent>${flow('src', 'timer')}` : '';
  return processXml({ xml: src + x.xml + flow('src', x.entry!, 'fx') + beside, entry: 'src', exits: [...x.exits, ...(gateway ? ['timer'] : [])] });
}

/** Palette entries: what each creates (bpmn-js PaletteProvider.getPaletteEntries). */
const PALETTE: Record<string, Target | 'group' | 'participant'> = {
  'create.start-event': { type: 'bpmn:StartEvent' },
  'create.intermediate-event': { type: 'bpmn:IntermediateThrowEvent' },
  'create.end-event': { type: 'bpmn:EndEvent' },
  'create.exclusive-gateway': { type: 'bpmn:ExclusiveGateway' },
  'create.task': { type: 'bpmn:Task' },
  'create.data-object': { type: 'bpmn:DataObjectReference' },
  'create.data-store': { type: 'bpmn:DataStoreReference' },
  'create.subprocess-expanded': { type: 'bpmn:SubProcess', isExpanded: true },
  'create.participant-expanded': 'participant',
  'create.group': 'group',
};

function paletteDrawing(what: Target | 'group' | 'participant'): string {
  if (what === 'group') return processXml({ xml: '<bpmn:group id="x" />', exits: [] });
  if (what === 'participant') return processXml({ xml: '', exits: [] }, 'process', (proc) => `<bpmn:collaboration id="c"><bpmn:participant id="x" processRef="subset" /></bpmn:collaboration>${proc}`);
  // A start event is drawn as the process's own.
  return processXml(build(what, 'x'));
}

describe("the designer's subset against the compiler", () => {
  it('hides exactly the replace options whose element publishing refuses, in every context bpmn-js offers them', async () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const [menu, contexts] of Object.entries(REPLACE_MENUS)) {
      if (typeof contexts === 'object' && !Array.isArray(contexts)) continue;
      for (const option of optionLists(menu)) {
        const checks: Array<Promise<string | null>> = [];
        if (contexts === 'boundary') {
          for (const host of HOSTS) {
            const ctx: DesignerContext = { elementType: 'bpmn:BoundaryEvent', hostType: host.type };
            const drawings = host.variants.map((v) => processXml(boundary(option.target!, host.type, v)));
            checks.push(verdict(`${menu} ${option.actionName} on ${host.type}`, hiddenReplaceOption(option.actionName, ctx), drawings, ['x']));
          }
        } else if (contexts === 'flow') {
          for (const sourceType of FLOW_SOURCES[option.actionName]) {
            const ctx: DesignerContext = { elementType: 'bpmn:SequenceFlow', sourceType };
            checks.push(verdict(`${menu} ${option.actionName} from ${sourceType}`, hiddenReplaceOption(option.actionName, ctx), [flowDrawing(option.actionName, sourceType)], ['x']));
          }
        } else {
          for (const scope of contexts) {
            const ctx: DesignerContext = { elementType: option.target!.type, scope };
            checks.push(verdict(`${menu} ${option.actionName} in ${scope}`, hiddenReplaceOption(option.actionName, ctx), [processXml(build(option.target!, 'x'), scope)], ['x']));
          }
        }
        checked += checks.length;
        mismatches.push(...(await Promise.all(checks)).filter((m): m is string => m !== null));
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(300);
  });

  it('hides exactly the loop toggles of the replace menu whose loop publishing refuses', async () => {
    const mismatches: string[] = [];
    for (const [id, loop] of Object.entries(HEADER_LOOPS)) {
      for (const activity of ACTIVITIES) {
        const drawings = activity.variants.map((v) => processXml(build({ type: activity.type }, 'x', { ...v, loop })));
        const m = await verdict(`${id} on ${activity.type}`, hiddenReplaceHeaderEntry(id, { elementType: activity.type }), drawings, ['x']);
        if (m) mismatches.push(m);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('hides exactly the palette and context pad entries whose element publishing refuses', async () => {
    const mismatches: string[] = [];
    for (const [id, what] of Object.entries(PALETTE)) {
      const m = await verdict(id, hiddenPaletteEntry(id), [paletteDrawing(what)], ['x']);
      if (m) mismatches.push(m);
    }
    for (const [id, append] of Object.entries(APPENDS)) {
      if ('notChecked' in append) {
        expect({ id, hidden: hiddenAppendEntry(id, { elementType: 'bpmn:BoundaryEvent' }) }).toEqual({ id, hidden: true });
        continue;
      }
      const m = await verdict(`${id} after ${append.from}`, hiddenAppendEntry(id, { elementType: append.from }), [appendDrawing(append.from, append.target, !!append.annotation)], ['x', 'fx']);
      if (m) mismatches.push(m);
    }
    expect(mismatches).toEqual([]);
  });

  it('names only what bpmn-js offers, and checks (or says why not) everything it offers', () => {
    // Every list of ReplaceOptions has its contexts here; a new one in a bpmn-js update fails this.
    expect(Object.keys(ReplaceOptions).sort()).toEqual(Object.keys(REPLACE_MENUS).sort());
    const actionNames = new Set(Object.keys(REPLACE_MENUS).flatMap((name) => optionLists(name).map((o) => o.actionName)));
    for (const name of Object.keys(FLOW_SOURCES)) expect(actionNames).toContain(name);
    expect(optionLists('SEQUENCE_FLOW').map((o) => o.actionName)).toEqual(Object.keys(FLOW_SOURCES));
    // Header toggles, palette and append entries as bpmn-js's providers name them.
    const headers = idsIn(sourceText('popup-menu/ReplaceMenuProvider.js'), /'(toggle-[a-z-]+)'/g);
    expect(headers.sort()).toEqual([...Object.keys(HEADER_LOOPS), ...Object.keys(HEADER_NOT_CHECKED)].sort());
    expect(idsIn(sourceText('palette/PaletteProvider.js'), /'(create\.[a-z-]+)'/g).sort()).toEqual(Object.keys(PALETTE).sort());
    expect(idsIn(sourceText('context-pad/ContextPadProvider.js'), /'(append\.[a-z-]+)'/g).sort()).toEqual(Object.keys(APPENDS).sort());
    // No stale name in the definition.
    const named = namedIds();
    expect(named.replace.filter((n) => !actionNames.has(n))).toEqual([]);
    expect(named['replace-header'].filter((n) => !headers.includes(n))).toEqual([]);
    expect(named.palette.filter((n) => !(n in PALETTE))).toEqual([]);
    expect(named.append.filter((n) => !(n in APPENDS))).toEqual([]);
  });
});
