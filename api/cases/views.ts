import type { Knex } from 'knex';
import type { ProcessGraph } from '../../lib/bpmn/graph';
import type { Role } from '../../lib/roles';

/** Shapes of case and task rows as the API returns them, shared by the case and task routes. */
const STAFF_ROLES: readonly Role[] = ['sysadmin', 'city_staff', 'city_leader', 'admin_centre', 'district_staff', 'street_office'];
export const isStaff = (role: Role) => STAFF_ROLES.includes(role);

export const CASE_FIELDS = [
  'c.id',
  'c.number',
  'c.title',
  'c.process_key',
  'c.process_version',
  'c.status',
  'c.result',
  'c.applicant_organisation_id',
  'ao.name as applicant_name',
  'c.district_code',
  'c.street_code',
  'c.started_by',
  'su.display_name as started_by_name',
  'c.current_steps',
  'c.started_at',
  'c.ended_at',
  'c.updated_at',
];

export function caseQuery(db: Knex): Knex.QueryBuilder {
  return db('cases as c').join('organisations as ao', 'ao.id', 'c.applicant_organisation_id').join('users as su', 'su.id', 'c.started_by');
}

export const TASK_FIELDS = (db: Knex) => [
  't.id',
  't.task_key',
  't.node_id',
  't.name',
  't.kind',
  't.status',
  't.assignee_id',
  'ua.display_name as assignee_name',
  't.owner_id',
  't.candidate_groups',
  't.outcomes',
  't.due_at',
  db.raw("(t.status = 'open' AND t.due_at IS NOT NULL AND t.due_at < UTC_TIMESTAMP(3)) AS overdue"),
  't.created_at',
  't.claimed_at',
  't.completed_at',
  't.completed_by',
  't.outcome',
  't.comment',
  'c.id as case_id',
  'c.number as case_number',
  'c.title as case_title',
  'c.process_key',
  'c.district_code',
  'c.status as case_status',
];

export function taskQuery(db: Knex): Knex.QueryBuilder {
  return db('case_tasks as t').join('cases as c', 'c.id', 't.case_id').leftJoin('users as ua', 'ua.id', 't.assignee_id');
}

/** Normalises MySQL's 0/1 into booleans and comma lists into arrays. */
export function taskView<T extends Record<string, unknown>>(row: T) {
  return {
    ...row,
    overdue: Boolean(row.overdue),
    candidate_groups: String(row.candidate_groups ?? '').split(',').filter(Boolean),
    outcomes: String(row.outcomes ?? '').split(',').filter(Boolean),
  };
}

/** Variables the caller may see: applicant-side users do not see a process's internal ones. */
export function visibleVariables(variables: Record<string, unknown>, graph: ProcessGraph | null, role: Role): Record<string, unknown> {
  if (isStaff(role)) return variables;
  const internal = new Set(graph?.options.internalVariables ?? []);
  return Object.fromEntries(Object.entries(variables).filter(([name]) => !name.startsWith('_') && !internal.has(name)));
}

/** History kinds that mean the token went through the element (the viewer marks it done). */
export const COMPLETING_KINDS = [
  'started',
  'node_passed',
  'task_completed',
  'countersign_completed',
  'countersign_empty',
  'timer_fired',
  'message_consumed',
  'service_completed',
  'message_sent',
  'end_reached',
  'terminated_by_end',
];
