import type { Knex } from 'knex';
import { isRole } from '../../lib/roles';
import { candidateScope } from '../../lib/cases/candidate-scope';
import type { ChangeBatch, ChangeBatchResult, NewTaskRow, TaskRowPatch } from '../../lib/cases/changes';
import { refreshClaimable, refreshParticipants } from './access-rows';
import { activeHolderExists, activeUserIdsByUsername } from '../accounts';
import { writeJobChanges } from './jobs';

const toDate = (iso: string | null | undefined) => (iso ? new Date(iso) : null);

/**
 * The case writer: the only code that writes the case read model (cases' progress, case_tasks,
 * case_task_candidates, case_history, case_copies, case_message_subscriptions, case_jobs and the derived
 * access rows). It applies one batch of the case workflow's changes in one transaction.
 * Idempotent: rows are inserted with "insert … ignore" on keys the workflow chose (case + task
 * key, case + seq), updates set absolute values, and the access rows are recomputed from the
 * tasks and copies, so a retry after a lost reply writes nothing twice.
 */
export async function applyCaseChanges(db: Knex, batch: ChangeBatch): Promise<ChangeBatchResult> {
  return db.transaction(async (trx) => {
    const result: ChangeBatchResult = { assignees: {}, candidateUserIds: {} };
    if (batch.newTasks?.length) await insertTasks(trx, batch, batch.newTasks, result);
    for (const patch of batch.taskPatches ?? []) await patchTask(trx, batch.caseId, patch);
    if (batch.history?.length) {
      await trx('case_history')
        .insert(
          batch.history.map((h) => ({
            case_id: batch.caseId,
            seq: h.seq,
            at: new Date(h.at),
            kind: h.kind,
            node_id: h.nodeId ?? null,
            task_key: h.taskKey ?? null,
            actor_id: h.actorId ?? null,
            actor_name: h.actorName?.slice(0, 64) ?? null,
            outcome: h.outcome ?? null,
            comment: h.comment ?? null,
            data: h.data && Object.keys(h.data).length ? JSON.stringify(h.data) : null,
          })),
        )
        .onConflict(['case_id', 'seq'])
        .ignore();
    }
    if (batch.copies?.userIds.length) {
      const { userIds, fromUserId, taskKey, at } = batch.copies;
      await trx('case_copies')
        .insert(userIds.map((userId) => ({ case_id: batch.caseId, user_id: userId, from_user_id: fromUserId, task_key: taskKey, at: new Date(at) })))
        .onConflict(['case_id', 'user_id'])
        .ignore();
    }
    for (const s of batch.subscriptions ?? []) {
      await trx('case_message_subscriptions')
        .insert({ case_id: batch.caseId, node_id: s.nodeId, message_name: s.messageName, correlation_key: s.correlationKey.slice(0, 128), open: s.open, kind: s.kind ?? 'message' })
        .onConflict(['case_id', 'node_id'])
        .merge(['message_name', 'correlation_key', 'open', 'kind']);
    }
    if (batch.jobs?.length) await writeJobChanges(trx, batch.caseId, batch.jobs);
    if (batch.caseRow) {
      const c = batch.caseRow;
      const row: Record<string, unknown> = { updated_at: new Date() };
      if (c.status !== undefined) row.status = c.status;
      if (c.result !== undefined) row.result = c.result;
      if (c.currentSteps !== undefined) row.current_steps = c.currentSteps || null;
      if (c.activeNodes !== undefined) row.active_nodes = JSON.stringify(c.activeNodes);
      if (c.variables !== undefined) row.variables = JSON.stringify(c.variables);
      if (c.endedAt !== undefined) row.ended_at = new Date(c.endedAt);
      if (c.incident !== undefined) {
        row.incident_node_id = c.incident?.nodeId ?? null;
        row.incident_message = c.incident ? c.incident.message.slice(0, 2000) : null;
        row.incident_at = c.incident ? new Date(c.incident.at) : null;
      }
      await trx('cases').where('id', batch.caseId).update(row);
    }
    // Who may see the case and who may claim its tasks follow from the rows just written.
    if (batch.newTasks?.length || batch.taskPatches?.length || batch.copies?.userIds.length) {
      await refreshParticipants(trx, batch.caseId);
      await refreshClaimable(trx, batch.caseId);
    }
    return result;
  });
}

async function insertTasks(trx: Knex.Transaction, batch: ChangeBatch, tasks: NewTaskRow[], result: ChangeBatchResult): Promise<void> {
  const usernames = [...new Set(tasks.flatMap((t) => [...(t.assigneeUsername ? [t.assigneeUsername] : []), ...t.candidateUsernames]))];
  const ids = await activeUserIdsByUsername(trx, usernames);
  await trx('case_tasks')
    .insert(
      tasks.map((t) => ({
        case_id: batch.caseId,
        task_key: t.key,
        node_id: t.nodeId,
        name: t.name.slice(0, 128),
        kind: t.kind,
        status: 'open',
        assignee_id: t.assigneeId ?? (t.assigneeUsername ? (ids.get(t.assigneeUsername) ?? null) : null),
        candidate_groups: t.candidateGroups.join(',').slice(0, 255),
        candidate_users: t.candidateUsernames.join(',').slice(0, 255),
        outcomes: t.outcomes.join(',').slice(0, 255),
        // Offered to nobody: the 待分配 pool administrators assign from (db/cases/lists.ts).
        pooled: !t.assigneeId && !t.assigneeUsername && t.candidateGroups.length === 0 && t.candidateUsernames.length === 0,
        due_at: toDate(t.dueAt),
        created_at: new Date(t.createdAt),
      })),
    )
    .onConflict(['case_id', 'task_key'])
    .ignore();
  const rows = (await trx('case_tasks')
    .where('case_id', batch.caseId)
    .whereIn(
      'task_key',
      tasks.map((t) => t.key),
    )
    .select('id', 'task_key', 'assignee_id')) as Array<{ id: number; task_key: string; assignee_id: number | null }>;
  const byKey = new Map(rows.map((r) => [r.task_key, r]));
  const candidates: Array<Record<string, unknown>> = [];
  for (const t of tasks) {
    const row = byKey.get(t.key)!;
    result.assignees[t.key] = row.assignee_id;
    const userIds = t.candidateUsernames.map((u) => ids.get(u)).filter((id): id is number => id !== undefined);
    result.candidateUserIds[t.key] = userIds;
    for (const group of t.candidateGroups) {
      if (!isRole(group)) continue;
      candidates.push({ task_id: row.id, kind: 'group', value: group, ...candidateScope(group, batch.scope) });
    }
    for (const id of userIds) candidates.push({ task_id: row.id, kind: 'user', value: String(id), district_code: null, street_code: null, organisation_id: null });
    // A task only groups can take, and nobody of them in the case's area: the workflow raises an incident.
    if (t.candidateGroups.length && row.assignee_id === null && userIds.length === 0) {
      let held = false;
      for (const group of t.candidateGroups) if (isRole(group) && (held = await activeHolderExists(trx, group, candidateScope(group, batch.scope)))) break;
      (result.groupHeld ??= {})[t.key] = held;
    }
  }
  if (candidates.length) await trx('case_task_candidates').insert(candidates).onConflict(['task_id', 'kind', 'value']).ignore();
}

async function patchTask(trx: Knex.Transaction, caseId: number, p: TaskRowPatch): Promise<void> {
  const row: Record<string, unknown> = {};
  if (p.status !== undefined) row.status = p.status;
  if (p.assigneeId !== undefined) row.assignee_id = p.assigneeId;
  if (p.ownerId !== undefined) row.owner_id = p.ownerId;
  if (p.claimedAt !== undefined) row.claimed_at = toDate(p.claimedAt);
  if (p.completedAt !== undefined) row.completed_at = toDate(p.completedAt);
  if (p.completedBy !== undefined) row.completed_by = p.completedBy;
  if (p.outcome !== undefined) row.outcome = p.outcome;
  if (p.comment !== undefined) row.comment = p.comment;
  if (p.dueAt !== undefined) row.due_at = toDate(p.dueAt);
  if (Object.keys(row).length) await trx('case_tasks').where({ case_id: caseId, task_key: p.key }).update(row);
}
