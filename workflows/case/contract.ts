import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ProcessGraph } from '../../lib/bpmn/graph';
import type { CaseScope, CaseStatus, TaskKind } from '../../lib/cases/changes';

/**
 * The case workflow's public contract: its input, the updates the API sends after it has
 * checked the caller's right to act, and the live-state query. Imported by the API as well.
 */
export interface CaseWorkflowInput {
  caseId: number;
  caseNumber: string;
  processKey: string;
  processVersion: number;
  /** Pinned at start: a running case never changes process under its feet. */
  graph: ProcessGraph;
  scope: CaseScope;
  applicant: { userId: number; username: string };
  variables: Record<string, unknown>;
  /** The SMS worker's task queue; absent or null: reminders are recorded, not sent. */
  smsTaskQueue?: string | null;
  /** Set on a called case (call activity): a BPMN error nobody inside catches ends it, for the caller to catch. */
  parentCaseId?: number;
}

export interface Actor {
  userId: number;
  username: string;
  displayName: string;
  role: string;
}

export interface UserRef {
  userId: number;
  username: string;
  displayName: string;
  /**
   * Where the recipient of a task or copy stands, for the workflow's own check of who may
   * receive it (lib/cases/recipients.ts). Absent in updates recorded before that check existed.
   */
  role?: string;
  organisationId?: number;
  districtCode?: string | null;
  streetCode?: string | null;
}

export interface Attachment {
  name: string;
  fileId?: string;
  url?: string;
}

export interface DecideRequest {
  taskKey: string;
  actor: Actor;
  /** One of the task's outcomes; "supply" on the applicant's supplement task. */
  outcome: string;
  /** For outcome "return": an earlier completed user task's id, or "applicant" (补正). */
  returnTo?: string;
  comment?: string;
  formData?: Record<string, unknown>;
  attachments?: Attachment[];
}

export type TaskCommand =
  | { kind: 'claim' | 'unclaim' | 'resolve' | 'remind'; taskKey: string; actor: Actor; comment?: string }
  | { kind: 'transfer' | 'delegate' | 'addSigner'; taskKey: string; actor: Actor; to: UserRef; comment?: string }
  | { kind: 'copy'; taskKey: string; actor: Actor; to: UserRef[]; comment?: string };

export interface ApplicantRequest {
  actor: Actor;
  comment?: string;
}

export interface MessageDelivery {
  name: string;
  variables?: Record<string, unknown>;
  actor?: Actor;
  /** The key it was correlated by (POST /api/messages); absent: any waiter of the name takes it. */
  correlationKey?: string;
}

/**
 * A broadcast signal reaching a case (a Temporal signal: a broadcast does not wait on each
 * case). From POST /api/signals (`actor`) or a signal throw event of another case (`fromCase`).
 */
export interface SignalDelivery {
  name: string;
  variables?: Record<string, unknown>;
  actor?: Actor;
  fromCase?: string;
}

/**
 * Operating a case, as Camunda Operate does (docs/process-engine.md, "Incidents"). `retry` runs
 * again every element a token stopped at with an incident; `move` stops every open branch (open
 * tasks close, timers and waits end) and continues the case at `toNodeId`, any element but the
 * start event and boundary events. Both are refused when they cannot apply (typed failures).
 */
export type CaseModification = { kind: 'retry'; actor: Actor; comment?: string } | { kind: 'move'; actor: Actor; toNodeId: string; comment?: string };

/**
 * A job worker's report on an external job (api/routes/jobs.ts, after the worker's token and
 * its job types were checked): done with variables, a BPMN error thrown for an error boundary,
 * or failed with no retries left (an incident). A failure with retries left never reaches the
 * workflow: the job row just waits out its back-off. `type` is checked again by the validator.
 */
export type JobReport =
  | { kind: 'complete'; jobKey: string; type: string; worker: string; variables?: Record<string, unknown> }
  | { kind: 'error'; jobKey: string; type: string; worker: string; errorCode: string; errorMessage?: string; variables?: Record<string, unknown> }
  | { kind: 'fail'; jobKey: string; type: string; worker: string; errorMessage: string };

/** A token stopped at an element with an error, waiting for an operator. */
export interface LiveIncident {
  nodeId: string;
  message: string;
  at: string;
}

export interface LiveTask {
  key: string;
  nodeId: string;
  name: string;
  kind: TaskKind;
  assigneeId: number | null;
  ownerId: number | null;
  candidateGroups: string[];
  candidateUserIds: number[];
  outcomes: string[];
  dueAt: string | null;
}

export interface Waiting {
  nodeId: string;
  kind: 'timer' | 'message' | 'job';
  /** Timer: when it fires. Message: the message name. Job: the job type. */
  detail: string;
}

export interface CaseSnapshot {
  status: CaseStatus;
  result: string | null;
  openTasks: LiveTask[];
  activeNodes: string[];
  completedNodes: string[];
  waiting: Waiting[];
  variables: Record<string, unknown>;
  incident: string | null;
  /** Tokens stopped at an incident that a retry would run again (absent in older snapshots). */
  incidents?: LiveIncident[];
  /** A called case that ended with a BPMN error: its code, for the caller's error boundary. */
  thrownError?: { code: string; message: string };
}

/** Failure types the API maps to HTTP statuses (see api/cases/temporal-errors.ts). */
export const CASE_FAILURES = {
  taskNotOpen: 'TaskNotOpen',
  notHolder: 'NotHolder',
  invalidDecision: 'InvalidDecision',
  caseClosed: 'CaseClosed',
  notAllowed: 'NotAllowed',
  invalidRecipient: 'InvalidRecipient',
  jobNotOpen: 'JobNotOpen',
} as const;

export const decideUpdate = defineUpdate<CaseSnapshot, [DecideRequest]>('decide');
export const taskCommandUpdate = defineUpdate<CaseSnapshot, [TaskCommand]>('taskCommand');
export const withdrawUpdate = defineUpdate<CaseSnapshot, [ApplicantRequest]>('withdraw');
export const terminateUpdate = defineUpdate<CaseSnapshot, [ApplicantRequest]>('terminate');
export const deliverMessageUpdate = defineUpdate<CaseSnapshot, [MessageDelivery]>('deliverMessage');
export const reportJobUpdate = defineUpdate<CaseSnapshot, [JobReport]>('reportJob');
export const deliverSignalSignal = defineSignal<[SignalDelivery]>('deliverSignal');
export const modifyCaseUpdate = defineUpdate<CaseSnapshot, [CaseModification]>('modify');
export const caseStateQuery = defineQuery<CaseSnapshot>('state');

/**
 * A case's workflow id: its row id plus a random tag, because case ids restart with a fresh
 * database while a Temporal server may still hold workflows of an earlier one (development,
 * tests). The id is kept in cases.workflow_id; nothing derives it again.
 */
export const caseWorkflowId = (caseId: number, tag: string) => `case-${caseId}-${tag}`;
