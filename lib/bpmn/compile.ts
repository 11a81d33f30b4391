import { isRole } from '../roles';
import { feelSyntaxProblem, isExpression } from './feel';
import {
  DEFAULT_OUTCOMES,
  GRAPH_FORMAT,
  isTimerHost,
  type ForeignForm,
  OUTCOME_REJECT,
  OUTCOME_RETURN,
  type BoundaryEscalationNode,
  type CallMultiInstance,
  type EventSubTrigger,
  type ExecutionListener,
  type SubProcessNode,
  type GraphNode,
  type MultiInstance,
  type ProcessGraph,
  type SequenceFlow,
  type ServiceTaskNode,
  type TimerSpec,
} from './graph';
import { cycle, dateMs, durationMs } from './iso8601';
import { readIoMapping } from './io-mapping';
import { extension, readBpmnXml, zeebeProperties, type ModdleElement } from './moddle';
import { isKnownServiceTaskType } from './service-tasks';
import { camundaLint, type LintReport } from './lint';

/**
 * Publishing's checks and the translation of BPMN into the graph the case workflow runs.
 * Every problem is collected (not just the first) and names the element it is about, so a
 * modeller fixes a diagram in one round.
 */
export interface ProcessProblem {
  elementId: string;
  message: string;
  /** A Camunda lint rule's report (lib/bpmn/lint.ts): the rule, and the message in Chinese. */
  rule?: string;
  zh?: string;
  /**
   * The lint rule's whole report, in this process only: its data holds the moddle elements the
   * designer's properties panel needs to mark the field; the API sends `rule` and `zh` instead.
   */
  lint?: LintReport;
}

/**
 * `warnings`: Camunda lint rules' warnings (a user task without a form, a due date Camunda 8
 * would not read): the process publishes and runs, the designer shows them.
 */
export type CompileResult = { ok: true; graph: ProcessGraph; warnings: ProcessProblem[] } | { ok: false; problems: ProcessProblem[]; warnings: ProcessProblem[] };

const PROCESS_KEY = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** Element types in the supported subset, and what each becomes. */
const SUPPORTED = new Set([
  'bpmn:StartEvent',
  'bpmn:EndEvent',
  'bpmn:UserTask',
  'bpmn:ServiceTask',
  'bpmn:SendTask',
  'bpmn:ScriptTask',
  'bpmn:BusinessRuleTask',
  'bpmn:ReceiveTask',
  'bpmn:ExclusiveGateway',
  'bpmn:ParallelGateway',
  'bpmn:InclusiveGateway',
  'bpmn:EventBasedGateway',
  'bpmn:IntermediateCatchEvent',
  'bpmn:BoundaryEvent',
  'bpmn:CallActivity',
  'bpmn:SubProcess',
  'bpmn:SequenceFlow',
  // A none intermediate throw event is a pass-through (below); one with an escalation throws it.
  'bpmn:IntermediateThrowEvent',
]);

/**
 * Elements Modeler files carry that mean nothing to execution: data objects and data stores
 * (text annotations, groups and associations are artifacts, outside flowElements, never read).
 */
const IGNORED = new Set(['bpmn:DataObject', 'bpmn:DataObjectReference', 'bpmn:DataStoreReference']);

/** Elements Camunda 8 runs as pass-throughs: an undefined task, a manual task, a none intermediate throw event. */
const PASS_THROUGH = new Set(['bpmn:Task', 'bpmn:ManualTask', 'bpmn:IntermediateThrowEvent']);

/**
 * The platform's checks and Camunda's lint rules (lib/bpmn/lint.ts) over one reading of the
 * XML. A lint error about an element the platform already refuses is left out: the platform's
 * problem says what to change here, and one element gives one problem.
 */
export async function compileBpmn(xml: string): Promise<CompileResult> {
  const problems: ProcessProblem[] = [];
  const read = await readBpmnXml(xml);
  for (const w of read.warnings) problems.push({ elementId: w.elementId ?? 'definitions', message: `XML: ${w.message}` });
  if (!read.definitions) return { ok: false, problems, warnings: [] };

  const processes = ((read.definitions.rootElements as ModdleElement[] | undefined) ?? []).filter((e) => e.$type === 'bpmn:Process');
  const executable = processes.filter((p) => p.isExecutable !== false);
  let graph: ProcessGraph | null = null;
  if (executable.length !== 1) problems.push({ elementId: 'definitions', message: `expected exactly one executable process, found ${executable.length}` });
  else graph = compileProcess(executable[0], problems);

  // Camunda's rules, after the platform's own reading (camundaLint completes the flow lists it
  // reads). XML the reader had to guess at (unknown elements, broken references) is refused for
  // that already; the rules would only trip over the gaps.
  // A diagram plane drawing nothing (a broken reference, noted below) trips the rules: they read the diagram too.
  if (read.diagramWarnings.length) dropEmptyPlanes(read.definitions);
  const lint = read.warnings.length ? [] : await camundaLint(read.definitions);
  const refused = new Set(problems.map((p) => p.elementId));
  const all = [...problems, ...lint.filter((r) => r.category === 'error' && !refused.has(r.elementId)).map(lintProblem)];
  const warnings = [
    ...lint.filter((r) => r.category === 'warn').map(lintProblem),
    ...externalJobNotes(graph),
    ...foreignFormNotes(graph),
    ...read.diagramWarnings.map((w) => ({ elementId: w.elementId ?? 'definitions', rule: 'diagram-reference', message: `the diagram is incomplete: ${w.message}`, zh: `流程图不完整：${w.message}` })),
  ];
  return all.length === 0 && graph ? { ok: true, graph, warnings } : { ok: false, problems: all, warnings };
}

function dropEmptyPlanes(definitions: ModdleElement): void {
  const diagrams = definitions.diagrams as Array<{ plane?: { bpmnElement?: unknown } }> | undefined;
  if (diagrams) definitions.diagrams = diagrams.filter((d) => d.plane?.bpmnElement);
}

/** Each form of another task application: the platform neither shows nor checks it. */
function foreignFormNotes(graph: ProcessGraph | null): ProcessProblem[] {
  const notes: ProcessProblem[] = [];
  for (const node of Object.values(graph?.nodes ?? {})) {
    const form = node.kind === 'start' || node.kind === 'userTask' ? node.foreignForm : undefined;
    if (!form) continue;
    notes.push(
      form.kind === 'external'
        ? {
            elementId: node.id,
            rule: 'foreign-form',
            message: `the external form ${form.reference} is linked on the task page; the platform neither shows nor checks its fields`,
            zh: `外部表单 ${form.reference} 在任务页面以链接打开，平台不显示也不校验其字段`,
          }
        : {
            elementId: node.id,
            rule: 'foreign-form',
            message: `the form key "${form.reference}" is another task application's form: the task page offers the decision without fields`,
            zh: `表单键“${form.reference}”属于其他任务应用，任务页面只提供办理结论，不显示表单字段`,
          },
    );
  }
  return notes;
}

/** Each external job type, once: publishing says that a job worker, not the platform, does that work. */
function externalJobNotes(graph: ProcessGraph | null): ProcessProblem[] {
  const seen = new Set<string>();
  const notes: ProcessProblem[] = [];
  for (const node of Object.values(graph?.nodes ?? {})) {
    if (node.kind !== 'serviceTask' || !node.external || seen.has(node.taskType)) continue;
    seen.add(node.taskType);
    notes.push({
      elementId: node.id,
      rule: 'external-job',
      message: `task type "${node.taskType}" is no platform activity: its jobs wait for a job worker (POST /api/jobs/activate)`,
      zh: `任务类型“${node.taskType}”不是平台内置活动：作业等待外部作业处理程序领取并完成（POST /api/jobs/activate）`,
    });
  }
  return notes;
}

const lintProblem = (r: LintReport): ProcessProblem => ({ elementId: r.elementId, message: r.message, rule: r.rule, zh: r.zh, lint: r });

function compileProcess(proc: ModdleElement, problems: ProcessProblem[]): ProcessGraph | null {
  const problem = (elementId: string, message: string) => problems.push({ elementId, message });
  const key = proc.id ?? '';
  if (!PROCESS_KEY.test(key)) problem(key || 'process', 'the process id (its key) must start with a letter and hold only letters, digits, "_" and "-" (at most 64)');

  const elements = (proc.flowElements as ModdleElement[] | undefined) ?? [];
  const nodes: Record<string, GraphNode> = {};
  const flows: Record<string, SequenceFlow> = {};

  // Elements refused (unsupported, or not compiled): each gives its own problem once, and what
  // lies behind it is not reported again as unreachable or unconnected (see checkStructure).
  const refused = new Set<string>();
  const passThroughs: Array<{ el: ModdleElement; scope: string | null }> = [];
  const links: Array<{ el: ModdleElement; scope: string | null }> = [];
  // Every element, embedded sub-processes' included (ids are unique in a document): flows and
  // document order are read over all of them.
  const allElements: ModdleElement[] = [];
  const collect = (list: ModdleElement[], scope: string | null) => {
    for (const el of list) {
      allElements.push(el);
      const id = el.id ?? '?';
      if (IGNORED.has(el.$type)) continue;
      if (isLinkEvent(el)) {
        links.push({ el, scope });
        passThroughs.push({ el, scope }); // a jump within its scope: a flow from the throw to its catch (below)
        continue;
      }
      if (PASS_THROUGH.has(el.$type) && !throwsEvent(el)) {
        passThroughs.push({ el, scope }); // compiled once every flow is read: its form depends on them
        continue;
      }
      if (!SUPPORTED.has(el.$type)) {
        problem(id, `${el.$type.replace('bpmn:', '')} is not in the supported BPMN subset`);
        refused.add(id);
        continue;
      }
      if (el.$type === 'bpmn:SequenceFlow') {
        const source = (el.sourceRef as ModdleElement | undefined)?.id;
        const target = (el.targetRef as ModdleElement | undefined)?.id;
        if (!source || !target) {
          problem(id, 'a sequence flow needs a source and a target');
          continue;
        }
        const body = ((el.conditionExpression as ModdleElement | undefined)?.body as string | undefined)?.trim() || null;
        if (body) {
          const syntax = feelSyntaxProblem(body);
          if (syntax) problem(id, `condition is not valid FEEL: ${syntax}`);
        }
        flows[id] = { id, name: el.name ?? '', source, target, condition: body ? body.replace(/^=/, '').trim() : null };
        continue;
      }
      // The start event of an event sub-process carries its trigger, which the sub-process node holds.
      const node = compileNode(el, problem, { eventSubStart: el.$type === 'bpmn:StartEvent' && scope !== null && nodes[scope]?.kind === 'subProcess' && (nodes[scope] as SubProcessNode).trigger !== undefined });
      if (!node) {
        refused.add(id);
        continue;
      }
      const listeners = readListeners(el, problem);
      if (listeners.length) node.listeners = listeners;
      nodes[id] = scope ? { ...node, scope } : node;
      if (node.kind === 'subProcess') collect((el.flowElements as ModdleElement[] | undefined) ?? [], id);
    }
  };
  collect(elements, null);
  // An embedded sub-process starts at its own (only) start event.
  for (const sub of Object.values(nodes)) {
    if (sub.kind !== 'subProcess') continue;
    const starts = Object.values(nodes).filter((n) => n.kind === 'start' && n.scope === sub.id);
    if (starts.length !== 1) problem(sub.id, `an embedded sub-process needs exactly one start event, found ${starts.length}`);
    else sub.startNodeId = starts[0].id;
  }

  // Link events (Camunda 8's go-to on the page): each throw continues at the catch event of the
  // same link name in the same scope, as if a flow joined them; both are then pass-throughs.
  for (const { el, scope } of links) {
    if (el.$type !== 'bpmn:IntermediateThrowEvent') continue;
    const name = linkName(el);
    const catches = links.filter((l) => l.el.$type === 'bpmn:IntermediateCatchEvent' && l.scope === scope && linkName(l.el) === name);
    if (!name) problem(el.id!, 'a link throw event needs a link name');
    else if (catches.length !== 1) problem(el.id!, `a link throw event needs exactly one link catch event named "${name}" in its scope, found ${catches.length}`);
    else {
      const id = `${el.id!}__link`;
      flows[id] = { id, name: '', source: el.id!, target: catches[0].el.id!, condition: null };
    }
  }
  for (const { el, scope } of links) {
    const name = linkName(el);
    if (el.$type === 'bpmn:IntermediateCatchEvent' && links.filter((l) => l.el.$type === 'bpmn:IntermediateCatchEvent' && l.scope === scope && linkName(l.el) === name).length > 1)
      problem(el.id!, `the link name "${name}" names more than one link catch event in its scope`);
  }

  for (const { el, scope } of passThroughs) {
    const all = Object.values(flows);
    const node = compilePassThrough(el, all.filter((f) => f.target === el.id).length, all.filter((f) => f.source === el.id).length, problem);
    // Inside a sub-process it belongs to that scope like every other element there.
    if (node) nodes[el.id!] = scope ? { ...node, scope } : node;
    else refused.add(el.id!);
  }

  // Wire flows into nodes; flows into unsupported elements were reported above.
  for (const flow of Object.values(flows)) {
    const source = nodes[flow.source];
    const target = nodes[flow.target];
    if (source) source.outgoing.push(flow.id);
    if (target) target.incoming.push(flow.id);
    if ((!source || !target) && !refused.has(flow.source) && !refused.has(flow.target)) problem(flow.id, 'connects an element that is not in the supported subset');
  }
  // Document order of flows drives gateway evaluation: keep the order the source element lists.
  for (const el of allElements) {
    const node = el.id ? nodes[el.id] : undefined;
    const listed = ((el.outgoing as ModdleElement[] | undefined) ?? []).map((f) => f.id!).filter((f) => flows[f]);
    if (node && listed.length === node.outgoing.length) node.outgoing = listed;
  }

  refuseListeners(proc, problem);
  const options = {
    withdrawable: zeebeProperties(proc).withdrawable !== 'false',
    internalVariables: splitList(zeebeProperties(proc).internalVariables ?? ''),
    starterRoles: splitList(zeebeProperties(proc).starterRoles ?? ''),
    ...(zeebeProperties(proc).startedBy === 'platform' ? { startedByPlatform: true } : {}),
  };
  const startedBy = zeebeProperties(proc).startedBy;
  if (startedBy !== undefined && startedBy !== 'platform') problem(key || 'process', `startedBy "${startedBy}" is not "platform"`);
  for (const role of options.starterRoles) if (!isRole(role)) problem(key || 'process', `starter role "${role}" is not a role`);
  const starts = Object.values(nodes).filter((n) => n.kind === 'start' && !n.scope);
  if (starts.length !== 1) problem(key || 'process', `a process needs exactly one start event, found ${starts.length}`);
  if (!Object.values(nodes).some((n) => n.kind === 'end' && !n.scope)) problem(key || 'process', 'a process needs at least one end event');

  const graph: ProcessGraph = {
    format: GRAPH_FORMAT,
    processKey: key,
    name: proc.name ?? key,
    startNodeId: starts[0]?.id ?? '',
    nodes,
    flows,
    options,
  };
  checkStructure(graph, problem, refused);
  return graph;
}

/**
 * Zeebe runs a job for each execution listener when the element starts or ends; nothing here
 * would, so a diagram relying on one is refused rather than run without it.
 */
/**
 * An element's execution listeners, as Zeebe runs them: a job per listener (its `type`, literal
 * or FEEL, and `retries`), start listeners before the element's work, end listeners after it.
 */
function readListeners(el: ModdleElement, problem: Report): ExecutionListener[] {
  const ext = extension(el, 'zeebe:ExecutionListeners') as { listeners?: Array<{ eventType?: string; type?: string; retries?: string }> } | undefined;
  const out: ExecutionListener[] = [];
  for (const [i, l] of (ext?.listeners ?? []).entries()) {
    const id = el.id!;
    const eventType = l.eventType ?? 'start';
    if (eventType !== 'start' && eventType !== 'end') {
      problem(id, `execution listener ${i + 1}: the event type "${eventType}" is not supported (start and end are)`);
      continue;
    }
    const type = l.type?.trim() ?? '';
    if (!type) {
      problem(id, `execution listener ${i + 1} needs a job type`);
      continue;
    }
    if (isExpression(type) && feelSyntaxProblem(type)) problem(id, `execution listener ${i + 1}: the job type is not valid FEEL: ${feelSyntaxProblem(type)}`);
    const retries = l.retries?.trim() ? Number(l.retries) : 3;
    if (!Number.isInteger(retries) || retries < 1 || retries > MAX_JOB_RETRIES) problem(id, `execution listener ${i + 1}: retries must be a whole number from 1 to ${MAX_JOB_RETRIES}`);
    const known = !isExpression(type) && isKnownServiceTaskType(type);
    out.push({
      eventType,
      job: { id, name: `${el.name ?? id}（${eventType === 'start' ? '开始' : '结束'}监听）`, incoming: [], outgoing: [], kind: 'serviceTask', taskType: type, send: false, headers: {}, ...(known ? {} : { external: true, retries }) },
    });
  }
  return out;
}

function refuseListeners(el: ModdleElement, problem: Report): void {
  if (extension(el, 'zeebe:ExecutionListeners')) problem(el.id ?? 'process', 'execution listeners (zeebe:executionListeners) are not supported: put the work in a service task');
}

/**
 * A pass-through element as the node that behaves the same: one way out merges every token that
 * arrives (an exclusive gateway with one unconditioned flow), one way in forks to every way out
 * (a parallel gateway). Both at once has no such equivalent, and is refused.
 */
function compilePassThrough(el: ModdleElement, ins: number, outs: number, problem: Report): GraphNode | null {
  const id = el.id!;
  const label = el.$type.replace('bpmn:', '');
  const definitions = ((el.eventDefinitions as ModdleElement[] | undefined) ?? []).filter((d) => d.$type !== 'bpmn:LinkEventDefinition');
  if (definitions.length) {
    problem(id, `${definitions[0].$type.replace('bpmn:', '')} on an intermediate throw event is not supported`);
    return null;
  }
  if (el.loopCharacteristics) {
    problem(id, 'multi-instance is supported on user tasks only');
    return null;
  }
  if (extension(el, 'zeebe:IoMapping')) {
    problem(id, `input/output mappings on a ${label} are not applied: move them to the task that needs them`);
    return null;
  }
  refuseListeners(el, problem);
  const base = { id, name: el.name ?? id, incoming: [] as string[], outgoing: [] as string[] };
  if (outs <= 1) return { ...base, kind: 'exclusiveGateway', defaultFlow: null };
  if (ins <= 1) return { ...base, kind: 'parallelGateway' };
  problem(id, `a ${label} with several incoming and several outgoing flows: put a gateway before or after it`);
  return null;
}

type Report = (elementId: string, message: string) => void;

/** Elements that may be multi-instance (a job-based task as a service task is). */
const LOOP_HOSTS = new Set(['bpmn:UserTask', 'bpmn:CallActivity', 'bpmn:SubProcess', 'bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:ScriptTask', 'bpmn:BusinessRuleTask']);

/** The largest `zeebe:taskDefinition retries` an external job may ask for. */
const MAX_JOB_RETRIES = 100;

/**
 * A task whose work a job does (`zeebe:taskDefinition`): a platform activity when the type is
 * registered (lib/bpmn/service-tasks.ts), else an external job for a job worker (/api/jobs).
 */
function compileJob(el: ModdleElement, base: Pick<ServiceTaskNode, 'id' | 'name' | 'incoming' | 'outgoing'>, problem: Report): ServiceTaskNode {
  const id = base.id;
  const definition = extension(el, 'zeebe:TaskDefinition') as { type?: string; retries?: string } | undefined;
  const type = definition?.type?.trim() ?? '';
  if (!type) problem(id, 'a service or send task needs zeebe:taskDefinition type');
  else if (isExpression(type) && feelSyntaxProblem(type)) problem(id, `the task type is not valid FEEL: ${feelSyntaxProblem(type)}`);
  else if (type.length > 128 && !isExpression(type)) problem(id, 'the task type must be at most 128 characters');
  const headers: Record<string, string> = {};
  const h = extension(el, 'zeebe:TaskHeaders') as { values?: Array<{ key?: string; value?: string }> } | undefined;
  for (const header of h?.values ?? []) if (header.key) headers[header.key] = header.value ?? '';
  const node: ServiceTaskNode = { ...base, kind: 'serviceTask', taskType: type, send: el.$type === 'bpmn:SendTask' || el.$type === 'bpmn:IntermediateThrowEvent' || el.$type === 'bpmn:EndEvent', headers };
  if (el.loopCharacteristics) node.multiInstance = collectionLoop(el, 'service task', problem);
  if (!type || (!isExpression(type) && isKnownServiceTaskType(type))) return node;
  const retriesText = definition?.retries?.trim() ?? '';
  let retries = 3;
  if (retriesText) {
    retries = Number(retriesText);
    if (!/^\d+$/.test(retriesText) || retries < 1 || retries > MAX_JOB_RETRIES) problem(id, `zeebe:taskDefinition retries must be a whole number from 1 to ${MAX_JOB_RETRIES} (an expression is not supported)`);
  }
  return { ...node, external: true, retries };
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function compileNode(el: ModdleElement, problem: Report, opts: { eventSubStart?: boolean } = {}): GraphNode | null {
  const id = el.id!;
  const base = { id, name: el.name ?? id, incoming: [] as string[], outgoing: [] as string[] };
  const definitions = (el.eventDefinitions as ModdleElement[] | undefined) ?? [];
  const props = zeebeProperties(el);
  if (el.loopCharacteristics && !LOOP_HOSTS.has(el.$type)) problem(id, 'multi-instance is supported on user tasks, service tasks, sub-processes and call activities only');
  // Variable mappings go only on elements whose handler applies them; anywhere else they are
  // refused, never ignored (a mapping silently dropped routes a case wrongly).
  const io = readIoMapping(el, (message) => problem(id, message));
  const withIo = <T extends GraphNode | null>(node: T): T => (node && io ? { ...node, ioMapping: io } : node);
  const refuseIo = (what: string, why: string) => {
    if (io) problem(id, `zeebe:ioMapping is not supported on ${what}: ${why}`);
  };

  switch (el.$type) {
    case 'bpmn:StartEvent': {
      if (opts.eventSubStart) {
        if (io?.inputs.length) problem(id, 'input mappings are not supported on a start event (output mappings are)');
        return withIo({ ...base, kind: 'start' });
      }
      // A message start event: an outside system's message starts the case (POST /api/messages).
      const message = definitions.length === 1 && definitions[0].$type === 'bpmn:MessageEventDefinition' ? (((definitions[0].messageRef as ModdleElement | undefined)?.name as string | undefined)?.trim() ?? '') : null;
      if (message === '') problem(id, 'a message start event needs a message with a name');
      else if (message && isExpression(message)) problem(id, 'the message name of a start event must be a literal name');
      else if (definitions.length && message === null) problem(id, 'only a plain (none) or message start event is supported');
      // Outputs map the start variables as the case begins (Camunda 8); nothing runs before a start event to take inputs.
      if (io?.inputs.length) problem(id, 'input mappings are not supported on a start event: set start variables with the start form (output mappings are)');
      return withIo({ ...base, kind: 'start', ...formOf(el, problem), ...(message ? { message } : {}) });
    }
    case 'bpmn:EndEvent': {
      const terminate = definitions.some((d) => d.$type === 'bpmn:TerminateEventDefinition');
      const error = definitions.find((d) => d.$type === 'bpmn:ErrorEventDefinition');
      const escalation = definitions.find((d) => d.$type === 'bpmn:EscalationEventDefinition');
      const signal = definitions.find((d) => d.$type === 'bpmn:SignalEventDefinition');
      // Camunda 8 sends an end event's message with a job, as a send task does.
      const message = definitions.find((d) => d.$type === 'bpmn:MessageEventDefinition');
      if (definitions.some((d) => !['bpmn:TerminateEventDefinition', 'bpmn:ErrorEventDefinition', 'bpmn:EscalationEventDefinition', 'bpmn:SignalEventDefinition', 'bpmn:MessageEventDefinition'].includes(d.$type)))
        problem(id, 'only plain, terminate, error, escalation, signal and message end events are supported');
      if (message && definitions.length > 1) problem(id, 'a message end event takes one event definition');
      const sendJob = message ? compileJob(el, { ...base, outgoing: [] }, problem) : null;
      const signalName = signal ? signalNameOf(signal, id, problem) : null;
      if (io?.inputs.length) problem(id, 'input mappings are not supported on an end event: nothing runs in its scope (output mappings are)');
      const errorCode = error ? errorCodeOf(error, id, problem, true) : null;
      const escalationCode = escalation ? escalationCodeOf(escalation, id, problem, true) : null;
      return withIo({
        ...base,
        kind: 'end',
        terminate,
        result: props.result || 'approved',
        ...(errorCode ? { errorCode } : {}),
        ...(escalationCode ? { escalation: { code: escalationCode, catcher: null } } : {}),
        ...(signalName ? { signal: signalName } : {}),
        ...(sendJob ? { sendJob } : {}),
      });
    }
    case 'bpmn:IntermediateThrowEvent': {
      // Only one with an escalation, a signal or a message comes here (the others pass through).
      if (definitions.length !== 1) problem(id, 'an intermediate throw event takes one event definition');
      // Camunda 8 sends a message from a throw event with a job, as a send task does.
      if (definitions[0]?.$type === 'bpmn:MessageEventDefinition') return withIo(compileJob(el, base, problem));
      if (definitions[0]?.$type === 'bpmn:SignalEventDefinition') {
        refuseIo('a signal throw event', 'map on the element before it');
        const name = signalNameOf(definitions[0], id, problem);
        return name ? { ...base, kind: 'signalThrow', signalName: name } : null;
      }
      refuseIo('an escalation throw event', 'map on the element before it');
      const code = escalationCodeOf(definitions[0], id, problem, true);
      return code ? { ...base, kind: 'escalationThrow', escalation: { code, catcher: null } } : null;
    }
    case 'bpmn:UserTask':
      return withIo(compileUserTask(el, base, props, problem));
    case 'bpmn:ServiceTask':
    case 'bpmn:SendTask': {
      return withIo(compileJob(el, base, problem));
    }
    case 'bpmn:ScriptTask': {
      // A FEEL script the engine evaluates, or (with a task definition) a job like a service task's.
      if (extension(el, 'zeebe:TaskDefinition')) return withIo(compileJob(el, base, problem));
      const script = extension(el, 'zeebe:Script') as { expression?: string; resultVariable?: string } | undefined;
      const expression = script?.expression?.trim() ?? '';
      const resultVariable = script?.resultVariable?.trim() ?? '';
      if (!expression) {
        // Refused as a whole (one problem, not its flows' follow-ons).
        problem(id, 'a script task needs a FEEL zeebe:script expression or a zeebe:taskDefinition');
        return null;
      } else if (!isExpression(expression)) problem(id, 'the script must be a FEEL expression starting with "="');
      else if (feelSyntaxProblem(expression)) problem(id, `the script is not valid FEEL: ${feelSyntaxProblem(expression)}`);
      if (expression && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(resultVariable)) problem(id, 'a script task needs a resultVariable that is a variable name');
      if (el.loopCharacteristics) problem(id, 'a multi-instance FEEL script task is not supported: compute the list in one script');
      return withIo({ ...base, kind: 'scriptTask', expression: expression.replace(/^=/, '').trim(), resultVariable });
    }
    case 'bpmn:BusinessRuleTask': {
      if (extension(el, 'zeebe:TaskDefinition')) return withIo(compileJob(el, base, problem));
      const called = extension(el, 'zeebe:CalledDecision') as { decisionId?: string; resultVariable?: string } | undefined;
      if (!called) {
        problem(id, 'a business rule task needs a zeebe:calledDecision (a published DMN decision) or a zeebe:taskDefinition (a job worker)');
        return null;
      }
      const decisionId = called.decisionId?.trim() ?? '';
      const resultVariable = called.resultVariable?.trim() ?? '';
      if (!decisionId) problem(id, 'zeebe:calledDecision needs a decisionId');
      else if (isExpression(decisionId) && feelSyntaxProblem(decisionId)) problem(id, `the decisionId is not valid FEEL: ${feelSyntaxProblem(decisionId)}`);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(resultVariable)) problem(id, 'zeebe:calledDecision needs a resultVariable that is a variable name');
      if (el.loopCharacteristics) problem(id, 'a multi-instance business rule task calling a decision is not supported');
      return withIo({ ...base, kind: 'businessRuleTask', decisionId, resultVariable });
    }
    case 'bpmn:CallActivity':
      return withIo(compileCallActivity(el, base, problem));
    case 'bpmn:SubProcess':
      if (el.triggeredByEvent) {
        const trigger = eventSubTrigger(el, problem);
        if (el.loopCharacteristics) problem(id, 'an event sub-process cannot be multi-instance');
        return trigger ? withIo({ ...base, kind: 'subProcess', startNodeId: '', trigger }) : null;
      }
      if (el.loopCharacteristics) {
        const multiInstance = collectionLoop(el, 'sub-process', problem);
        if (io?.outputs.length) problem(id, "output mappings on a multi-instance sub-process are not supported: collect each instance's result with outputCollection and outputElement");
        return withIo({ ...base, kind: 'subProcess', startNodeId: '', multiInstance });
      }
      return withIo({ ...base, kind: 'subProcess', startNodeId: '' });
    case 'bpmn:ReceiveTask':
      return withIo(compileMessage(el, base, el.messageRef as ModdleElement | undefined, true, problem));
    case 'bpmn:ExclusiveGateway':
      refuseIo('a gateway', 'Camunda 8 has no variable mappings on gateways');
      return { ...base, kind: 'exclusiveGateway', defaultFlow: (el.default as ModdleElement | undefined)?.id ?? null };
    case 'bpmn:ParallelGateway':
      refuseIo('a gateway', 'Camunda 8 has no variable mappings on gateways');
      return { ...base, kind: 'parallelGateway' };
    case 'bpmn:EventBasedGateway':
      refuseIo('a gateway', 'Camunda 8 has no variable mappings on gateways');
      return { ...base, kind: 'eventGateway' };
    case 'bpmn:InclusiveGateway':
      refuseIo('a gateway', 'Camunda 8 has no variable mappings on gateways');
      return { ...base, kind: 'inclusiveGateway', defaultFlow: (el.default as ModdleElement | undefined)?.id ?? null, upstream: [] };
    case 'bpmn:IntermediateCatchEvent': {
      const def = definitions[0];
      if (definitions.length !== 1) {
        problem(id, 'an intermediate catch event needs exactly one timer or message definition');
        return null;
      }
      if (def.$type === 'bpmn:TimerEventDefinition') {
        const timer = timerOf(def, id, problem);
        if (timer?.kind === 'cycle') problem(id, 'an intermediate timer takes a duration or a date, not a cycle');
        return timer ? withIo({ ...base, kind: 'timerEvent', timer }) : null;
      }
      if (def.$type === 'bpmn:MessageEventDefinition') return withIo(compileMessage(el, base, def.messageRef as ModdleElement | undefined, false, problem));
      if (def.$type === 'bpmn:SignalEventDefinition') {
        const name = signalNameOf(def, id, problem);
        return name ? withIo({ ...base, kind: 'messageEvent', messageName: name, correlationKey: null, receiveTask: false, signal: true }) : null;
      }
      problem(id, `${def.$type.replace('bpmn:', '')} on an intermediate catch event is not supported`);
      return null;
    }
    case 'bpmn:BoundaryEvent': {
      const def = definitions[0];
      const attachedTo = (el.attachedToRef as ModdleElement | undefined)?.id ?? '';
      if (definitions.length === 1 && def.$type === 'bpmn:ErrorEventDefinition') {
        if (el.cancelActivity === false) problem(id, 'an error boundary event is always interrupting');
        // Output mappings take what the error carried (errorCode, errorMessage, a job's variables); nothing runs here to take inputs.
        if (io?.inputs.length) problem(id, 'input mappings are not supported on an error boundary event (output mappings are)');
        return withIo({ ...base, kind: 'boundaryError', attachedTo, errorCode: errorCodeOf(def, id, problem, false) });
      }
      if (definitions.length === 1 && def.$type === 'bpmn:EscalationEventDefinition') {
        refuseIo('a boundary event', 'map on the element after it');
        return { ...base, kind: 'boundaryEscalation', attachedTo, escalationCode: escalationCodeOf(def, id, problem, false), interrupting: el.cancelActivity !== false };
      }
      if (definitions.length === 1 && def.$type === 'bpmn:SignalEventDefinition') {
        refuseIo('a boundary event', 'map on the element after it');
        const name = signalNameOf(def, id, problem);
        return name ? { ...base, kind: 'boundaryMessage', attachedTo, messageName: name, correlationKey: null, interrupting: el.cancelActivity !== false, signal: true } : null;
      }
      if (definitions.length === 1 && def.$type === 'bpmn:MessageEventDefinition') {
        refuseIo('a boundary event', 'map on the element after it');
        const message = compileMessage(el, base, def.messageRef as ModdleElement | undefined, false, problem);
        if (message?.kind !== 'messageEvent') return null;
        return { ...base, kind: 'boundaryMessage', attachedTo, messageName: message.messageName, correlationKey: message.correlationKey, interrupting: el.cancelActivity !== false };
      }
      if (definitions.length !== 1 || def.$type !== 'bpmn:TimerEventDefinition') {
        problem(id, 'only timer, message, signal, error and escalation boundary events are supported');
        return null;
      }
      const timer = timerOf(def, id, problem);
      if (!timer) return null;
      const interrupting = el.cancelActivity !== false;
      if (interrupting && timer.kind === 'cycle' && !/^R1\//.test(timer.value)) problem(id, 'an interrupting timer fires once: use a duration or a date');
      const autoOutcome = props.autoOutcome?.trim() || null;
      if (autoOutcome && !interrupting) problem(id, 'autoOutcome needs an interrupting timer');
      refuseIo('a boundary event', 'the engine does not apply mappings when a boundary timer fires; map on the task or on the element after it');
      return { ...base, kind: 'boundaryTimer', attachedTo, interrupting, timer, autoOutcome };
    }
  }
  return null;
}

function compileUserTask(el: ModdleElement, base: { id: string; name: string; incoming: string[]; outgoing: string[] }, props: Record<string, string>, problem: Report): GraphNode {
  const id = base.id;
  const assignment = extension(el, 'zeebe:AssignmentDefinition') as { candidateGroups?: string; candidateUsers?: string; assignee?: string } | undefined;
  const candidateGroups = splitList(assignment?.candidateGroups ?? '');
  for (const g of candidateGroups) if (!isRole(g)) problem(id, `candidate group "${g}" is not a role`);
  const candidateUsers = assignment?.candidateUsers && isExpression(assignment.candidateUsers) ? [assignment.candidateUsers.trim()] : splitList(assignment?.candidateUsers ?? '');
  const assignee = assignment?.assignee?.trim() || null;

  let multiInstance: MultiInstance | null = null;
  const loop = el.loopCharacteristics as ModdleElement | undefined;
  if (loop) {
    const zeebeLoop = extension(loop, 'zeebe:LoopCharacteristics') as { inputCollection?: string; inputElement?: string; outputCollection?: string; outputElement?: string } | undefined;
    // Collecting each instance's result is not built: refused rather than dropped without a word.
    if (zeebeLoop?.outputCollection || zeebeLoop?.outputElement) problem(id, 'outputCollection/outputElement of a multi-instance task are not supported: map each decision with output mappings');
    const completion = ((loop.completionCondition as ModdleElement | undefined)?.body as string | undefined)?.trim() || null;
    if (loop.$type !== 'bpmn:MultiInstanceLoopCharacteristics') problem(id, 'only multi-instance loops are supported');
    if (!zeebeLoop?.inputCollection) problem(id, 'a multi-instance task needs zeebe:loopCharacteristics inputCollection');
    else if (feelSyntaxProblem(zeebeLoop.inputCollection)) problem(id, `inputCollection is not valid FEEL: ${feelSyntaxProblem(zeebeLoop.inputCollection)}`);
    if (completion && feelSyntaxProblem(completion)) problem(id, `completionCondition is not valid FEEL: ${feelSyntaxProblem(completion)}`);
    multiInstance = {
      ...(loop.isSequential ? { sequential: true } : {}),
      inputCollection: zeebeLoop?.inputCollection ?? '',
      inputElement: zeebeLoop?.inputElement?.trim() || 'item',
      completionCondition: completion ? completion.replace(/^=/, '').trim() : null,
    };
  }
  // A user task that names nobody (Camunda allows it) waits in the 待分配 pool until an
  // administrator assigns it (docs/process-engine.md, "The 待分配 pool").

  const dueDate = (extension(el, 'zeebe:TaskSchedule')?.dueDate as string | undefined)?.trim() || props.dueIn?.trim() || null;
  if (dueDate && !isExpression(dueDate) && durationMs(dueDate) === null && dateMs(dueDate) === null) {
    problem(id, `due date "${dueDate}" is neither an ISO duration, an ISO date nor a FEEL expression`);
  }
  const outcomes = props.outcomes ? splitList(props.outcomes) : [...DEFAULT_OUTCOMES];
  if (outcomes.length === 0) problem(id, 'outcomes must list at least one outcome');
  if (multiInstance && outcomes.some((o) => o !== 'approve' && o !== OUTCOME_REJECT && o !== OUTCOME_RETURN)) {
    problem(id, 'a countersign task decides with approve, reject and return only');
  }
  return { ...base, kind: 'userTask', candidateGroups, candidateUsers, assignee, dueDate, outcomes, multiInstance, boundaryIds: [], ...taskForm(formOf(el, problem)) };
}

const taskForm = (f: { formId?: string; foreignForm?: ForeignForm }) => ({ formId: f.formId ?? null, ...(f.foreignForm ? { foreignForm: f.foreignForm } : {}) });

/** The prefix of a form key naming a form embedded in the process (zeebe:userTaskForm), Camunda 8's older way. */
const EMBEDDED_FORM_KEY = 'camunda-forms:bpmn:';

/**
 * The Camunda form a start event or user task links: `zeebe:formDefinition formId` (a form
 * published with the process), or the older `formKey="camunda-forms:bpmn:<id>"` naming a
 * `zeebe:userTaskForm` embedded in the process. Other form keys (a custom application's
 * form) and external forms (a URL) are refused: nothing here could show or check them.
 */
function formOf(el: ModdleElement, problem: (id: string, message: string) => void): { formId?: string; foreignForm?: ForeignForm } {
  const def = extension(el, 'zeebe:FormDefinition');
  if (!def) return {};
  const id = el.id ?? '?';
  if (typeof def.formId === 'string' && def.formId) return { formId: def.formId };
  if (typeof def.formKey === 'string' && def.formKey.startsWith(EMBEDDED_FORM_KEY)) return { formId: def.formKey.slice(EMBEDDED_FORM_KEY.length) };
  // Forms of other task applications: accepted (publishing notes them), shown as a link or not at all.
  const reference = String(def.externalReference ?? def.formKey ?? '').trim();
  if (!reference) return {};
  if (reference.length > 1000) problem(id, 'the form reference is longer than 1000 characters');
  else if (isExpression(reference) && feelSyntaxProblem(reference)) problem(id, `the form reference is not valid FEEL: ${feelSyntaxProblem(reference)}`);
  return { foreignForm: { kind: def.externalReference ? 'external' : 'formKey', reference } };
}

function compileCallActivity(el: ModdleElement, base: { id: string; name: string; incoming: string[]; outgoing: string[] }, problem: Report): GraphNode {
  const id = base.id;
  const called = extension(el, 'zeebe:CalledElement') as { processId?: string; propagateAllChildVariables?: boolean; propagateAllParentVariables?: boolean } | undefined;
  const processId = called?.processId?.trim() ?? '';
  if (!processId) problem(id, 'a call activity needs zeebe:calledElement processId');
  else if (isExpression(processId)) {
    if (feelSyntaxProblem(processId)) problem(id, `processId is not valid FEEL: ${feelSyntaxProblem(processId)}`);
  } else if (!PROCESS_KEY.test(processId)) problem(id, `processId "${processId}" is not a process key`);
  const multiInstance = el.loopCharacteristics ? collectionLoop(el, 'call activity', problem) : null;
  return {
    ...base,
    kind: 'callActivity',
    processId,
    propagateAllParentVariables: called?.propagateAllParentVariables !== false,
    propagateAllChildVariables: called?.propagateAllChildVariables !== false,
    multiInstance,
  };
}

/**
 * A multi-instance call activity's or sub-process's zeebe:loopCharacteristics: one instance per
 * element of inputCollection, each result collected by outputElement into outputCollection.
 * Every instance runs to its end, so a completionCondition is refused.
 */
function collectionLoop(el: ModdleElement, what: 'call activity' | 'sub-process' | 'service task', problem: Report): CallMultiInstance {
  const id = el.id ?? '?';
  const loop = el.loopCharacteristics as ModdleElement;
  const zeebeLoop = extension(loop, 'zeebe:LoopCharacteristics') as { inputCollection?: string; inputElement?: string; outputCollection?: string; outputElement?: string } | undefined;
  const collection = zeebeLoop?.inputCollection?.trim() ?? '';
  if (!collection) problem(id, `a multi-instance ${what} needs zeebe:loopCharacteristics inputCollection`);
  else if (feelSyntaxProblem(collection)) problem(id, `inputCollection is not valid FEEL: ${feelSyntaxProblem(collection)}`);
  if (loop.completionCondition) problem(id, `a completionCondition on a multi-instance ${what} is not supported: every ${what === 'call activity' ? 'child' : 'instance'} runs to its end`);
  if (what === 'service task' && extension(el, 'zeebe:IoMapping') && (extension(el, 'zeebe:IoMapping') as { outputParameters?: unknown[] }).outputParameters?.length)
    problem(id, "output mappings on a multi-instance service task are not supported: collect each run's result with outputCollection and outputElement");
  const outputElement = zeebeLoop?.outputElement?.trim() || null;
  const outputCollection = zeebeLoop?.outputCollection?.trim() || null;
  if (Boolean(outputElement) !== Boolean(outputCollection)) problem(id, 'outputCollection and outputElement go together');
  if (outputElement && feelSyntaxProblem(outputElement)) problem(id, `outputElement is not valid FEEL: ${feelSyntaxProblem(outputElement)}`);
  return {
    sequential: loop.isSequential === true,
    inputCollection: collection.replace(/^=/, '').trim(),
    inputElement: zeebeLoop?.inputElement?.trim() || 'item',
    outputCollection,
    outputElement: outputElement ? outputElement.replace(/^=/, '').trim() : null,
  };
}

/** An intermediate throw or catch event whose only definition is a link. */
function isLinkEvent(el: ModdleElement): boolean {
  const definitions = (el.eventDefinitions as ModdleElement[] | undefined) ?? [];
  return (el.$type === 'bpmn:IntermediateThrowEvent' || el.$type === 'bpmn:IntermediateCatchEvent') && definitions.length === 1 && definitions[0].$type === 'bpmn:LinkEventDefinition';
}

const linkName = (el: ModdleElement): string => (((el.eventDefinitions as ModdleElement[])[0].name as string | undefined) ?? '').trim();

/** Whether an intermediate throw event throws an escalation, a signal or a message (then it is compiled, not passed through). */
function throwsEvent(el: ModdleElement): boolean {
  return (
    el.$type === 'bpmn:IntermediateThrowEvent' &&
    ((el.eventDefinitions as ModdleElement[] | undefined) ?? []).some((d) => d.$type === 'bpmn:EscalationEventDefinition' || d.$type === 'bpmn:SignalEventDefinition' || d.$type === 'bpmn:MessageEventDefinition')
  );
}

/** The name of a signal event's bpmn:signal: what it broadcasts or waits for (a literal). */
function signalNameOf(def: ModdleElement, id: string, problem: Report): string | null {
  const name = ((def.signalRef as ModdleElement | undefined)?.name as string | undefined)?.trim() || null;
  if (!name) problem(id, 'a signal event needs a bpmn:signal with a name');
  else if (isExpression(name)) problem(id, 'the signal name must be a literal name, not an expression');
  else if (name.length > 128) problem(id, 'the signal name is longer than 128 characters');
  return name && !isExpression(name) && name.length <= 128 ? name : null;
}

/** The escalationCode of an escalation event's bpmn:escalation; a boundary without one catches every escalation. */
function escalationCodeOf(def: ModdleElement, id: string, problem: Report, throwing: boolean): string | null {
  if (def.$type !== 'bpmn:EscalationEventDefinition') {
    problem(id, `${def.$type.replace('bpmn:', '')} on an intermediate throw event is not supported`);
    return null;
  }
  const code = ((def.escalationRef as ModdleElement | undefined)?.escalationCode as string | undefined)?.trim() || null;
  if (throwing && !code) problem(id, 'an escalation throw or end event needs a bpmn:escalation with an escalationCode');
  if (code && isExpression(code)) problem(id, 'the escalationCode must be a literal code, not an expression');
  return code;
}

/** The errorCode of an error event's bpmn:error; a catch event without one catches every error. */
function errorCodeOf(def: ModdleElement, id: string, problem: Report, throwing: boolean): string | null {
  const code = ((def.errorRef as ModdleElement | undefined)?.errorCode as string | undefined)?.trim() || null;
  if (throwing && !code) problem(id, 'an error end event needs a bpmn:error with an errorCode');
  if (code && isExpression(code)) problem(id, 'the errorCode must be a literal code, not an expression');
  return code;
}

function compileMessage(el: ModdleElement, base: { id: string; name: string; incoming: string[]; outgoing: string[] }, message: ModdleElement | undefined, receiveTask: boolean, problem: Report): GraphNode | null {
  const name = message?.name?.trim();
  if (!name) {
    problem(base.id, 'a message event or receive task needs a message with a name');
    return null;
  }
  const key = (message && (extension(message, 'zeebe:Subscription')?.correlationKey as string | undefined)?.trim()) || null;
  if (key && feelSyntaxProblem(key)) problem(base.id, `correlationKey is not valid FEEL: ${feelSyntaxProblem(key)}`);
  return { ...base, kind: 'messageEvent', messageName: name, correlationKey: key, receiveTask };
}

/**
 * The trigger of an event sub-process, from its one start event: a timer (duration, date or a
 * cycle for a non-interrupting one) or an error (always interrupting). Message, signal and
 * escalation triggers are not run here and are refused.
 */
function eventSubTrigger(el: ModdleElement, problem: Report): EventSubTrigger | null {
  const id = el.id!;
  const starts = ((el.flowElements as ModdleElement[] | undefined) ?? []).filter((e) => e.$type === 'bpmn:StartEvent');
  if (starts.length !== 1) {
    problem(id, `an event sub-process needs exactly one start event, found ${starts.length}`);
    return null;
  }
  const start = starts[0];
  const defs = (start.eventDefinitions as ModdleElement[] | undefined) ?? [];
  const def = defs[0];
  const interrupting = start.isInterrupting !== false;
  if (defs.length !== 1) problem(start.id!, 'the start event of an event sub-process needs exactly one timer or error definition');
  else if (def.$type === 'bpmn:TimerEventDefinition') {
    const timer = timerOf(def, start.id!, problem);
    if (timer?.kind === 'cycle' && interrupting) problem(start.id!, 'an interrupting timer start event takes a duration or a date: a cycle repeats only when it does not interrupt');
    return timer ? { kind: 'timer', timer, interrupting } : null;
  } else if (def.$type === 'bpmn:ErrorEventDefinition') {
    if (!interrupting) problem(start.id!, 'an error start event always interrupts');
    return { kind: 'error', errorCode: errorCodeOf(def, start.id!, problem, false) };
  } else problem(start.id!, `${def.$type.replace('bpmn:', '')} on the start event of an event sub-process is not supported (timer and error are)`);
  return null;
}

function timerOf(def: ModdleElement, id: string, problem: Report): TimerSpec | null {
  const pick = (['timeDuration', 'timeDate', 'timeCycle'] as const).filter((k) => def[k]);
  if (pick.length !== 1) {
    problem(id, 'a timer needs exactly one of timeDuration, timeDate, timeCycle');
    return null;
  }
  const which = pick[0];
  const value = (((def[which] as ModdleElement).body as string | undefined) ?? '').trim();
  const kind = which === 'timeDuration' ? 'duration' : which === 'timeDate' ? 'date' : 'cycle';
  if (isExpression(value)) {
    const syntax = feelSyntaxProblem(value);
    if (syntax) problem(id, `timer expression is not valid FEEL: ${syntax}`);
  } else if (kind === 'duration' && (durationMs(value) ?? 0) <= 0) {
    problem(id, `"${value}" is not a positive ISO-8601 duration`);
  } else if (kind === 'date' && dateMs(value) === null) {
    problem(id, `"${value}" is not an ISO-8601 date-time`);
  } else if (kind === 'cycle' && !cycle(value)) {
    problem(id, `"${value}" is not an ISO-8601 repeating interval such as R3/PT1H`);
  }
  return { kind, value };
}

/** Where a BPMN error can be thrown, and so caught by an error boundary event. */
const ERROR_HOSTS = new Set<GraphNode['kind']>(['subProcess', 'callActivity', 'serviceTask']);

/** Connections, gateways and reachability: what makes a graph runnable. */
function checkStructure(graph: ProcessGraph, problem: Report, refused: ReadonlySet<string>): void {
  const { nodes, flows } = graph;
  for (const node of Object.values(nodes)) {
    const outgoing = node.outgoing.map((f) => flows[f]);
    if (node.kind === 'boundaryTimer') {
      const host = nodes[node.attachedTo];
      if (host?.kind === 'userTask') host.boundaryIds.push(node.id);
      else if (isTimerHost(host)) {
        (host.timerBoundaryIds ??= []).push(node.id);
        if (node.autoOutcome) problem(node.id, 'autoOutcome decides a user task: a timer on another activity leaves by its outgoing flow');
      } else problem(node.id, 'a timer boundary event must be attached to a user task, a service task, a sub-process, a call activity or a receive task');
      if (node.incoming.length) problem(node.id, 'a boundary event has no incoming flows');
      if (node.interrupting && outgoing.length === 0 && !node.autoOutcome) {
        problem(node.id, 'an interrupting timer needs an outgoing flow (escalation) or an autoOutcome');
      }
      if (node.autoOutcome && host?.kind === 'userTask' && !host.outcomes.includes(node.autoOutcome) && node.autoOutcome !== OUTCOME_REJECT) {
        problem(node.id, `autoOutcome "${node.autoOutcome}" is not an outcome of ${host.id}`);
      }
    } else if (node.kind === 'boundaryMessage') {
      const host = nodes[node.attachedTo];
      if (!host || host.kind !== 'userTask') problem(node.id, `a ${node.signal ? 'signal' : 'message'} boundary event must be attached to a user task`);
      else host.boundaryIds.push(node.id);
      if (node.incoming.length) problem(node.id, 'a boundary event has no incoming flows');
      if (outgoing.length === 0) problem(node.id, 'a message boundary event needs an outgoing flow');
    } else if (node.kind === 'boundaryEscalation') {
      const host = nodes[node.attachedTo];
      if (host?.kind === 'callActivity')
        problem(node.id, 'an escalation boundary event on a call activity is not supported: an escalation in a called case does not reach its caller here (catch it inside the called process, or end it with an error)');
      else if (!host || host.kind !== 'subProcess') problem(node.id, 'an escalation boundary event must be attached to an embedded sub-process');
      if (node.incoming.length) problem(node.id, 'a boundary event has no incoming flows');
      if (outgoing.length === 0) problem(node.id, 'an escalation boundary event needs an outgoing flow');
    } else if (node.kind === 'boundaryError') {
      const host = nodes[node.attachedTo];
      if (!host || !ERROR_HOSTS.has(host.kind)) problem(node.id, 'an error boundary event must be attached to a sub-process, a call activity or a service task');
      if (node.incoming.length) problem(node.id, 'a boundary event has no incoming flows');
      if (outgoing.length === 0) problem(node.id, 'an error boundary event needs an outgoing flow');
    } else if (node.kind === 'subProcess' && node.trigger) {
      if (node.incoming.length || outgoing.length) problem(node.id, 'an event sub-process has no incoming or outgoing flows: its start event starts it');
      if (node.scope) problem(node.id, 'an event sub-process inside a sub-process is not supported: draw it at the process level');
    } else if (node.kind !== 'end' && outgoing.length === 0) {
      problem(node.id, 'has no outgoing sequence flow');
    }
    if (node.kind === 'eventGateway') {
      if (outgoing.length < 2) problem(node.id, 'an event-based gateway needs at least two outgoing flows');
      for (const flow of outgoing) {
        const target = nodes[flow.target];
        if (target && !((target.kind === 'timerEvent' || (target.kind === 'messageEvent' && !target.receiveTask && !target.signal)) && target.incoming.length === 1)) {
          problem(flow.id, 'an event-based gateway leads to intermediate timer or message catch events only, each reached from it alone');
        }
      }
    }
    if (node.kind === 'start' && node.incoming.length) problem(node.id, 'a start event has no incoming flows');
    if (node.kind === 'start' && node.message && node.scope) problem(node.id, 'a message start event inside a sub-process is not supported (an event sub-process is not either): start the sub-process with a plain start event');
    if (node.kind === 'end' && node.scope && node.terminate) problem(node.id, 'a terminate end event inside a sub-process is not supported: end its branches with plain end events');
    for (const f of node.outgoing) {
      const target = nodes[flows[f].target];
      if (target && target.scope !== node.scope) problem(f, 'a sequence flow cannot cross the border of a sub-process');
    }
    if (node.kind === 'end' && node.outgoing.length) problem(node.id, 'an end event has no outgoing flows');

    if (node.kind === 'exclusiveGateway' || node.kind === 'inclusiveGateway') {
      if (node.defaultFlow && !node.outgoing.includes(node.defaultFlow)) problem(node.id, 'the default flow is not one of its outgoing flows');
      if (outgoing.length > 1 || node.defaultFlow) {
        for (const flow of outgoing) {
          if (flow.id !== node.defaultFlow && !flow.condition) problem(flow.id, `a branch of gateway ${node.id} needs a condition or must be its default flow`);
        }
      }
      if (node.defaultFlow && flows[node.defaultFlow]?.condition) problem(node.defaultFlow, 'a default flow takes no condition');
    } else {
      for (const flow of outgoing) if (flow.condition) problem(flow.id, 'conditions are supported on the outgoing flows of exclusive and inclusive gateways only');
    }
  }

  // Reachability: from the start along flows; a boundary event is reached with its task.
  const errorBoundaries: Record<string, string[]> = {};
  for (const n of Object.values(nodes)) if (n.kind === 'boundaryError' || n.kind === 'boundaryEscalation') (errorBoundaries[n.attachedTo] ??= []).push(n.id);
  resolveEscalationCatchers(graph);
  const reached = new Set<string>();
  // Event sub-processes are reached by their triggers, not by flows.
  const queue = [
    ...(graph.startNodeId ? [graph.startNodeId] : []),
    ...Object.values(nodes)
      .filter((n) => n.kind === 'subProcess' && n.trigger)
      .map((n) => n.id),
  ];
  while (queue.length) {
    const id = queue.pop()!;
    if (reached.has(id) || !nodes[id]) continue;
    reached.add(id);
    const node = nodes[id];
    for (const f of node.outgoing) queue.push(flows[f].target);
    if (node.kind === 'userTask') queue.push(...node.boundaryIds);
    if (isTimerHost(node)) queue.push(...(node.timerBoundaryIds ?? []));
    if (node.kind === 'subProcess' && node.startNodeId) queue.push(node.startNodeId);
    queue.push(...(errorBoundaries[id] ?? []));
  }
  // What only a refused element leads to is not reported again: it is reachable once that element is fixed.
  const behindRefused = new Set<string>();
  const after = Object.values(flows)
    .filter((f) => refused.has(f.source))
    .map((f) => f.target);
  while (after.length) {
    const id = after.pop()!;
    if (behindRefused.has(id) || reached.has(id)) continue;
    behindRefused.add(id);
    const node = nodes[id];
    if (!node) continue;
    for (const f of node.outgoing) after.push(flows[f].target);
    if (node.kind === 'userTask') after.push(...node.boundaryIds);
    if (isTimerHost(node)) after.push(...(node.timerBoundaryIds ?? []));
    if (node.kind === 'subProcess' && node.startNodeId) after.push(node.startNodeId);
    after.push(...(errorBoundaries[id] ?? []));
  }
  for (const node of Object.values(nodes)) if (!reached.has(node.id) && !behindRefused.has(node.id)) problem(node.id, 'is not reachable from the start event');
  for (const node of Object.values(nodes)) if (node.kind === 'inclusiveGateway' && node.incoming.length > 1) node.upstream = upstreamOf(graph, node.id);
}

/**
 * Which boundary catches each thrown escalation: on the nearest embedded sub-process around the
 * thrower, one with the escalation's code, else one catching every code. None: uncaught.
 */
function resolveEscalationCatchers(graph: ProcessGraph): void {
  const boundaries = Object.values(graph.nodes).filter((n): n is BoundaryEscalationNode => n.kind === 'boundaryEscalation');
  for (const node of Object.values(graph.nodes)) {
    const thrown = node.kind === 'escalationThrow' || node.kind === 'end' ? node.escalation : undefined;
    if (!thrown) continue;
    for (let at = node.scope; at && thrown.catcher === null; at = graph.nodes[at]?.scope) {
      const on = boundaries.filter((b) => b.attachedTo === at);
      thrown.catcher = (on.find((b) => b.escalationCode === thrown.code) ?? on.find((b) => b.escalationCode === null))?.id ?? null;
    }
  }
}

/** The elements from which a token can reach `target` (a boundary event's task counts: its timer may lead there). */
function upstreamOf(graph: ProcessGraph, target: string): string[] {
  const seen = new Set<string>();
  const queue = [target];
  while (queue.length) {
    const id = queue.pop()!;
    const node = graph.nodes[id];
    if (!node) continue;
    const before = node.incoming.map((f) => graph.flows[f].source);
    if (node.kind === 'boundaryTimer' || node.kind === 'boundaryError' || node.kind === 'boundaryEscalation' || node.kind === 'boundaryMessage') before.push(node.attachedTo);
    for (const s of before) {
      if (seen.has(s)) continue;
      seen.add(s);
      queue.push(s);
    }
  }
  seen.delete(target);
  return [...seen].sort();
}
