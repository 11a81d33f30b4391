import { defineQuery, defineUpdate } from '@temporalio/workflow';
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
  kind: 'timer' | 'message';
  /** Timer: when it fires. Message: the message name. */
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
}

/** Failure types the API maps to HTTP statuses (see api/cases/temporal-errors.ts). */
export const CASE_FAILURES = {
  taskNotOpen: 'TaskNotOpen',
  notHolder: 'NotHolder',
  invalidDecision: 'InvalidDecision',
  caseClosed: 'CaseClosed',
  notAllowed: 'NotAllowed',
  invalidRecipient: 'InvalidRecipient',
} as const;

export const decideUpdate = defineUpdate<CaseSnapshot, [DecideRequest]>('decide');
export const taskCommandUpdate = defineUpdate<CaseSnapshot, [TaskCommand]>('taskCommand');
export const withdrawUpdate = defineUpdate<CaseSnapshot, [ApplicantRequest]>('withdraw');
export const terminateUpdate = defineUpdate<CaseSnapshot, [ApplicantRequest]>('terminate');
export const deliverMessageUpdate = defineUpdate<CaseSnapshot, [MessageDelivery]>('deliverMessage');
export const caseStateQuery = defineQuery<CaseSnapshot>('state');

/**
 * A case's workflow id: its row id plus a random tag, because case ids restart with a fresh
 * database while a Temporal server may still hold workflows of an earlier one (development,
 * tests). The id is kept in cases.workflow_id; nothing derives it again.
 */
export const caseWorkflowId = (caseId: number, tag: string) => `case-${caseId}-${tag}`;
