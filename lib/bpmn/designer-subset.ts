/**
 * What the process designer (admin-ui/src/bpmn/BpmnEditor.tsx, a bpmn-js Modeler) does not
 * offer: the palette's create entries, the context pad's append entries and the replace menu's
 * options (and its header toggles) that make an element publishing refuses (`compileBpmn`,
 * lib/bpmn/compile.ts; docs/process-engine.md, "Supported BPMN subset"). Keyed as bpmn-js names
 * them: the `actionName`s of bpmn-js/lib/features/replace/ReplaceOptions.js, the ids of
 * bpmn-js's PaletteProvider and ContextPadProvider entries, the ReplaceMenuProvider's header ids.
 *
 * One definition for the browser (admin-ui/src/bpmn/subset-module.ts filters the menus with it)
 * and Node (lib/bpmn/designer-subset.test.ts builds every option bpmn-js offers, compiles it and
 * checks: hidden exactly when the compiler refuses it). No Node-only imports here.
 */

/** Where the element a menu is opened on lives: the process (or a pool), an embedded sub-process, or an event sub-process. */
export type DesignerScope = 'process' | 'subProcess' | 'eventSubProcess';

export interface DesignerContext {
  /** The bpmn type of the element the menu is opened on (the one replaced, or the one appended to). */
  elementType: string;
  /** Where that element lives, and so where the replacing one will (default: the process). */
  scope?: DesignerScope;
  /** A boundary event's host activity. */
  hostType?: string;
  /** A sequence flow's source element. */
  sourceType?: string;
}

interface Refusal {
  /** Why publishing refuses what the option makes. */
  why: string;
  /** Hidden only in these contexts (absent: always hidden). */
  when?: (ctx: DesignerContext) => boolean;
}

const inScope =
  (...scopes: DesignerScope[]) =>
  (ctx: DesignerContext) =>
    scopes.includes(ctx.scope ?? 'process');
const notInScope =
  (...scopes: DesignerScope[]) =>
  (ctx: DesignerContext) =>
    !scopes.includes(ctx.scope ?? 'process');
const hostNotIn = (hosts: readonly string[]) => (ctx: DesignerContext) => !hosts.includes(ctx.hostType ?? '');

/** What a message or signal boundary event may be attached to: a user task only (its subscription lives with the task). */
const MESSAGE_HOSTS = ['bpmn:UserTask'];
/** What a timer boundary event may be attached to (a script or business rule task when a job does its work). */
const TIMER_HOSTS = ['bpmn:UserTask', 'bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:ReceiveTask', 'bpmn:ScriptTask', 'bpmn:BusinessRuleTask', 'bpmn:SubProcess', 'bpmn:CallActivity'];
/** Where a BPMN error can be thrown, and so caught (a script or business rule task when a job does its work). */
const ERROR_HOSTS = ['bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:ScriptTask', 'bpmn:BusinessRuleTask', 'bpmn:SubProcess', 'bpmn:CallActivity'];
/** Where an escalation is caught: an embedded sub-process (an escalation in a called case does not reach its caller). */
const ESCALATION_HOSTS = ['bpmn:SubProcess'];
/** What may be multi-instance (a script or business rule task when a job does its work). */
const LOOP_HOSTS = ['bpmn:UserTask', 'bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:ScriptTask', 'bpmn:BusinessRuleTask', 'bpmn:CallActivity', 'bpmn:SubProcess'];

const COMPENSATION = 'compensation is not run (it needs a record of completed activities and their handlers)';
const CONDITIONAL = 'conditional events are not run';

/** Replace menu options ('bpmn-replace'), by actionName. */
const REPLACE: Record<string, Refusal> = {
  // Start events. A top-level process starts plainly or on a message; an event sub-process on a timer or an error.
  'replace-with-none-start': { why: 'the start event of an event sub-process needs a timer or an error', when: inScope('eventSubProcess') },
  'replace-with-message-start': { why: 'a message starts a case at the process level only: message event sub-processes are not run, a sub-process starts plainly', when: notInScope('process') },
  'replace-with-non-interrupting-message-start': { why: 'message event sub-processes are not run' },
  'replace-with-timer-start': { why: 'a timer start event (cases started on a clock) is not run; only an event sub-process starts on a timer', when: notInScope('eventSubProcess') },
  'replace-with-non-interrupting-timer-start': { why: 'only an event sub-process starts on a timer', when: notInScope('eventSubProcess') },
  'replace-with-error-start': { why: 'only an event sub-process starts on an error', when: notInScope('eventSubProcess') },
  'replace-with-conditional-start': { why: CONDITIONAL },
  'replace-with-non-interrupting-conditional-start': { why: CONDITIONAL },
  'replace-with-signal-start': { why: 'a signal start event is not run (a broadcast would start cases nobody applied for), nor a signal event sub-process' },
  'replace-with-non-interrupting-signal-start': { why: 'signal event sub-processes are not run' },
  'replace-with-escalation-start': { why: 'escalation event sub-processes are not run (an escalation is caught by a boundary event on a sub-process)' },
  'replace-with-non-interrupting-escalation-start': { why: 'escalation event sub-processes are not run (an escalation is caught by a boundary event on a sub-process)' },
  'replace-with-compensation-start': { why: COMPENSATION },
  // Intermediate events.
  'replace-with-conditional-intermediate-catch': { why: CONDITIONAL },
  'replace-with-compensation-intermediate-throw': { why: COMPENSATION },
  // End events.
  'replace-with-terminate-end': { why: 'a terminate end event inside a sub-process is not run: end its branches plainly', when: notInScope('process') },
  'replace-with-cancel-end': { why: 'transactions are not run' },
  'replace-with-compensation-end': { why: COMPENSATION },
  // Gateways.
  'replace-with-complex-gateway': { why: 'the complex gateway is not in the subset (an inclusive gateway joins what was taken)' },
  // Sub-processes.
  'replace-with-transaction': { why: 'transactions (and their cancel events) are not run' },
  'replace-with-ad-hoc-subprocess': { why: 'ad-hoc sub-processes are not run' },
  'replace-with-collapsed-ad-hoc-subprocess': { why: 'ad-hoc sub-processes are not run' },
  'replace-with-event-subprocess': { why: 'an event sub-process inside a sub-process is not run: draw it at the process level', when: notInScope('process') },
  // Boundary events, by what they are attached to.
  'replace-with-message-boundary': { why: 'a message boundary event is run on a user task only', when: hostNotIn(MESSAGE_HOSTS) },
  'replace-with-non-interrupting-message-boundary': { why: 'a message boundary event is run on a user task only', when: hostNotIn(MESSAGE_HOSTS) },
  'replace-with-signal-boundary': { why: 'a signal boundary event is run on a user task only', when: hostNotIn(MESSAGE_HOSTS) },
  'replace-with-non-interrupting-signal-boundary': { why: 'a signal boundary event is run on a user task only', when: hostNotIn(MESSAGE_HOSTS) },
  'replace-with-timer-boundary': { why: 'a timer boundary event is run on user, service, send and receive tasks, jobs, sub-processes and call activities', when: hostNotIn(TIMER_HOSTS) },
  'replace-with-non-interrupting-timer-boundary': { why: 'a timer boundary event is run on user, service, send and receive tasks, jobs, sub-processes and call activities', when: hostNotIn(TIMER_HOSTS) },
  'replace-with-error-boundary': { why: 'an error is thrown, and so caught, by a sub-process, a call activity or a job only', when: hostNotIn(ERROR_HOSTS) },
  'replace-with-escalation-boundary': { why: 'an escalation boundary event is run on an embedded sub-process only (not on a call activity)', when: hostNotIn(ESCALATION_HOSTS) },
  'replace-with-non-interrupting-escalation-boundary': { why: 'an escalation boundary event is run on an embedded sub-process only (not on a call activity)', when: hostNotIn(ESCALATION_HOSTS) },
  'replace-with-conditional-boundary': { why: CONDITIONAL },
  'replace-with-non-interrupting-conditional-boundary': { why: CONDITIONAL },
  'replace-with-cancel-boundary': { why: 'transactions are not run' },
  'replace-with-compensation-boundary': { why: COMPENSATION },
  // Sequence flows: bpmn-js offers a conditional flow out of an activity only.
  'replace-with-conditional-flow': { why: 'conditions are read on the flows out of exclusive and inclusive gateways only' },
};

/** The replace menu's header toggles (ReplaceMenuProvider.getPopupMenuHeaderEntries), by id. */
const REPLACE_HEADER: Record<string, Refusal> = {
  'toggle-loop': { why: 'a standard loop is not run: only multi-instance' },
  'toggle-parallel-mi': { why: 'multi-instance is run on user, service, send, script and business rule tasks (as jobs), sub-processes and call activities', when: (ctx) => !LOOP_HOSTS.includes(ctx.elementType) },
  'toggle-sequential-mi': { why: 'multi-instance is run on user, service, send, script and business rule tasks (as jobs), sub-processes and call activities', when: (ctx) => !LOOP_HOSTS.includes(ctx.elementType) },
};

/**
 * Palette entries (bpmn-js PaletteProvider), by id. None is refused: each makes a plain element
 * of the subset (an undefined task and a none intermediate event pass through), or one the
 * compiler ignores (data objects and stores, groups, a pool around the process).
 */
const PALETTE: Record<string, Refusal> = {};

/** Context pad append entries (bpmn-js ContextPadProvider), by id. */
const APPEND: Record<string, Refusal> = {
  'append.receive-task': { why: 'an event-based gateway leads to intermediate timer and message catch events only', when: (ctx) => ctx.elementType === 'bpmn:EventBasedGateway' },
  'append.signal-intermediate-event': { why: 'an event-based gateway leads to intermediate timer and message catch events only', when: (ctx) => ctx.elementType === 'bpmn:EventBasedGateway' },
  'append.condition-intermediate-event': { why: CONDITIONAL },
  'append.compensation-activity': { why: `offered on a compensation boundary event only: ${COMPENSATION}` },
};

const hidden = (table: Record<string, Refusal>, id: string, ctx: DesignerContext): boolean => {
  const refusal = Object.prototype.hasOwnProperty.call(table, id) ? table[id] : undefined;
  return !!refusal && (!refusal.when || refusal.when(ctx));
};

const reason = (table: Record<string, Refusal>, id: string, ctx: DesignerContext): string | null => (hidden(table, id, ctx) ? table[id].why : null);

/** Whether the replace menu hides an option (a ReplaceOptions actionName) for the element it is opened on. */
export const hiddenReplaceOption = (actionName: string, ctx: DesignerContext): boolean => hidden(REPLACE, actionName, ctx);
/** Whether the replace menu hides a header toggle (loop and multi-instance markers). */
export const hiddenReplaceHeaderEntry = (id: string, ctx: DesignerContext): boolean => hidden(REPLACE_HEADER, id, ctx);
/** Whether the palette hides an entry. */
export const hiddenPaletteEntry = (id: string): boolean => hidden(PALETTE, id, { elementType: '' });
/** Whether the context pad of an element hides an append entry. */
export const hiddenAppendEntry = (id: string, ctx: DesignerContext): boolean => hidden(APPEND, id, ctx);

/** Why an option is hidden in that context (null: it is offered), for tests and messages. */
export const refusalOf = (menu: 'replace' | 'replace-header' | 'palette' | 'append', id: string, ctx: DesignerContext): string | null =>
  reason({ replace: REPLACE, 'replace-header': REPLACE_HEADER, palette: PALETTE, append: APPEND }[menu], id, ctx);

/** Every id the definition names, by menu: the test checks each is one bpmn-js still offers. */
export const namedIds = (): Record<'replace' | 'replace-header' | 'palette' | 'append', string[]> => ({
  replace: Object.keys(REPLACE),
  'replace-header': Object.keys(REPLACE_HEADER),
  palette: Object.keys(PALETTE),
  append: Object.keys(APPEND),
});
