import type { Knex } from 'knex';
import { caseTaskForeignForm, caseTaskForm } from '../../lib/approvals/forms';
import { z } from 'zod';
import { Attachments } from '../../lib/files/attachments';
import type { LazyTemporalClient } from '../../lib/temporal/client';
import { commandOnTask, decideOnTask, loadTask, type CommandInput } from '../cases/commands';
import { findTaskView } from '../../db/cases/tasks';
import { listQuery } from '../http/list-query';
import { listCopiedCases, listStartedCases, listTaskBox, type TaskBox } from '../../db/cases/lists';
import { listResult, type Api } from '../http/route';
import { Variables } from '../http/variables';
import { CASE_RESULT_FILTER } from '../../lib/cases/statuses';

/**
 * The task inbox (E3) and task actions. Every list is one filtered, sorted, paginated SQL query
 * (react-admin simple-rest conventions, total in Content-Range).
 */
export const TaskFilter = z.object({
  q: z.string().max(64).optional(),
  process_key: z.string().max(64).optional(),
  district_code: z.string().max(16).optional(),
  overdue: z.boolean().optional(),
  due_before: z.iso.datetime({ offset: true }).optional(),
  arrived_from: z.iso.date().optional(),
  arrived_to: z.iso.date().optional(),
});
export const TaskList = listQuery({
  sortable: ['id', 'created_at', 'due_at', 'completed_at', 'case_number'] as const,
  defaultSort: ['created_at', 'DESC'],
  filter: TaskFilter,
});

export const CaseBoxFilter = z.object({
  q: z.string().max(64).optional(),
  process_key: z.string().max(64).optional(),
  district_code: z.string().max(16).optional(),
  status: z.string().max(16).optional(),
  result: z.enum(CASE_RESULT_FILTER).optional(),
  started_from: z.iso.date().optional(),
  started_to: z.iso.date().optional(),
});
export const CaseBoxList = listQuery({
  sortable: ['id', 'number', 'started_at', 'updated_at'] as const,
  defaultSort: ['started_at', 'DESC'],
  filter: CaseBoxFilter,
});

const IdParams = z.object({ id: z.coerce.number().int().positive() });
const DecideBody = z
  .object({
    outcome: z.string().min(1).max(32),
    returnTo: z.string().min(1).max(128).optional(),
    comment: z.string().max(2000).optional(),
    formData: Variables.optional(),
    attachments: Attachments.optional(),
  })
  .refine((b) => b.outcome !== 'return' || b.returnTo, { message: 'is required when the outcome is "return"', path: ['returnTo'] });
const CommentBody = z.object({ comment: z.string().max(2000).optional() });
const ToBody = CommentBody.extend({ to: z.number().int().positive() });
const CopyBody = CommentBody.extend({ to: z.array(z.number().int().positive()).min(1).max(50) });

export function registerTaskRoutes(api: Api, db: Knex, temporal: LazyTemporalClient): void {
  const taskBox = (path: string, summary: string, box: TaskBox, access: 'signed-in' | 'cases:admin' = 'signed-in') =>
    api.add({
      method: 'get',
      path,
      summary,
      tags: ['inbox'],
      access,
      query: TaskList,
      handler: async ({ query, user }) => {
        const page = await listTaskBox(db, box, user, query.filter, query);
        return listResult('tasks', page.rows, page.total, query.offset, page.hasMore);
      },
    });

  taskBox('/api/inbox/todo', 'To do (待办): open tasks the caller holds', 'todo');
  taskBox('/api/inbox/claimable', 'To claim (待签): open, unclaimed tasks offered to the caller’s role in scope or to the caller', 'claimable');
  taskBox('/api/inbox/done', 'Done (已办): tasks the caller decided', 'done');
  taskBox('/api/inbox/unassigned', 'To assign (待分配): open tasks whose process offers them to nobody; administrators assign them (transfer)', 'unassigned', 'cases:admin');

  const caseBox = (path: string, summary: string, list: typeof listStartedCases) =>
    api.add({
      method: 'get',
      path,
      summary,
      tags: ['inbox'],
      access: 'signed-in',
      query: CaseBoxList,
      handler: async ({ query, user }) => {
        const page = await list(db, user, query.filter, query);
        return listResult('cases', page.rows, page.total, query.offset, page.hasMore);
      },
    });
  caseBox('/api/inbox/started', 'Started by me (我发起的)', listStartedCases);
  caseBox('/api/inbox/copied', 'Copied to me (抄送我的)', listCopiedCases);

  api.add({
    method: 'get',
    path: '/api/tasks/:id',
    summary: 'One task, if the caller holds it, is a candidate, or sees its case',
    tags: ['tasks'],
    access: 'signed-in',
    params: IdParams,
    handler: async ({ params, user }) => {
      const task = await loadTask(db, params.id, user);
      // The task's Camunda form (lib/forms), pinned with the case's version: the page renders it.
      // A form of another task application: a link to an external one, or just its key.
      return { ...(await findTaskView(db, params.id)), candidate: task.candidate, form: await caseTaskForm(db, task.case_id, task.node_id), foreign_form: await caseTaskForeignForm(db, task.case_id, task.node_id) };
    },
  });

  api.add({
    method: 'post',
    path: '/api/tasks/:id/decide',
    summary: 'Decide a task: approve, reject, return (退回, with returnTo: an earlier step or "applicant") or another offered outcome',
    tags: ['tasks'],
    action: 'tasks.decide',
    access: 'signed-in',
    params: IdParams,
    body: DecideBody,
    handler: async ({ params, body, user }) => decideOnTask(db, temporal, params.id, user, body),
  });

  const command = (path: string, summary: string, body: z.ZodType, toInput: (b: never) => CommandInput) =>
    api.add({
      method: 'post',
      path,
      summary,
      tags: ['tasks'],
      action: `tasks.${path.split('/').pop()}`,
      access: 'signed-in',
      params: IdParams,
      body,
      handler: async ({ params, body: b, user }) => commandOnTask(db, temporal, params.id, user, toInput(b as never)),
    });
  command('/api/tasks/:id/claim', 'Claim (签收) a task offered to you', CommentBody, () => ({ kind: 'claim' }));
  command('/api/tasks/:id/unclaim', 'Give a claimed task back to its candidates', CommentBody, () => ({ kind: 'unclaim' }));
  command('/api/tasks/:id/transfer', 'Transfer (转办) a task you hold to another user', ToBody, (b: z.output<typeof ToBody>) => ({ kind: 'transfer', to: b.to, comment: b.comment }));
  command('/api/tasks/:id/delegate', 'Delegate (委派) a task: the delegate resolves it back to you', ToBody, (b: z.output<typeof ToBody>) => ({ kind: 'delegate', to: b.to, comment: b.comment }));
  command('/api/tasks/:id/resolve', 'Resolve a task delegated to you, back to its owner', CommentBody, (b: z.output<typeof CommentBody>) => ({ kind: 'resolve', comment: b.comment }));
  command('/api/tasks/:id/add-signer', 'Add a signer (加签): the task also needs their approval', ToBody, (b: z.output<typeof ToBody>) => ({ kind: 'addSigner', to: b.to, comment: b.comment }));
  command('/api/tasks/:id/copy', 'Copy (抄送) the case to people', CopyBody, (b: z.output<typeof CopyBody>) => ({ kind: 'copy', to: b.to, comment: b.comment }));
  command('/api/tasks/:id/remind', 'Remind (催办) the holder of a task by SMS', CommentBody, (b: z.output<typeof CommentBody>) => ({ kind: 'remind', comment: b.comment }));
}
