import { STAFF_ROLES } from '../roles';
/**
 * The compiled form of a BPMN process: a plain JSON graph that the case workflow interprets.
 * It is an input of every case workflow (pinned at start), so it must stay serialisable and
 * its meaning must never change for a given `format`: add a new format number instead.
 *
 * Safe to import from workflow code (types and constants only).
 */
export const GRAPH_FORMAT = 1 as const;

export interface ProcessGraph {
  format: typeof GRAPH_FORMAT;
  /** The BPMN process id; it is the process key versions are published under. */
  processKey: string;
  name: string;
  startNodeId: string;
  nodes: Record<string, GraphNode>;
  flows: Record<string, SequenceFlow>;
  options: ProcessOptions;
}

export interface ProcessOptions {
  /** Whether the applicant may withdraw (撤回) while no reviewer has decided yet. */
  withdrawable: boolean;
  /** Variables only staff may see; names starting with "_" are always internal. */
  internalVariables: string[];
  /**
   * Roles that may start a case of this process (zeebe:property "starterRoles", comma list);
   * empty or absent: the bureau's staff only (see mayStartProcess).
   */
  starterRoles?: string[];
  /**
   * zeebe:property startedBy = "platform": the platform starts its cases (another process's
   * call activity, the credit intake's pre-deductions), never a user from a start form.
   */
  startedByPlatform?: boolean;
}

/**
 * Who may start a case of a process: the roles it names, or — when it names none — the
 * bureau's staff (and the administrator), never the public or an enterprise by default. A
 * process meant for applicants must say so.
 */
/** The message a process's cases are started by (a message start event), or null: users start them. */
export function startMessageOf(graph: ProcessGraph): string | null {
  const start = graph.nodes[graph.startNodeId];
  return start?.kind === 'start' && start.message ? start.message : null;
}

export function mayStartProcess(role: string, options: Pick<ProcessOptions, 'starterRoles' | 'startedByPlatform'>): boolean {
  if (options.startedByPlatform) return false;
  const starters = options.starterRoles ?? [];
  if (starters.length) return starters.includes(role);
  return role === 'sysadmin' || (STAFF_ROLES as readonly string[]).includes(role);
}

export interface SequenceFlow {
  id: string;
  name: string;
  source: string;
  target: string;
  /** A FEEL expression without its leading "=", or null for an unconditional flow. */
  condition: string | null;
}

/**
 * A timer as written in the BPMN: an ISO-8601 duration ("PT2S"), date ("2026-05-01T09:00:00Z"),
 * cycle ("R3/PT1H"), or any of those computed by a FEEL expression ("=...").
 */
export interface TimerSpec {
  kind: 'duration' | 'date' | 'cycle';
  value: string;
}

/**
 * One zeebe:input or zeebe:output. `source` is kept as written: "=FEEL", a literal text, or ""
 * (null); `target` is a variable name or a dotted path into one ("a.b"), checked at publishing.
 */
export interface VariableMapping {
  source: string;
  target: string;
}

/**
 * zeebe:ioMapping. Inputs are evaluated when the element is activated and stay local to it;
 * outputs are evaluated when it completes, in its scope, and only their targets reach the case
 * variables (the completion's own variables then stay local, as in Camunda 8).
 */
export interface IoMapping {
  inputs: VariableMapping[];
  outputs: VariableMapping[];
}

interface NodeBase {
  id: string;
  name: string;
  incoming: string[];
  /** Outgoing sequence flow ids, in document order (the order exclusive gateways test them). */
  outgoing: string[];
  /**
   * Only on elements that carry mappings (publishing refuses them where the engine cannot apply
   * them). Graphs compiled before mappings were read have none, so their cases run as before.
   */
  ioMapping?: IoMapping;
  /** The embedded sub-process the element is drawn in; absent at the process level. */
  scope?: string;
  /**
   * Execution listeners (zeebe:executionListeners): a job each, done as the element starts
   * (before its own work) or ends (after it), in order (workflows/case/elements/
   * execution-listeners.ts). Absent on graphs before they were read.
   */
  listeners?: ExecutionListener[];
}

export interface ExecutionListener {
  eventType: 'start' | 'end';
  /** The listener's job, shaped as a service task's (a platform activity or an external job). */
  job: ServiceTaskNode;
}

export interface StartNode extends NodeBase {
  kind: 'start';
  /** The start form (zeebe:formDefinition): an id in the version's forms. */
  formId?: string;
  /** A form the platform does not hold (ForeignForm): the start page offers no fields for it. */
  foreignForm?: ForeignForm;
  /**
   * A message start event's message name: cases begin when an outside system sends it
   * (POST /api/messages) and no user starts one (absent: a none start event).
   */
  message?: string;
}

/**
 * A form drawn for another task application: an external form (`externalReference`, a URL,
 * FEEL allowed) or a custom application's form key. The platform cannot show or check either;
 * the task page links the external one and otherwise offers the decision alone.
 */
export interface ForeignForm {
  kind: 'external' | 'formKey';
  reference: string;
}

export interface EndNode extends NodeBase {
  kind: 'end';
  /** A terminate end event ends every other branch too. */
  terminate: boolean;
  /** The case result this end records (zeebe:property "result"); "approved" if not said. */
  result: string;
  /** An error end event throws this BPMN error (bpmn:error errorCode) to the nearest error boundary. */
  errorCode?: string;
  /** An escalation end event: the escalation it throws as its token ends. */
  escalation?: ThrownEscalation;
  /** A signal end event: the signal it broadcasts as its token ends. */
  signal?: string;
  /** A message end event: the job (or platform activity) that sends the message, done before the token ends. */
  sendJob?: ServiceTaskNode;
}

/** An intermediate signal throw event: broadcasts the signal (bpmn:signal name) and goes on. */
export interface SignalThrowNode extends NodeBase {
  kind: 'signalThrow';
  signalName: string;
}

/**
 * An escalation thrown by an end or intermediate throw event (bpmn:escalation escalationCode):
 * caught by the nearest escalation boundary event with its code (or none) on an embedded
 * sub-process around the thrower — `catcher`, resolved at publishing; null: nobody catches it,
 * and the thrower goes on (Zeebe raises no incident for an uncaught escalation).
 */
export interface ThrownEscalation {
  code: string;
  catcher: string | null;
}

/** An intermediate throw event with an escalation: throws it and, unless that interrupts it, goes on. */
export interface EscalationThrowNode extends NodeBase {
  kind: 'escalationThrow';
  escalation: ThrownEscalation;
}

/**
 * An escalation boundary event on an embedded sub-process. Interrupting: the sub-process ends
 * (as an error boundary's does) and its flows are taken. Non-interrupting: the sub-process goes
 * on and a token leaves by its flows beside it.
 */
export interface BoundaryEscalationNode extends NodeBase {
  kind: 'boundaryEscalation';
  attachedTo: string;
  /** The escalation code it catches; null catches every escalation. */
  escalationCode: string | null;
  interrupting: boolean;
}

export interface MultiInstance {
  /** FEEL expression giving the list of elements, one task per element. */
  inputCollection: string;
  /** The variable each instance sees its element under. */
  inputElement: string;
  /**
   * FEEL condition evaluated after each decision, over nrOfInstances, nrOfCompletedInstances,
   * nrOfActiveInstances, nrOfApprovals, nrOfRejections. Null means every instance must approve.
   */
  completionCondition: string | null;
  /** 逐级会签: one instance at a time, in collection order (absent: all at once). */
  sequential?: boolean;
}

export interface UserTaskNode extends NodeBase {
  kind: 'userTask';
  candidateGroups: string[];
  /** Usernames, or FEEL expressions ("=...") giving one or a list. */
  candidateUsers: string[];
  /** A username or a FEEL expression giving one. */
  assignee: string | null;
  /** ISO date, ISO duration from activation, or a FEEL expression giving either. */
  dueDate: string | null;
  /** Decisions offered; "reject" ends the case as rejected, "return" sends it back. */
  outcomes: string[];
  multiInstance: MultiInstance | null;
  boundaryIds: string[];
  /** The Camunda form the task shows (an id in the version's forms), or null. */
  formId: string | null;
  /** A form the platform does not hold (absent in graphs before they were accepted). */
  foreignForm?: ForeignForm;
}

export interface ServiceTaskNode extends NodeBase {
  /**
   * Timer boundary events on this activity (a user task's are in boundaryIds): they run while it
   * does (workflows/case/elements/activity-timers.ts). Absent in graphs before they were allowed.
   */
  timerBoundaryIds?: string[];
  kind: 'serviceTask';
  /**
   * zeebe:taskDefinition type: a key of SERVICE_TASK_TYPES, or an external job's type; an
   * external job's may be an expression (`=…`, evaluated when the job opens).
   */
  taskType: string;
  /** A send task (notification) rather than a service task; same execution. */
  send: boolean;
  headers: Record<string, string>;
  /**
   * No platform activity has this type: the step is an external job that a job worker
   * activates and completes through /api/jobs (workflows/case/elements/external-job.ts), as
   * Zeebe's job workers do. Absent in graphs compiled before external jobs (all types known).
   */
  external?: boolean;
  /** zeebe:taskDefinition retries of an external job (Zeebe's default 3). */
  retries?: number;
  /** Multi-instance: a run (an activity or a job) per element (absent in graphs before it was allowed). */
  multiInstance?: CallMultiInstance;
}

/** The activities a timer boundary event may be attached to besides a user task. */
export const TIMER_HOST_KINDS = ['serviceTask', 'subProcess', 'callActivity', 'messageEvent'] as const;
export type TimerHostNode = Extract<GraphNode, { kind: (typeof TIMER_HOST_KINDS)[number] }>;
export const isTimerHost = (node: GraphNode | undefined): node is TimerHostNode => !!node && (TIMER_HOST_KINDS as readonly string[]).includes(node.kind) && !(node.kind === 'messageEvent' && !node.receiveTask);

/**
 * A business rule task calling a DMN decision (`zeebe:calledDecision`), as Camunda 8 evaluates
 * one: the latest published version of `decisionId` (a literal, or FEEL evaluated as the task
 * starts) over the element's scope, its result into `resultVariable` (a business rule task with
 * a `zeebe:taskDefinition` is a job: a ServiceTaskNode).
 */
export interface BusinessRuleTaskNode extends NodeBase {
  kind: 'businessRuleTask';
  decisionId: string;
  resultVariable: string;
}

/**
 * A script task with a FEEL script (`zeebe:script`), as Camunda 8 evaluates it in the engine:
 * the expression over the element's scope, its value into `resultVariable`. (A script task with
 * a `zeebe:taskDefinition` is a job: a ServiceTaskNode.)
 */
export interface ScriptTaskNode extends NodeBase {
  kind: 'scriptTask';
  /** FEEL, without the leading "=". */
  expression: string;
  resultVariable: string;
}

export interface ExclusiveGatewayNode extends NodeBase {
  kind: 'exclusiveGateway';
  defaultFlow: string | null;
}

export interface ParallelGatewayNode extends NodeBase {
  kind: 'parallelGateway';
}

/**
 * An inclusive gateway. Forking, it takes every outgoing flow whose condition holds (the
 * default flow only when none does). Joining, it waits, as Zeebe does, until no live token of
 * the case can still reach it: `upstream` lists the elements from which it can be reached.
 */
export interface InclusiveGatewayNode extends NodeBase {
  kind: 'inclusiveGateway';
  defaultFlow: string | null;
  upstream: string[];
}

export interface TimerEventNode extends NodeBase {
  kind: 'timerEvent';
  timer: TimerSpec;
}

/** An intermediate message catch event or a receive task: the case waits for an outside event. */
export interface MessageEventNode extends NodeBase {
  /**
   * Timer boundary events on this activity (a user task's are in boundaryIds): they run while it
   * does (workflows/case/elements/activity-timers.ts). Absent in graphs before they were allowed.
   */
  timerBoundaryIds?: string[];
  kind: 'messageEvent';
  /** The message's name, or the signal's for a signal catch event. */
  messageName: string;
  /** A signal catch event: it waits for a broadcast of that name (no correlation key, no buffering). */
  signal?: boolean;
  /** FEEL expression whose value outside systems correlate with; the case number if absent. */
  correlationKey: string | null;
  receiveTask: boolean;
}

export interface BoundaryTimerNode extends NodeBase {
  kind: 'boundaryTimer';
  attachedTo: string;
  /** Interrupting: the task is closed (escalation or automatic decision). Otherwise: a reminder. */
  interrupting: boolean;
  timer: TimerSpec;
  /** zeebe:property "autoOutcome": the outcome recorded when an interrupting timer decides the task. */
  autoOutcome: string | null;
}

/**
 * A message boundary event on a user task: the message (by name and correlation key, as a
 * catch event waits for it) arriving while the task is open. Interrupting: the task closes and
 * the boundary's flows are taken (撤回 by the applicant, a payment received). Non-interrupting:
 * each such message starts a path beside the task, which stays open.
 */
export interface BoundaryMessageNode extends NodeBase {
  kind: 'boundaryMessage';
  attachedTo: string;
  /** The message's name, or the signal's for a signal boundary event. */
  messageName: string;
  signal?: boolean;
  /** FEEL expression whose value outside systems correlate with; the case number if absent. */
  correlationKey: string | null;
  interrupting: boolean;
}

/**
 * An event-based gateway: its outgoing flows lead to timer and message catch events; the first
 * of them to happen takes the token on (the others are dropped).
 */
export interface EventGatewayNode extends NodeBase {
  kind: 'eventGateway';
}

/**
 * An embedded sub-process: a token entering it starts one at its own start event and waits
 * until every token inside has ended, then leaves by the sub-process's outgoing flows.
 */
export interface SubProcessNode extends NodeBase {
  /**
   * Timer boundary events on this activity (a user task's are in boundaryIds): they run while it
   * does (workflows/case/elements/activity-timers.ts). Absent in graphs before they were allowed.
   */
  timerBoundaryIds?: string[];
  kind: 'subProcess';
  startNodeId: string;
  /**
   * Multi-instance (parallel or sequential): one run of the body per element of the collection,
   * each with the element and `loopCounter` as its local variables; outputElement is evaluated
   * over each instance's variables. Absent on graphs compiled before they were supported.
   */
  multiInstance?: CallMultiInstance | null;
  /**
   * An event sub-process (triggeredByEvent) at the process level: not reached by flows but
   * started by its start event's trigger while the case runs (workflows/case/elements/
   * event-sub-processes.ts). Absent on ordinary sub-processes and on graphs before they were read.
   */
  trigger?: EventSubTrigger;
}

/** What starts an event sub-process: a timer (interrupting or not, a cycle repeating) or an uncaught BPMN error (always interrupting). */
export type EventSubTrigger = { kind: 'timer'; timer: TimerSpec; interrupting: boolean } | { kind: 'error'; errorCode: string | null };

/**
 * A call activity (zeebe:calledElement): a child case of another process, run as a Temporal
 * child workflow with a case row of its own linked to this one (cases.parent_case_id).
 */
export interface CallActivityNode extends NodeBase {
  /**
   * Timer boundary events on this activity (a user task's are in boundaryIds): they run while it
   * does (workflows/case/elements/activity-timers.ts). Absent in graphs before they were allowed.
   */
  timerBoundaryIds?: string[];
  kind: 'callActivity';
  /** The called process key, or a FEEL expression ("=...") giving it. */
  processId: string;
  /** Without input mappings, the child starts with every variable of the case (Zeebe's default). */
  propagateAllParentVariables: boolean;
  /** Without output mappings, every variable of the child comes back (Zeebe's default). */
  propagateAllChildVariables: boolean;
  /** One child per element of the collection, all at once (parallel) or one after another (sequential). */
  multiInstance: CallMultiInstance | null;
}

export interface CallMultiInstance {
  sequential: boolean;
  inputCollection: string;
  inputElement: string;
  /** The case variable that receives one outputElement value per child, in collection order. */
  outputCollection: string | null;
  /** FEEL over each child's variables (and its inputElement). */
  outputElement: string | null;
}

/**
 * An error boundary event (interrupting): a BPMN error thrown inside the element it is attached
 * to — an error end event in a sub-process or in a called case, or a service task's activity
 * failing with type "BpmnError" — ends that element and leaves by this event's flows.
 */
export interface BoundaryErrorNode extends NodeBase {
  kind: 'boundaryError';
  attachedTo: string;
  /** The error code it catches; null catches every error. */
  errorCode: string | null;
}

export type GraphNode =
  | SignalThrowNode
  | BoundaryMessageNode
  | EscalationThrowNode
  | BoundaryEscalationNode
  | StartNode
  | EndNode
  | UserTaskNode
  | ServiceTaskNode
  | ScriptTaskNode
  | BusinessRuleTaskNode
  | ExclusiveGatewayNode
  | ParallelGatewayNode
  | InclusiveGatewayNode
  | TimerEventNode
  | MessageEventNode
  | BoundaryTimerNode
  | CallActivityNode
  | SubProcessNode
  | BoundaryErrorNode
  | EventGatewayNode;

export type NodeKind = GraphNode['kind'];

/** Outcomes with engine meaning. Any other outcome is recorded and routed by gateways. */
export const OUTCOME_APPROVE = 'approve';
export const OUTCOME_REJECT = 'reject';
export const OUTCOME_RETURN = 'return';
export const DEFAULT_OUTCOMES = [OUTCOME_APPROVE, OUTCOME_REJECT, OUTCOME_RETURN];

/** The return target that sends a case back to its applicant for supplement (补正). */
export const RETURN_TO_APPLICANT = 'applicant';

/**
 * Why a case cannot be moved to this element (process-instance modification), in words; null
 * when it can. The start event would be a new case, a boundary event belongs to its task, and
 * an element inside a sub-process would run outside it. One rule for the API (which refuses
 * before sending), the move dialog's choices and the workflow's validator.
 */
export function moveTargetProblem(node: GraphNode): string | null {
  if (node.kind === 'start') return node.scope ? `is the start event of the sub-process ${node.scope}: move the case to the sub-process itself` : 'is the start event';
  if (node.kind === 'boundaryTimer' || node.kind === 'boundaryError' || node.kind === 'boundaryEscalation' || node.kind === 'boundaryMessage') return 'is a boundary event';
  if (node.scope) return `is inside the sub-process ${node.scope}: move the case to the sub-process itself`;
  return null;
}
