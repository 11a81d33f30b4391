/**
 * What the case workflow asks its persistence activity to write: one batch per step, applied
 * in one transaction. Every row is keyed by something the workflow chose (case + task key,
 * case + seq), so a retried batch changes nothing the first attempt already wrote.
 * Types only: shared by the workflow (deterministic side) and the activity (database side).
 */
export type TaskKind = 'user' | 'supplement';
export type TaskStatus = 'open' | 'completed' | 'cancelled' | 'timed_out';
export type CaseStatus = 'running' | 'supplement' | 'completed' | 'withdrawn' | 'terminated' | 'incident';

export interface CaseScope {
  organisationId: number;
  districtCode: string | null;
  streetCode: string | null;
}

export interface NewTaskRow {
  key: string;
  nodeId: string;
  name: string;
  kind: TaskKind;
  /** A username (from the BPMN or a variable) or a user id already known. */
  assigneeUsername: string | null;
  assigneeId: number | null;
  candidateGroups: string[];
  candidateUsernames: string[];
  outcomes: string[];
  dueAt: string | null;
  createdAt: string;
}

export interface TaskRowPatch {
  key: string;
  status?: TaskStatus;
  assigneeId?: number | null;
  ownerId?: number | null;
  claimedAt?: string | null;
  completedAt?: string;
  completedBy?: number | null;
  outcome?: string | null;
  comment?: string | null;
  dueAt?: string | null;
}

export interface HistoryEntry {
  seq: number;
  at: string;
  kind: string;
  nodeId?: string | null;
  taskKey?: string | null;
  actorId?: number | null;
  actorName?: string | null;
  outcome?: string | null;
  comment?: string | null;
  data?: Record<string, unknown> | null;
}

export interface CaseRowPatch {
  status?: CaseStatus;
  result?: string | null;
  currentSteps?: string;
  activeNodes?: string[];
  variables?: Record<string, unknown>;
  endedAt?: string;
  /** Set when the case stops at an incident, null when it is resolved (retried, moved, ended). */
  incident?: { nodeId: string | null; message: string; at: string } | null;
}

export interface SubscriptionChange {
  nodeId: string;
  /** The message's name, or the signal's. */
  messageName: string;
  /** Empty for a signal: a broadcast reaches every subscriber. */
  correlationKey: string;
  open: boolean;
  /** Absent: a message (every subscription written before signals were). */
  kind?: 'message' | 'signal';
}

/**
 * An external job (db/cases/jobs.ts) the workflow opens for a job worker, or closes: completed,
 * a BPMN error thrown, failed with no retries left (an incident), or cancelled (its step ended
 * otherwise: a boundary event, a move, the case's end). Keyed by the workflow's `node#visit`.
 */
export type JobChange =
  | { key: string; open: true; nodeId: string; type: string; retries: number; headers: Record<string, string>; variables: Record<string, unknown>; createdAt: string }
  | { key: string; open: false; status: 'completed' | 'error' | 'failed' | 'cancelled'; closedAt: string };

export interface ChangeBatch {
  caseId: number;
  scope: CaseScope;
  newTasks?: NewTaskRow[];
  taskPatches?: TaskRowPatch[];
  history?: HistoryEntry[];
  copies?: { userIds: number[]; fromUserId: number | null; taskKey: string | null; at: string };
  subscriptions?: SubscriptionChange[];
  jobs?: JobChange[];
  caseRow?: CaseRowPatch;
}

export interface ChangeBatchResult {
  /** The user id each new task's assignee username resolved to (null if unknown). */
  assignees: Record<string, number | null>;
  /** Candidate usernames resolved to ids, per new task. */
  candidateUserIds: Record<string, number[]>;
  /**
   * Per new task offered to groups only (no assignee, no candidate user): whether any active
   * account of those roles stands within the case's area. Absent in results recorded before it
   * was answered.
   */
  groupHeld?: Record<string, boolean>;
}

/** What a service-task activity receives and returns. */
export interface ServiceTaskInput {
  caseId: number;
  caseNumber: string;
  workflowId: string;
  nodeId: string;
  /** workflow id + node + visit: the key an activity with outside effects deduplicates on. */
  idempotencyKey: string;
  taskType: string;
  headers: Record<string, string>;
  variables: Record<string, unknown>;
  applicantUserId: number;
}

export interface ServiceTaskResult {
  variables?: Record<string, unknown>;
  /** A line for the case history. */
  note?: string;
  /**
   * Text messages the step asks for: the workflow hands each to the SMS seam (sendCaseSms),
   * keyed by the step's idempotency key and the message's index, and records it in the history.
   */
  sms?: ServiceSms[];
}

export interface ServiceSms {
  userIds: number[];
  text: string;
}

/** The SMS seam: who to text and what; see activities/cases/notify.ts. */
export interface CaseSmsRequest {
  caseId: number;
  /** Users to text; the activity looks their phone numbers up. */
  userIds: number[];
  /** Or: the holders of these open tasks (assignee, else candidate users and groups in scope). */
  holdersOfTaskKeys?: string[];
  text: string;
  idempotencyKey: string;
}

export interface CaseSmsResult {
  recipients: Array<{ userId: number; phone: string | null }>;
  /** "sms-worker" when handed to the SMS worker's queue, "recorded" when only recorded (seam). */
  via: 'sms-worker' | 'recorded';
}
