import { patched, upsertSearchAttributes } from '@temporalio/workflow';
import type { GraphNode, ProcessGraph } from '../../lib/bpmn/graph';
import type { CaseStatus, HistoryEntry } from '../../lib/cases/changes';
import { CASE_STATUS } from '../../lib/temporal/search-attributes';
import { CASE_FAILURES, type CaseSnapshot, type CaseWorkflowInput, type LiveTask } from './contract';
import { catchError, endWithError } from './bpmn-errors';
import { fail } from './errors';
import { stopAt, type StoppedToken } from './incidents';
import { PATCH_INCIDENT_HOLD } from './patches';
import { Persister, type Changes } from './persister';
import { closeInstance, type Activation, type TaskInstance } from './task-instances';
import { Tokens } from './tokens';
import type { OpenJob } from './elements/external-job';
import { catchByEventSub, errorEventSubFor } from './elements/event-sub-processes';
import { assignVariables, visibleVariables } from './variable-scopes';

/** Runs one node for a token: the element registry (elements/registry.ts), passed in by the engine. */
export type RunElement = (ctx: CaseContext, fiber: number, node: GraphNode, via: string | null) => Promise<string[]>;

/** A message delivered to the case, kept until a catch event consumes it (it may come early). */
export interface MailboxMessage {
  name: string;
  variables: Record<string, unknown>;
  consumed: boolean;
  /**
   * A signal: the how-manieth this case received. A signal is not kept for later (as in Zeebe):
   * each waiter takes those numbered after it began waiting, every waiter the same one, so it is
   * never `consumed` and message catch events never see it.
   */
  signalSeq?: number;
  /**
   * The correlation key it was published under (POST /api/messages): only a waiter subscribed
   * under that key takes it, so two waiters of one case with different keys each get their own.
   * Absent (a message sent to the case itself, or delivered before keys were kept): any waiter of its name.
   */
  correlationKey?: string;
}

/** Whether a waiter for `name` under `key` may take this message (MailboxMessage.correlationKey). */
export function takes(m: MailboxMessage, name: string, key: string): boolean {
  return m.name === name && !m.consumed && (m.correlationKey === undefined || m.correlationKey === key);
}

/**
 * One running case as every part of the engine sees it: its state (status, variables, what has
 * been completed, the task activations, the mailbox, the tokens) and the few operations all parts
 * share — writing to MySQL, numbering history entries, ending the case, raising an incident.
 *
 * Everything here must stay deterministic: no Node APIs, only workflow time. The async shape of
 * these methods (which ones are `async`, what they await) is part of the recorded behaviour:
 * it decides the order in which concurrent tokens issue commands, so keep it when editing.
 */
export class CaseContext {
  status: CaseStatus = 'running';
  result: string | null = null;
  incident: string | null = null;
  finished = false;
  readonly vars: Record<string, unknown>;
  /** Nodes passed at least once (the diagram marks them). */
  readonly completed = new Set<string>();
  /** User tasks decided, in order: the steps a return may go back to. */
  readonly completedUserTasks: string[] = [];
  readonly activations: Activation[] = [];
  readonly mailbox: MailboxMessage[] = [];
  /** Once a reviewer has decided, the applicant can no longer withdraw. */
  reviewerDecided = false;
  /** The result of the last plain end event reached: the case's result when its tokens run out. */
  lastEndResult: string | null = null;
  supplements = 0;
  /** Tokens stopped at an incident, waiting for a retry (incidents.ts). */
  readonly stopped: StoppedToken[] = [];
  /** External jobs the tokens wait on, by job key (elements/external-job.ts). */
  readonly jobs = new Map<string, OpenJob>();
  /** Signals received so far (MailboxMessage.signalSeq). */
  signalsReceived = 0;
  /** The BPMN error a called case ended with, for its caller to throw on. */
  thrownError: { code: string; message: string } | null = null;
  readonly persister: Persister;
  readonly tokens: Tokens;
  /** Visits per node: they make task keys and service-task idempotency keys unique. */
  private readonly visits: Record<string, number> = {};

  constructor(
    readonly input: CaseWorkflowInput,
    runElement: RunElement,
  ) {
    this.vars = { ...input.variables };
    this.persister = new Persister(input.caseId, input.scope, () => this.rowSnapshot());
    this.tokens = new Tokens(input.graph, {
      execute: (fiber, node, via) => runElement(this, fiber, node, via),
      caseClosed: () => this.finished,
      allEnded: () => {
        if (this.finished || this.status === 'incident') return;
        void this.finish('completed', this.lastEndResult ?? 'approved', this.entry('completed', { outcome: this.lastEndResult ?? 'approved' }));
      },
      failed: (err) => this.raiseIncident(err),
      holdAtIncident: () => patched(PATCH_INCIDENT_HOLD),
      stoppedAt: (fiber, node, err) => stopAt(this, fiber, node, err),
      catchError: (node, err) => catchError(this, node, err),
      endWithError: (err) => endWithError(this, err),
      catchByEventSub: (err) => {
        const sub = errorEventSubFor(this, err);
        if (sub) catchByEventSub(this, sub, err);
        return sub !== null;
      },
    });
  }

  get graph(): ProcessGraph {
    return this.input.graph;
  }

  nextVisit(nodeId: string): number {
    return (this.visits[nodeId] = (this.visits[nodeId] ?? 0) + 1);
  }

  // ---------------------------------------------------------------- writing

  async persist(changes: Changes) {
    return this.persister.write(changes);
  }

  entry(kind: string, fields: Partial<HistoryEntry> = {}): HistoryEntry {
    return { seq: this.persister.nextSeq(), at: new Date().toISOString(), kind, ...fields };
  }

  /** A node passed with no write of its own: its history goes with the next batch. */
  pass(node: GraphNode, kind: string, extra: Partial<HistoryEntry> = {}): void {
    this.completed.add(node.id);
    this.persister.buffer(this.entry(kind, { nodeId: node.id, ...extra }));
  }

  /** The variables the running element sees (local scopes over the case's: variable-scopes.ts) and the case's facts. */
  feelContext(): Record<string, unknown> {
    return {
      ...visibleVariables(this.vars),
      caseNumber: this.input.caseNumber,
      processKey: this.input.processKey,
      districtCode: this.input.scope.districtCode,
      streetCode: this.input.scope.streetCode,
      applicantOrganisationId: this.input.scope.organisationId,
    };
  }

  /** A broadcast signal arrived: every waiter for it, now, takes it (elements/signals.ts). */
  receiveSignal(name: string, variables: Record<string, unknown>): void {
    this.mailbox.push({ name, variables, consumed: true, signalSeq: ++this.signalsReceived });
  }

  /** The first signal of this name numbered after `since`. */
  signalAfter(name: string, since: number): MailboxMessage | undefined {
    return this.mailbox.find((m) => m.signalSeq !== undefined && m.signalSeq > since && m.name === name);
  }

  /** Writes variables where Zeebe would: a local scope holding the name, else the case's. */
  assign(values: Record<string, unknown>): void {
    assignVariables(this.vars, values);
  }

  // ---------------------------------------------------------------- ending

  /** Ends the case: open tasks close, every token stops, the final status is written. */
  async finish(status: CaseStatus, result: string | null, entry: HistoryEntry, more: Changes = {}): Promise<void> {
    if (this.finished) return;
    const closing = this.openInstances().map((i) => closeInstance(i, 'cancelled'));
    for (const a of this.activations) a.closed = true;
    this.status = status;
    this.result = result;
    this.tokens.cancelGeneration();
    upsertSearchAttributes([{ key: CASE_STATUS, value: status }]);
    // Open external jobs close with the case: the run ends before their tokens' own writes would.
    const jobs = [...this.jobs.keys()].map((key) => ({ key, open: false as const, status: 'cancelled' as const, closedAt: new Date().toISOString() }));
    this.jobs.clear();
    await this.persist({
      ...more,
      ...(jobs.length ? { jobs: [...(more.jobs ?? []), ...jobs] } : {}),
      taskPatches: [...(more.taskPatches ?? []), ...closing],
      history: [...(more.history ?? []), entry],
      caseRow: { status, result, endedAt: new Date().toISOString(), incident: null },
    });
    this.finished = true;
  }

  async raiseIncident(err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    this.status = 'incident';
    this.incident = message;
    upsertSearchAttributes([{ key: CASE_STATUS, value: 'incident' }]);
    const at = new Date().toISOString();
    await this.persist({ history: [this.entry('incident', { comment: message.slice(0, 2000) })], caseRow: { status: 'incident', incident: { nodeId: null, message, at } } });
  }

  // ---------------------------------------------------------------- reading

  mustBeOpen(allowIncident = false): void {
    if (this.finished || (this.status === 'incident' && !allowIncident)) fail(CASE_FAILURES.caseClosed, `the case is ${this.status}`);
  }

  openInstances(): TaskInstance[] {
    return this.activations.flatMap((a) => a.instances.filter((i) => i.status === 'open'));
  }

  /** The open task an update names; refused when the case or the task is closed. */
  openInstance(key: string): TaskInstance {
    this.mustBeOpen();
    const inst = this.activations.flatMap((a) => a.instances).find((i) => i.key === key);
    if (!inst || inst.status !== 'open') fail(CASE_FAILURES.taskNotOpen, `task ${key} is not open`);
    return inst;
  }

  private activeNodes(): string[] {
    return [...new Set([...this.openInstances().map((i) => i.nodeId), ...this.tokens.positions.values()])];
  }

  /** The case row's live columns, sent with every batch. */
  private rowSnapshot() {
    const open = this.openInstances();
    return {
      currentSteps: [...new Set(open.map((i) => i.name))].join('、').slice(0, 255),
      activeNodes: this.activeNodes(),
      variables: this.vars,
      status: this.finished ? undefined : this.status,
    };
  }

  snapshot(): CaseSnapshot {
    return {
      status: this.status,
      result: this.result,
      openTasks: this.openInstances().map((i): LiveTask => ({
        key: i.key,
        nodeId: i.nodeId,
        name: i.name,
        kind: i.kind,
        assigneeId: i.assigneeId,
        ownerId: i.ownerId,
        candidateGroups: i.candidateGroups,
        candidateUserIds: i.candidateUserIds,
        outcomes: i.outcomes,
        dueAt: i.dueAt,
      })),
      activeNodes: this.finished ? [] : this.activeNodes(),
      completedNodes: [...this.completed],
      waiting: [...this.tokens.waiting.values()],
      variables: this.vars,
      incident: this.incident,
      incidents: this.stopped.map((s) => ({ nodeId: s.nodeId, message: s.message, at: s.at })),
      ...(this.thrownError ? { thrownError: this.thrownError } : {}),
    };
  }
}
