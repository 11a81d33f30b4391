import type { Knex } from 'knex';
import { TASK_FIELDS, taskQuery, taskView } from './rows';
import { whereTaskCandidate, type Viewer } from './visibility';

/** Reads of single tasks: the row a task command checks, its candidates, its holders. */
export interface TaskRowForAction {
  id: number;
  task_key: string;
  node_id: string;
  case_id: number;
  kind: string;
  status: string;
  assignee_id: number | null;
  owner_id: number | null;
  completed_by: number | null;
  workflow_id: string;
}

export async function findTaskForAction(db: Knex, id: number): Promise<TaskRowForAction | undefined> {
  return (await taskQuery(db)
    .select([...TASK_FIELDS(db), 'c.workflow_id'])
    .where('t.id', id)
    .first()) as TaskRowForAction | undefined;
}

/** The task as its page shows it. */
export async function findTaskView(db: Knex, id: number): Promise<ReturnType<typeof taskView> | undefined> {
  const row = (await taskQuery(db).select(TASK_FIELDS(db)).where('t.id', id).first()) as Record<string, unknown> | undefined;
  return row ? taskView(row) : undefined;
}

/** Whether the task is offered to the viewer (by name, or to their role within the row's scope). */
export async function isTaskCandidate(db: Knex, taskId: number, viewer: Viewer): Promise<boolean> {
  return Boolean(await whereTaskCandidate(db, db('case_tasks as t').where('t.id', taskId), viewer).first('t.id'));
}

/** The groups and users a task is offered to. */
export async function taskOffer(db: Knex, taskId: number): Promise<{ candidateGroups: string[]; candidateUserIds: number[] }> {
  const rows = (await db('case_task_candidates').where('task_id', taskId).select('kind', 'value')) as Array<{ kind: string; value: string }>;
  return { candidateGroups: rows.filter((x) => x.kind === 'group').map((x) => x.value), candidateUserIds: rows.filter((x) => x.kind === 'user').map((x) => Number(x.value)) };
}

/** A case's tasks by key, with who holds or may claim them (the SMS seam texts them). */
export async function tasksByKey(db: Knex, caseId: number, keys: string[]): Promise<Array<{ id: number; assignee_id: number | null; candidate_groups: string; candidate_user_ids: number[] }>> {
  if (!keys.length) return [];
  const tasks = (await db('case_tasks').where('case_id', caseId).whereIn('task_key', keys).select('id', 'assignee_id', 'candidate_groups')) as Array<{
    id: number;
    assignee_id: number | null;
    candidate_groups: string;
  }>;
  const users = tasks.length
    ? ((await db('case_task_candidates')
        .whereIn(
          'task_id',
          tasks.map((t) => t.id),
        )
        .where('kind', 'user')
        .select('task_id', 'value')) as Array<{ task_id: number; value: string }>)
    : [];
  return tasks.map((t) => ({ ...t, candidate_user_ids: users.filter((u) => u.task_id === t.id).map((u) => Number(u.value)) }));
}

/** Open and overdue open tasks across the platform (metrics). */
export async function openTaskCounts(db: Knex): Promise<{ open: number; overdue: number }> {
  const row = (await db('case_tasks').where('status', 'open').first(db.raw('COUNT(*) AS open_count'), db.raw('COALESCE(SUM(due_at < UTC_TIMESTAMP(3)), 0) AS overdue_count'))) as {
    open_count: number | string;
    overdue_count: number | string;
  };
  return { open: Number(row.open_count), overdue: Number(row.overdue_count) };
}

/** Whether the user holds an open task of the case at a node (e.g. an expert's scoring task). */
export async function holdsOpenTask(db: Knex, input: { caseId: number; userId: number; nodeId: string }): Promise<boolean> {
  return Boolean(await db('case_tasks').where({ case_id: input.caseId, assignee_id: input.userId, status: 'open', node_id: input.nodeId }).first('id'));
}
