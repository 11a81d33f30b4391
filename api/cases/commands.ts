import type { Knex } from 'knex';
import type { LazyTemporalClient } from '../../lib/temporal/client';
import { decideUpdate, taskCommandUpdate, type Attachment, type CaseSnapshot, type TaskCommand, type UserRef } from '../../workflows/case/contract';
import type { SessionUser } from '../auth/sessions';
import { HttpError, conflict, forbidden, notFound } from '../http/errors';
import { actorOf, sendToCase, whereCandidate, whereCaseVisible } from './access';
import { TASK_FIELDS, taskQuery } from './views';

/**
 * Task actions: the API decides whether this user may act on this task (from MySQL), then the
 * workflow, as an update, decides whether the task's state allows it. A task the user cannot
 * see answers 404; one they see but may not act on 403; one no longer open 409.
 */
export interface TaskForAction {
  id: number;
  task_key: string;
  case_id: number;
  kind: string;
  status: string;
  assignee_id: number | null;
  owner_id: number | null;
  completed_by: number | null;
  workflow_id: string;
  candidate: boolean;
}

export async function loadTask(db: Knex, id: number, user: SessionUser): Promise<TaskForAction> {
  const row = (await taskQuery(db).select([...TASK_FIELDS(db), 'c.workflow_id']).where('t.id', id).first()) as Omit<TaskForAction, 'candidate'> | undefined;
  if (!row) throw notFound('Task');
  const candidate = Boolean(await whereCandidate(db, db('case_tasks as t').where('t.id', id), user).first('t.id'));
  const involved = row.assignee_id === user.id || row.owner_id === user.id || row.completed_by === user.id || candidate;
  if (!involved && !(await whereCaseVisible(db, db('cases as c').where('c.id', row.case_id), user).first('c.id'))) throw notFound('Task');
  return { ...row, candidate };
}

function mustBeOpen(task: TaskForAction): void {
  if (task.status !== 'open') throw conflict(`The task is ${task.status}`);
}

function mustHold(task: TaskForAction, user: SessionUser): void {
  mustBeOpen(task);
  if (task.assignee_id === user.id) return;
  if (task.assignee_id === null && task.candidate) throw conflict('Claim the task first (签收)');
  throw forbidden('You do not hold this task');
}

export async function userRef(db: Knex, userId: number, field: string): Promise<UserRef> {
  const u = (await db('users').where({ id: userId, active: true }).first('id', 'username', 'display_name')) as { id: number; username: string; display_name: string } | undefined;
  if (!u) throw new HttpError(422, 'invalid_reference', 'No active user with that id', [{ field, reason: 'no active user with that id' }]);
  return { userId: u.id, username: u.username, displayName: u.display_name };
}

const client = async (temporal: LazyTemporalClient, workflowId: string) => (await temporal.get()).workflow.getHandle(workflowId);

export async function decideOnTask(
  db: Knex,
  temporal: LazyTemporalClient,
  taskId: number,
  user: SessionUser,
  d: { outcome: string; returnTo?: string; comment?: string; formData?: Record<string, unknown>; attachments?: Attachment[] },
): Promise<CaseSnapshot> {
  const task = await loadTask(db, taskId, user);
  mustHold(task, user);
  return sendToCase(async () => (await client(temporal, task.workflow_id)).executeUpdate(decideUpdate, { args: [{ taskKey: task.task_key, actor: actorOf(user), ...d }] }));
}

export type CommandInput =
  | { kind: 'claim' | 'unclaim' | 'resolve' | 'remind'; comment?: string }
  | { kind: 'transfer' | 'delegate' | 'addSigner'; to: number; comment?: string }
  | { kind: 'copy'; to: number[]; comment?: string };

export async function commandOnTask(db: Knex, temporal: LazyTemporalClient, taskId: number, user: SessionUser, input: CommandInput): Promise<CaseSnapshot> {
  const task = await loadTask(db, taskId, user);
  const actor = actorOf(user);
  let command: TaskCommand;
  switch (input.kind) {
    case 'claim':
      mustBeOpen(task);
      if (task.assignee_id !== null) throw conflict('The task is already claimed');
      if (!task.candidate) throw forbidden('You are not a candidate of this task');
      command = { kind: 'claim', taskKey: task.task_key, actor };
      break;
    case 'unclaim':
      mustHold(task, user);
      command = { kind: 'unclaim', taskKey: task.task_key, actor };
      break;
    case 'resolve':
      mustHold(task, user);
      if (task.owner_id === null) throw conflict('The task is not delegated');
      command = { kind: 'resolve', taskKey: task.task_key, actor, comment: input.comment };
      break;
    case 'remind':
      mustBeOpen(task);
      command = { kind: 'remind', taskKey: task.task_key, actor, comment: input.comment };
      break;
    case 'transfer':
    case 'delegate':
    case 'addSigner':
      if (!(input.kind === 'transfer' && user.role === 'sysadmin')) mustHold(task, user);
      else mustBeOpen(task);
      command = { kind: input.kind, taskKey: task.task_key, actor, to: await userRef(db, input.to, 'body.to'), comment: input.comment };
      break;
    case 'copy': {
      mustHold(task, user);
      const to: UserRef[] = [];
      for (const [i, id] of input.to.entries()) to.push(await userRef(db, id, `body.to.${i}`));
      command = { kind: 'copy', taskKey: task.task_key, actor, to, comment: input.comment };
      break;
    }
  }
  return sendToCase(async () => (await client(temporal, task.workflow_id)).executeUpdate(taskCommandUpdate, { args: [command] }));
}
