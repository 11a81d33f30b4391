import type { BoundaryMessageNode, BoundaryTimerNode, UserTaskNode } from '../../lib/bpmn/graph';
import type { HistoryEntry, NewTaskRow, TaskKind, TaskRowPatch, TaskStatus } from '../../lib/cases/changes';
import { CASE_FAILURES, type Actor, type DecideRequest } from './contract';
import type { CaseContext } from './context';
import { fail } from './errors';

/**
 * The live side of task rows: a task instance is one row someone acts on, an activation is one
 * visit of a step that opened instances (one per countersigner, one for a supplement). Decisions
 * sent as updates are queued on the activation and applied by the token waiting there.
 */
export interface TaskInstance {
  key: string;
  nodeId: string;
  name: string;
  kind: TaskKind;
  index: number;
  candidateGroups: string[];
  candidateUsernames: string[];
  candidateUserIds: number[];
  /**
   * For a task offered to groups only: whether anyone of those roles stands in the case's area
   * (answered by the writer; undefined before the row is written, or in older histories).
   */
  groupHeld?: boolean;
  assigneeUsername: string | null;
  assigneeId: number | null;
  ownerId: number | null;
  outcomes: string[];
  dueAt: string | null;
  status: TaskStatus;
  /** The row is written and its user ids are known; commands wait for this. */
  persisted: boolean;
  /** A decision was queued and not yet processed: a second one is refused. */
  deciding: boolean;
  activation: Activation;
  /**
   * Variables local to this instance (its countersign element, its input mappings): its output
   * mappings see them on completion; they never become case variables.
   */
  locals?: Record<string, unknown>;
}

export interface QueuedDecision extends DecideRequest {
  instance: TaskInstance;
  processed: boolean;
}

interface ActivationBase {
  /** `node#visit` or `supplement#n`: the prefix of its instances' task keys. */
  id: string;
  instances: TaskInstance[];
  queue: QueuedDecision[];
  closed: boolean;
}

/** A visit of a user task: reviewers' instances, their countersign tally and attached timers. */
export interface ReviewActivation extends ActivationBase {
  kind: 'review';
  node: UserTaskNode;
  /** Set by an interrupting boundary timer that fired while the task was open. */
  timedOut: BoundaryTimerNode | null;
  /** Set by an interrupting message boundary event whose message came while the task was open. */
  interruptedBy?: { boundary: BoundaryMessageNode; variables: Record<string, unknown> };
  /** The correlation key each message boundary subscribed under, by boundary id (closed under the same key). */
  subscriptionKeys?: Record<string, string>;
  approvals: number;
  rejections: number;
  /** A sequential countersign's instances not opened yet, in order (absent otherwise). */
  waiting?: TaskInstance[];
}

/** The applicant's supplement (补正) after a return; the returning step runs again after it. */
export interface SupplementActivation extends ActivationBase {
  kind: 'supplement';
  returningNode: UserTaskNode;
}

export type Activation = ReviewActivation | SupplementActivation;

export function newReviewActivation(node: UserTaskNode, visit: number): ReviewActivation {
  return { kind: 'review', id: `${node.id}#${visit}`, node, instances: [], queue: [], closed: false, timedOut: null, approvals: 0, rejections: 0 };
}

export function newSupplementActivation(returningNode: UserTaskNode, n: number): SupplementActivation {
  return { kind: 'supplement', id: `supplement#${n}`, returningNode, instances: [], queue: [], closed: false };
}

/** What differs between task instances; everything else starts the same for all of them. */
export interface TaskInstanceFields {
  index: number;
  nodeId: string;
  name: string;
  kind: TaskKind;
  outcomes: string[];
  candidateGroups?: string[];
  candidateUsernames?: string[];
  assigneeUsername?: string | null;
  assigneeId?: number | null;
  dueAt?: string | null;
}

/** The one place a task instance is made: open, not yet written, keyed `activation.index`. */
export function newTaskInstance(activation: Activation, f: TaskInstanceFields): TaskInstance {
  return {
    key: `${activation.id}.${f.index}`,
    nodeId: f.nodeId,
    name: f.name,
    kind: f.kind,
    index: f.index,
    candidateGroups: f.candidateGroups ?? [],
    candidateUsernames: f.candidateUsernames ?? [],
    candidateUserIds: [],
    assigneeUsername: f.assigneeUsername ?? null,
    assigneeId: f.assigneeId ?? null,
    ownerId: null,
    outcomes: f.outcomes,
    dueAt: f.dueAt ?? null,
    status: 'open',
    persisted: false,
    deciding: false,
    activation,
  };
}

/** Writes task rows and learns the user ids their usernames resolve to. */
export async function openTasks(ctx: CaseContext, instances: TaskInstance[], kind: string, extra: Partial<HistoryEntry> = {}): Promise<void> {
  const now = new Date().toISOString();
  const rows: NewTaskRow[] = instances.map((i) => ({
    key: i.key,
    nodeId: i.nodeId,
    name: i.name,
    kind: i.kind,
    assigneeUsername: i.assigneeUsername,
    assigneeId: i.assigneeId,
    candidateGroups: i.candidateGroups,
    candidateUsernames: i.candidateUsernames,
    outcomes: i.outcomes,
    dueAt: i.dueAt,
    createdAt: now,
  }));
  const history = instances.map((i) => ctx.entry(kind, { nodeId: i.nodeId, taskKey: i.key, ...extra, data: { assignee: i.assigneeUsername, candidateGroups: i.candidateGroups, candidateUsers: i.candidateUsernames, dueAt: i.dueAt } }));
  const result = await ctx.persist({ newTasks: rows, history });
  for (const i of instances) {
    if (i.assigneeId === null) i.assigneeId = result.assignees[i.key] ?? null;
    i.candidateUserIds = result.candidateUserIds[i.key] ?? [];
    i.groupHeld = result.groupHeld?.[i.key];
    i.persisted = true;
  }
}

/** Closes an instance (its activation too when none is left open); answers the row's patch. */
export function closeInstance(inst: TaskInstance, status: TaskStatus): TaskRowPatch {
  inst.status = status;
  inst.activation.closed = inst.activation.instances.every((i) => i.status !== 'open');
  return { key: inst.key, status, completedAt: new Date().toISOString() };
}

/**
 * Validators run before the task row's user ids are known (the row is still being written);
 * they pass then, and the handler checks again once it is written.
 */
export function mustHold(inst: TaskInstance, actor: Actor): void {
  if (!inst.persisted) return;
  if (inst.assigneeId === null) fail(CASE_FAILURES.notHolder, 'claim the task first');
  if (inst.assigneeId !== actor.userId) fail(CASE_FAILURES.notHolder, 'you do not hold this task');
}
