import type { Knex } from 'knex';
import type { Role, Scope } from '../../lib/roles';
import { whereInScope } from '../scope';

/**
 * Who reaches which case and task — the rule, in the two shapes its callers need.
 *
 * A case is visible to a user within their scope (city; own district or street; own organisation
 * as applicant), to whoever started it, and to its participants: whoever holds or held one of its
 * tasks or was copied on it (case_participants, kept by the case writer: db/cases/access-rows.ts).
 * A task is offered to its candidate users and to its candidate groups (roles) within the scope
 * stored on the candidate row.
 *
 * - `whereCaseVisible` is a predicate for one row or a join (a file's case, a task's case): the
 *   participant test is a primary-key lookup there.
 * - `visibleCaseBranches` is the same rule as a union of indexed branches, for lists: an OR of
 *   the three reasons cannot use any index, each branch alone reads one in order.
 */
export interface Viewer {
  id: number;
  role: Role;
  scope: Scope;
  organisationId: number;
  districtCode: string | null;
  streetCode: string | null;
}

export const CASE_SCOPE = { organisationId: 'c.applicant_organisation_id', districtCode: 'c.district_code', streetCode: 'c.street_code' };

export function whereCaseVisible(q: Knex.QueryBuilder, viewer: Viewer): Knex.QueryBuilder {
  // City-wide roles see every case (an empty scope clause would otherwise vanish from the OR).
  if (viewer.scope.kind === 'city') return q;
  return q.where((w) => {
    if (viewer.scope.kind !== 'none') w.where((scoped) => void whereInScope(scoped, viewer.scope, CASE_SCOPE));
    w.orWhere('c.started_by', viewer.id).orWhereExists((p) => p.select(p.client.raw('1')).from('case_participants as vp').where('vp.user_id', viewer.id).whereRaw('vp.case_id = c.id'));
  });
}

/**
 * The branches of the visibility rule, each selecting `id` and the sort key `k`, with `filter`
 * applied to each (it may only name `c.` columns). `sortColumn` is a `c.` column; for the case's
 * start time the participant branch reads its own copy, which its index holds in order.
 */
export function visibleCaseBranches(db: Knex, viewer: Viewer, sortColumn: string, filter: (q: Knex.QueryBuilder) => Knex.QueryBuilder): Knex.QueryBuilder[] {
  const fromCases = () => db('cases as c').select('c.id as id', `${sortColumn} as k`);
  if (viewer.scope.kind === 'city') return [filter(fromCases())];
  const branches: Knex.QueryBuilder[] = [];
  if (viewer.scope.kind !== 'none') branches.push(filter(whereInScope(fromCases(), viewer.scope, CASE_SCOPE)));
  branches.push(filter(fromCases().where('c.started_by', viewer.id)));
  const participantKey = sortColumn === 'c.started_at' ? 'p.started_at' : sortColumn;
  branches.push(filter(db('case_participants as p').join('cases as c', 'c.id', 'p.case_id').where('p.user_id', viewer.id).select('c.id as id', `${participantKey} as k`)));
  return branches;
}

/** Candidate rows (alias tc) naming the viewer: by user id, or by role within the row's scope. */
export function whereCandidateOf(q: Knex.QueryBuilder, viewer: Viewer): Knex.QueryBuilder {
  return q.where((w) => {
    w.where((u) => u.where('tc.kind', 'user').where('tc.value', String(viewer.id))).orWhere((g) => void whereGroupCandidate(g, viewer));
  });
}

function whereGroupCandidate(g: Knex.QueryBuilder, viewer: Viewer): Knex.QueryBuilder {
  return g
    .where('tc.kind', 'group')
    .where('tc.value', viewer.role)
    .where((d) => d.whereNull('tc.district_code').orWhere('tc.district_code', viewer.districtCode ?? ''))
    .where((s) => s.whereNull('tc.street_code').orWhere('tc.street_code', viewer.streetCode ?? ''))
    .where((o) => o.whereNull('tc.organisation_id').orWhere('tc.organisation_id', viewer.organisationId));
}

/** Tasks (alias t) the viewer is a candidate of. */
export function whereTaskCandidate(db: Knex, q: Knex.QueryBuilder, viewer: Viewer): Knex.QueryBuilder {
  return q.whereExists(whereCandidateOf(db('case_task_candidates as tc').select(db.raw('1')).whereRaw('tc.task_id = t.id'), viewer));
}

/**
 * The 待签 box as branches over the claimable marker (db/cases/access-rows.ts): the viewer's own
 * candidate rows and their role's rows in scope, each an index range in claim order. Each
 * selects `id` (the task) and `k`; `withTask` joins the task and its case when a filter or a sort
 * needs their columns.
 */
export function claimableBranches(db: Knex, viewer: Viewer, sortColumn: string | null, withTask: (q: Knex.QueryBuilder) => Knex.QueryBuilder): Knex.QueryBuilder[] {
  const base = () => {
    const q = db('case_task_candidates as tc')
      .whereNotNull('tc.claimable_since')
      .select('tc.task_id as id', `${sortColumn ?? 'tc.claimable_since'} as k`);
    return withTask(q);
  };
  // The role's rows split by district (anywhere, or the viewer's own), so each branch reads one
  // range of (kind, value, district_code, claimable_since) in order; together they are the OR.
  const groupRows = (district: string | null) =>
    base()
      .where('tc.kind', 'group')
      .where('tc.value', viewer.role)
      .where((d) => (district === null ? d.whereNull('tc.district_code') : d.where('tc.district_code', district)))
      .where((s) => s.whereNull('tc.street_code').orWhere('tc.street_code', viewer.streetCode ?? ''))
      .where((o) => o.whereNull('tc.organisation_id').orWhere('tc.organisation_id', viewer.organisationId));
  return [base().where('tc.kind', 'user').where('tc.value', String(viewer.id)), groupRows(null), ...(viewer.districtCode ? [groupRows(viewer.districtCode)] : [])];
}
