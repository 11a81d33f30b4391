import type { Knex } from 'knex';
import { unionKeyset, unionPage, type Page, type PageParams } from '../paging';
import { containsPattern, prefixPattern } from '../search';
import { CASE_FIELDS, TASK_FIELDS, caseQuery, taskQuery, taskView } from './rows';
import { searchCandidates } from './search';
import { claimableBranches, visibleCaseBranches, type Viewer } from './visibility';

/**
 * Every case and task list (E3, E4): the case list, the inbox boxes. Each is a union of indexed
 * branches cut to the page (db/paging.ts `unionPage`), then one primary-key read of the page's
 * rows with their names. Totals are bounded; a search answers no total beyond its page. The search
 * box finds a case number from its start or any part of the title (db/cases/search.ts).
 */
export interface CaseListFilter {
  q?: string;
  process_key?: string;
  status?: string;
  /** approved, rejected, withdrawn, terminated; `none` for a case without one yet. */
  result?: string;
  district_code?: string;
  /** Beijing calendar days (YYYY-MM-DD), both inclusive: the day a clerk means. */
  started_from?: string;
  started_to?: string;
}

const DAY_MS = 86_400_000;
/** The instant a Beijing calendar day begins (UTC+8 all year). */
export const beijingDayStart = (day: string) => new Date(Date.parse(`${day}T00:00:00+08:00`));

export interface TaskListFilter {
  q?: string;
  process_key?: string;
  district_code?: string;
  overdue?: boolean;
  due_before?: string;
  /** Beijing calendar days (YYYY-MM-DD), both inclusive: when the step arrived. */
  arrived_from?: string;
  arrived_to?: string;
}

export const CASE_SORT = { id: 'c.id', number: 'c.number', started_at: 'c.started_at', updated_at: 'c.updated_at', status: 'c.status' } as const;
export const TASK_SORT = { id: 't.id', created_at: 't.created_at', due_at: 't.due_at', completed_at: 't.completed_at', case_number: 'c.number' } as const;

/** A search term with the cases it can match (null: the index cannot narrow it, scan). */
interface Search {
  term: string;
  candidates: number[] | null;
}

async function searchOf(db: Knex, term: string | undefined): Promise<Search | null> {
  return term ? { term, candidates: await searchCandidates(db, term) } : null;
}

function whereMatches(q: Knex.QueryBuilder, search: Search | null): Knex.QueryBuilder {
  if (!search) return q;
  if (search.candidates) q.whereIn('c.id', search.candidates.length ? search.candidates : [0]);
  return q.where((w) => w.where('c.number', 'like', prefixPattern(search.term)).orWhere('c.title', 'like', containsPattern(search.term)));
}

function filterCases(q: Knex.QueryBuilder, f: CaseListFilter, search: Search | null): Knex.QueryBuilder {
  whereMatches(q, search);
  if (f.process_key) q.where('c.process_key', f.process_key);
  if (f.status) q.where('c.status', f.status);
  if (f.result === 'none') q.whereNull('c.result');
  else if (f.result) q.where('c.result', f.result);
  if (f.district_code) q.where('c.district_code', f.district_code);
  if (f.started_from) q.where('c.started_at', '>=', beijingDayStart(f.started_from));
  if (f.started_to) q.where('c.started_at', '<', new Date(beijingDayStart(f.started_to).getTime() + DAY_MS));
  return q;
}

/** Loads the page's case rows, in page order, with the extra columns a box shows. */
async function caseRows(db: Knex, ids: number[], extra: (q: Knex.QueryBuilder) => Knex.QueryBuilder = (q) => q): Promise<Array<Record<string, unknown>>> {
  if (!ids.length) return [];
  const rows = (await extra(caseQuery(db).select(CASE_FIELDS).whereIn('c.id', ids))) as Array<Record<string, unknown> & { id: number }>;
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  return ids.map((id) => byId.get(id)).filter((r): r is Record<string, unknown> & { id: number } => r !== undefined);
}

/**
 * A list as its indexed branches (each selecting `id` and the sort key `k`) and the loader of its
 * rows: paged for the screen (`pageOfPlan`), walked in full for an export (`walkPlan`). One plan
 * per list, so the screen and its Excel ledger can never disagree on what the filter matches.
 */
export interface ListPlan<T> {
  branches: Knex.QueryBuilder[];
  direction: 'asc' | 'desc';
  /** Whether a bounded total is worth counting (a search answers none beyond its page). */
  count: boolean;
  /** Sorted by the row's id itself (the export's cursor then needs one column). */
  keyIsId?: boolean;
  rows(ids: number[]): Promise<T[]>;
}

export type ListSort = PageParams['sort'];

async function pageOfPlan<T>(db: Knex, plan: ListPlan<T>, params: PageParams): Promise<Page<T>> {
  const page = await unionPage(db, plan.branches, { direction: plan.direction, offset: params.offset, limit: params.limit }, { count: plan.count });
  return { rows: await plan.rows(page.ids), total: page.total, hasMore: page.hasMore };
}

/** Every row of a plan in its order, a chunk at a time, at most `max` (exports). */
export async function* walkPlan<T>(db: Knex, plan: ListPlan<T>, opts: { chunk?: number; max: number }): AsyncGenerator<T[]> {
  for await (const ids of unionKeyset(db, plan.branches, plan.direction, { chunk: opts.chunk ?? 500, max: opts.max, keyIsId: plan.keyIsId })) yield await plan.rows(ids);
}

const caseSortColumn = (sort: ListSort) => CASE_SORT[sort[0] as keyof typeof CASE_SORT] ?? 'c.started_at';
const directionOf = (sort: ListSort) => sort[1].toLowerCase() as 'asc' | 'desc';

/** The case list: every case the viewer may see (scope, started, held, done, copied). */
export async function planVisibleCases(db: Knex, viewer: Viewer, filter: CaseListFilter, sort: ListSort): Promise<ListPlan<Record<string, unknown>>> {
  const search = await searchOf(db, filter.q);
  const branches = visibleCaseBranches(db, viewer, caseSortColumn(sort), (q) => filterCases(q, filter, search));
  return { branches, direction: directionOf(sort), count: !filter.q, keyIsId: caseSortColumn(sort) === 'c.id', rows: (ids) => caseRows(db, ids) };
}

/** 我发起的: the cases the viewer started. */
export async function planStartedCases(db: Knex, viewer: Viewer, filter: CaseListFilter, sort: ListSort): Promise<ListPlan<Record<string, unknown>>> {
  const branch = filterCases(
    db('cases as c')
      .select('c.id as id', `${caseSortColumn(sort)} as k`)
      .where('c.started_by', viewer.id),
    filter,
    await searchOf(db, filter.q),
  );
  return { branches: [branch], direction: directionOf(sort), count: !filter.q, keyIsId: caseSortColumn(sort) === 'c.id', rows: (ids) => caseRows(db, ids) };
}

/** 抄送我的: the cases the viewer was copied on, with who copied them and when. */
export async function planCopiedCases(db: Knex, viewer: Viewer, filter: CaseListFilter, sort: ListSort): Promise<ListPlan<Record<string, unknown>>> {
  const branch = filterCases(
    db('case_copies as cc')
      .join('cases as c', 'c.id', 'cc.case_id')
      .where('cc.user_id', viewer.id)
      .select('c.id as id', `${caseSortColumn(sort)} as k`),
    filter,
    await searchOf(db, filter.q),
  );
  const rows = (ids: number[]) =>
    caseRows(db, ids, (q) => q.join('case_copies as cc', (j) => j.on('cc.case_id', 'c.id').andOn('cc.user_id', db.raw('?', [viewer.id]))).select('cc.at as copied_at', 'cc.from_user_id as copied_by', 'cc.read_at'));
  return { branches: [branch], direction: directionOf(sort), count: !filter.q, keyIsId: caseSortColumn(sort) === 'c.id', rows };
}

export type CasePlanner = typeof planVisibleCases;

export const listVisibleCases = async (db: Knex, viewer: Viewer, filter: CaseListFilter, params: PageParams) => pageOfPlan(db, await planVisibleCases(db, viewer, filter, params.sort), params);
export const listStartedCases = async (db: Knex, viewer: Viewer, filter: CaseListFilter, params: PageParams) => pageOfPlan(db, await planStartedCases(db, viewer, filter, params.sort), params);
export const listCopiedCases = async (db: Knex, viewer: Viewer, filter: CaseListFilter, params: PageParams) => pageOfPlan(db, await planCopiedCases(db, viewer, filter, params.sort), params);

function filterTasks(db: Knex, q: Knex.QueryBuilder, f: TaskListFilter, search: Search | null): Knex.QueryBuilder {
  whereMatches(q, search);
  if (f.process_key) q.where('c.process_key', f.process_key);
  if (f.district_code) q.where('c.district_code', f.district_code);
  if (f.overdue === true) q.whereNotNull('t.due_at').where('t.due_at', '<', db.raw('UTC_TIMESTAMP(3)'));
  if (f.overdue === false) q.where((w) => w.whereNull('t.due_at').orWhere('t.due_at', '>=', db.raw('UTC_TIMESTAMP(3)')));
  if (f.due_before) q.where('t.due_at', '<', new Date(f.due_before));
  if (f.arrived_from) q.where('t.created_at', '>=', beijingDayStart(f.arrived_from));
  if (f.arrived_to) q.where('t.created_at', '<', new Date(beijingDayStart(f.arrived_to).getTime() + DAY_MS));
  return q;
}

const needsCase = (f: TaskListFilter, sortColumn: string) => Boolean(f.q || f.process_key || f.district_code) || sortColumn.startsWith('c.');

async function taskRows(db: Knex, ids: number[]): Promise<Array<ReturnType<typeof taskView>>> {
  if (!ids.length) return [];
  const rows = (await taskQuery(db).select(TASK_FIELDS(db)).whereIn('t.id', ids)) as Array<Record<string, unknown> & { id: number }>;
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  return ids.flatMap((id) => (byId.has(id) ? [taskView(byId.get(id)!)] : []));
}

export type TaskBox = 'todo' | 'done' | 'claimable' | 'unassigned';

/**
 * An inbox box of tasks: 待办 (open, held by the viewer), 已办 (completed by the viewer), 待签
 * (open, unclaimed, offered to the viewer or their role in scope), 待分配 (open tasks offered to
 * nobody, for administrators to assign; the route checks the permission).
 */
export async function planTaskBox(db: Knex, box: TaskBox, viewer: Viewer, filter: TaskListFilter, sort: ListSort): Promise<ListPlan<ReturnType<typeof taskView>>> {
  const sortColumn = TASK_SORT[sort[0] as keyof typeof TASK_SORT] ?? 't.created_at';
  const withCase = needsCase(filter, sortColumn);
  const search = await searchOf(db, filter.q);
  let branches: Knex.QueryBuilder[];
  if (box === 'claimable') {
    // The claimable marker is the task's creation time: sorting by it needs no join.
    const ownKey = sortColumn === 't.created_at' ? null : sortColumn;
    const joinTask = ownKey !== null || withCase || filter.overdue !== undefined || Boolean(filter.due_before || filter.arrived_from || filter.arrived_to);
    branches = claimableBranches(db, viewer, ownKey, (q) => {
      if (!joinTask) return q;
      q.join('case_tasks as t', 't.id', 'tc.task_id');
      if (withCase) q.join('cases as c', 'c.id', 't.case_id');
      return filterTasks(db, q, filter, search);
    });
  } else {
    const q = db('case_tasks as t').select('t.id as id', `${sortColumn} as k`);
    if (withCase) q.join('cases as c', 'c.id', 't.case_id');
    if (box === 'todo') q.where('t.status', 'open').where('t.assignee_id', viewer.id);
    else if (box === 'unassigned') q.where('t.pooled', true).where('t.status', 'open').whereNull('t.assignee_id');
    else q.where('t.completed_by', viewer.id);
    branches = [filterTasks(db, q, filter, search)];
  }
  return { branches, direction: directionOf(sort), count: !filter.q, keyIsId: sortColumn === 't.id', rows: (ids) => taskRows(db, ids) };
}

export async function listTaskBox(db: Knex, box: TaskBox, viewer: Viewer, filter: TaskListFilter, params: PageParams): Promise<Page<ReturnType<typeof taskView>>> {
  return pageOfPlan(db, await planTaskBox(db, box, viewer, filter, params.sort), params);
}
