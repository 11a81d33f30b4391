import type { Knex } from 'knex';

/** Shapes of case and task rows as lists and pages return them (joined with their names). */
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
  't.pooled',
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
  'c.result as case_result',
];

export function taskQuery(db: Knex): Knex.QueryBuilder {
  return db('case_tasks as t').join('cases as c', 'c.id', 't.case_id').leftJoin('users as ua', 'ua.id', 't.assignee_id');
}

/** Normalises MySQL's 0/1 into booleans and comma lists into arrays. */
export function taskView<T extends Record<string, unknown>>(row: T) {
  return {
    ...row,
    overdue: Boolean(row.overdue),
    pooled: Boolean(row.pooled),
    candidate_groups: String(row.candidate_groups ?? '')
      .split(',')
      .filter(Boolean),
    outcomes: String(row.outcomes ?? '')
      .split(',')
      .filter(Boolean),
  };
}
