import type { Knex } from 'knex';
import { FILE_OWNERS, unlinkFiles } from '../../db/files';
import type { LazyTemporalClient } from '../../lib/temporal/client';
import { decideUpdate, taskCommandUpdate, type Attachment, type CaseSnapshot, type TaskCommand, type UserRef } from '../../workflows/case/contract';
import type { SessionUser } from '../auth/sessions';
import { HttpError, conflict, forbidden, notFound, outOfScope } from '../http/errors';
import { copyRecipientProblem, taskRecipientProblem, type CaseParties, type TaskOffer } from '../../lib/cases/recipients';
import { actorOf, sendToCase } from './access';
import { linkCaseFiles } from './files';
import { activeUserRef } from '../../db/accounts';
import { caseParties, caseVariables, caseVisibleTo } from '../../db/cases/cases';
import { caseTaskForm } from '../../lib/approvals/forms';
import { checkFormData } from './form-data';
import { findTaskForAction, isTaskCandidate, taskOffer, type TaskRowForAction } from '../../db/cases/tasks';

/**
 * Task actions: the API decides whether this user may act on this task (from MySQL), then the
 * workflow, as an update, decides whether the task's state allows it. A task the user cannot
 * see answers 404; one they see but may not act on 403; one no longer open 409.
 */
/** The task row (db/cases/tasks.ts) and whether the caller is one of its candidates. */
export type TaskForAction = TaskRowForAction & { candidate: boolean };

export async function loadTask(db: Knex, id: number, user: SessionUser): Promise<TaskForAction> {
  const row = await findTaskForAction(db, id);
  if (!row) throw notFound('Task');
  const candidate = await isTaskCandidate(db, id, user);
  const involved = row.assignee_id === user.id || row.owner_id === user.id || row.completed_by === user.id || candidate;
  if (!involved && !(await caseVisibleTo(db, row.case_id, user))) throw outOfScope('Task', 'task', id);
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
  const u = await activeUserRef(db, userId);
  if (!u) throw new HttpError(422, 'invalid_reference', 'No active user with that id', [{ field, reason: 'no active user with that id' }]);
  return { userId: u.id, username: u.username, displayName: u.display_name, role: u.role, organisationId: u.organisation_id, districtCode: u.district_code, streetCode: u.street_code };
}

/** The case's parties and the task's offer, from MySQL, for the recipient rule (lib/cases/recipients.ts). */
async function recipientContext(db: Knex, task: TaskForAction): Promise<{ parties: CaseParties; offer: TaskOffer }> {
  const c = await caseParties(db, task.case_id);
  return {
    parties: { applicantUserId: c.started_by, scope: { organisationId: c.applicant_organisation_id, districtCode: c.district_code, streetCode: c.street_code } },
    offer: await taskOffer(db, task.id),
  };
}

const invalidRecipient = (ref: UserRef, problem: string, field: string) => new HttpError(422, 'invalid_recipient', `${ref.displayName} ${problem}`, [{ field, reason: problem }]);

const asRecipient = (ref: UserRef) => ({ userId: ref.userId, role: ref.role!, organisationId: ref.organisationId!, districtCode: ref.districtCode ?? null, streetCode: ref.streetCode ?? null });

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
  // A task with a Camunda form takes the form's values, checked as a start's are (a return
  // sends the case back and a supplement has its own form: neither fills this one).
  if (d.outcome !== 'return' && d.outcome !== 'supply') {
    const form = await caseTaskForm(db, task.case_id, task.node_id);
    if (form) d = { ...d, formData: await checkFormData(db, form, d.formData ?? {}, await caseVariables(db, task.case_id)) };
  }
  // The files it names become the case's right before the update (idempotent). If the workflow
  // refuses the decision, the links this call added go again; on an unknown outcome (a timeout)
  // they stay, as the decision may have been taken.
  const linked = await linkCaseFiles(db, task.case_id, user, d, d.outcome === 'supply' ? 'supply' : 'decision');
  try {
    return await sendToCase(async () => (await client(temporal, task.workflow_id)).executeUpdate(decideUpdate, { args: [{ taskKey: task.task_key, actor: actorOf(user), ...d }] }));
  } catch (err) {
    if (err instanceof HttpError) await unlinkFiles(db, { type: FILE_OWNERS.case, id: task.case_id }, linked);
    throw err;
  }
}

export type CommandInput = { kind: 'claim' | 'unclaim' | 'resolve' | 'remind'; comment?: string } | { kind: 'transfer' | 'delegate' | 'addSigner'; to: number; comment?: string } | { kind: 'copy'; to: number[]; comment?: string };

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
      {
        const to = await userRef(db, input.to, 'body.to');
        const { parties, offer } = await recipientContext(db, task);
        const problem = taskRecipientProblem(asRecipient(to), offer, parties);
        if (problem) throw invalidRecipient(to, problem, 'body.to');
        command = { kind: input.kind, taskKey: task.task_key, actor, to, comment: input.comment };
      }
      break;
    case 'copy': {
      mustHold(task, user);
      const to: UserRef[] = [];
      const { parties } = await recipientContext(db, task);
      for (const [i, id] of input.to.entries()) {
        const ref = await userRef(db, id, `body.to.${i}`);
        const problem = copyRecipientProblem(asRecipient(ref), parties);
        if (problem) throw invalidRecipient(ref, problem, `body.to.${i}`);
        to.push(ref);
      }
      command = { kind: 'copy', taskKey: task.task_key, actor, to, comment: input.comment };
      break;
    }
  }
  return sendToCase(async () => (await client(temporal, task.workflow_id)).executeUpdate(taskCommandUpdate, { args: [command] }));
}
