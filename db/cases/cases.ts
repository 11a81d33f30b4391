import type { Knex } from 'knex';
import { TOTAL_BOUND, pageOf, type Page, type PageParams } from '../paging';
import { CASE_FIELDS, TASK_FIELDS, caseQuery, taskQuery, taskView } from './rows';
import { writeTitleGrams } from './search';
import { whereCaseVisible, type Viewer } from './visibility';

/**
 * The case rows outside the workflow's writer (db/cases/writer.ts): the row the start route
 * creates before the workflow exists, and the reads of one case — its page, history, diagram
 * marks, the public lookup and message correlation.
 */
type Db = Knex | Knex.Transaction;

export interface NewCaseRow {
  number: string;
  process_key: string;
  process_version: number;
  title: string;
  applicant_organisation_id: number;
  district_code: string | null;
  street_code: string | null;
  started_by: number;
  check_code: string;
  variables: Record<string, unknown>;
  /** A child case (call activity): its parent and the key the parent's workflow gave it. */
  parent_case_id?: number;
  parent_key?: string;
}

/** Inserts a starting case under a placeholder workflow id (the id needs the row's). */
export async function insertStartingCase(trx: Knex.Transaction, row: NewCaseRow): Promise<number> {
  const [id] = await trx('cases').insert({ ...row, workflow_id: `pending-${row.number}`, status: 'running', variables: JSON.stringify(row.variables) });
  await writeTitleGrams(trx, id as number, row.title);
  return id as number;
}

export async function setCaseWorkflowId(trx: Knex.Transaction, caseId: number, workflowId: string): Promise<void> {
  await trx('cases').where('id', caseId).update({ workflow_id: workflowId });
}

/** The child case a parent's call activity created under this key, if it already did (idempotent retries). */
export async function findChildCase(db: Db, parentCaseId: number, parentKey: string): Promise<{ id: number; number: string; workflow_id: string; process_version: number; variables: string } | undefined> {
  return db('cases').where({ parent_case_id: parentCaseId, parent_key: parentKey }).first('id', 'number', 'workflow_id', 'process_version', 'variables');
}

/** What a child case needs of its parent: who applied, for whom and where. */
export async function parentOfChild(db: Db, caseId: number): Promise<{ number: string; started_by: number; applicant_organisation_id: number; district_code: string | null; street_code: string | null; username: string } | undefined> {
  return db('cases as c').join('users as u', 'u.id', 'c.started_by').where('c.id', caseId).first('c.number', 'c.started_by', 'c.applicant_organisation_id', 'c.district_code', 'c.street_code', 'u.username');
}

/** A case's parent and children (call activities) the viewer may see, for its page; a case has few children. */
export async function linkedCases(db: Knex, caseId: number, viewer: Viewer): Promise<{ parent: Record<string, unknown> | null; children: Array<Record<string, unknown>> }> {
  const fields = ['c.id', 'c.number', 'c.title', 'c.process_key', 'c.status', 'c.result'];
  const row = (await db('cases').where('id', caseId).first('parent_case_id')) as { parent_case_id: number | null } | undefined;
  const parent = row?.parent_case_id ? ((await whereCaseVisible(db('cases as c').where('c.id', row.parent_case_id), viewer).first(fields)) as Record<string, unknown> | undefined) : undefined;
  const children = (await whereCaseVisible(db('cases as c').where('c.parent_case_id', caseId), viewer).orderBy('c.id').limit(500).select(fields)) as Array<Record<string, unknown>>;
  return { parent: parent ?? null, children };
}

/** Removes a case whose workflow never started (nothing else references it yet). */
export async function deleteUnstartedCase(db: Db, caseId: number): Promise<void> {
  await db('case_title_grams').where('case_id', caseId).delete();
  await db('cases').where('id', caseId).delete();
}

export type VisibleCase = Record<string, unknown> & {
  id: number;
  workflow_id: string;
  started_by: number;
  applicant_organisation_id: number;
  process_key: string;
  process_version: number;
  variables: string | null;
  active_nodes: string | null;
};

/** One case with what its page needs, if the viewer may see it. */
export async function findVisibleCase(db: Knex, id: number, viewer: Viewer): Promise<VisibleCase | undefined> {
  return (await whereCaseVisible(caseQuery(db).select([...CASE_FIELDS, 'c.workflow_id', 'c.variables', 'c.active_nodes', 'c.check_code']), viewer)
    .where('c.id', id)
    .first()) as VisibleCase | undefined;
}

/** Whether the viewer may see the case (files, documents and tasks check it). */
export async function caseVisibleTo(db: Knex, caseId: number, viewer: Viewer): Promise<boolean> {
  return Boolean(await whereCaseVisible(db('cases as c').select('c.id'), viewer).where('c.id', caseId).first());
}

/** The case's parties, for the recipient rule of task commands. */
export async function caseParties(db: Knex, caseId: number): Promise<{ started_by: number; applicant_organisation_id: number; district_code: string | null; street_code: string | null }> {
  return (await db('cases').where('id', caseId).first('started_by', 'applicant_organisation_id', 'district_code', 'street_code')) as {
    started_by: number;
    applicant_organisation_id: number;
    district_code: string | null;
    street_code: string | null;
  };
}

/** The case's open tasks with their holders, for its page. */
export async function openTasksOfCase(db: Knex, caseId: number): Promise<Array<ReturnType<typeof taskView>>> {
  return ((await taskQuery(db).select(TASK_FIELDS(db)).where('t.case_id', caseId).where('t.status', 'open').orderBy('t.id')) as Array<Record<string, unknown>>).map(taskView);
}

/** The open 补正 task a returned case waits on, if any. */
export async function openSupplementTaskId(db: Knex, caseId: number): Promise<number | null> {
  const row = (await db('case_tasks').where({ case_id: caseId, kind: 'supplement', status: 'open' }).first('id')) as { id: number } | undefined;
  return row?.id ?? null;
}

export type HistoryRow = { id: number; seq: number; at: Date; kind: string; data: string | null } & Record<string, unknown>;

/** A page of a case's history (a case has tens to hundreds of entries; the unique (case_id, seq) key orders them). */
export async function caseHistoryPage(db: Knex, caseId: number, filter: { kind?: string }, params: PageParams): Promise<Page<HistoryRow>> {
  // Everyone by their name as the account has it now: a start was written with the username.
  const q = db('case_history as h')
    .leftJoin('users as hu', 'hu.id', 'h.actor_id')
    .where('h.case_id', caseId)
    .select('h.id', 'h.seq', 'h.at', 'h.kind', 'h.node_id', 'h.task_key', 'h.actor_id', db.raw("COALESCE(NULLIF(hu.display_name, ''), h.actor_name) AS actor_name"), 'h.outcome', 'h.comment', 'h.data');
  if (filter.kind) q.where('h.kind', filter.kind);
  return pageOf<HistoryRow>(q, params, { seq: 'h.seq', at: 'h.at' }, 'h.id');
}

/** The elements a case's tokens went through, and those with an overdue open task (the viewer's marks). */
export async function diagramMarks(db: Knex, caseId: number, completingKinds: readonly string[]): Promise<{ completed: string[]; overdue: string[]; ended: string[] }> {
  const completed = (await db('case_history').where('case_id', caseId).whereIn('kind', completingKinds).whereNotNull('node_id').distinct('node_id').pluck('node_id')) as string[];
  const overdue = (await db('case_tasks').where({ case_id: caseId, status: 'open' }).where('due_at', '<', db.raw('UTC_TIMESTAMP(3)')).distinct('node_id').pluck('node_id')) as string[];
  // Where the case finished (end events, or the step that rejected it), so its diagram can mark it with the result.
  const ended = (await db('case_history').where('case_id', caseId).whereIn('kind', END_KINDS).whereNotNull('node_id').distinct('node_id').pluck('node_id')) as string[];
  return { completed, overdue, ended };
}

/** The history entries of where a case ended: an end event reached, or the step whose reviewer (or deadline) rejected it. */
const END_KINDS = ['end_reached', 'error_end_reached', 'terminated_by_end', 'rejected'];

/**
 * The cases an outside event is for: those waiting at a message catch event with this name and
 * correlation key, else a running case whose number is the key. Bounded: a key names few cases.
 */
export async function casesAwaitingMessage(db: Knex, name: string, correlationKey: string): Promise<Array<{ id: number; workflow_id: string; subscribed: boolean }>> {
  const waiting = (await db('case_message_subscriptions as s')
    .join('cases as c', 'c.id', 's.case_id')
    .where({ 's.message_name': name, 's.correlation_key': correlationKey, 's.open': true })
    .distinct('c.id', 'c.workflow_id')
    .limit(TOTAL_BOUND)) as Array<{ id: number; workflow_id: string }>;
  if (waiting.length) return waiting.map((w) => ({ ...w, subscribed: true }));
  const byNumber = (await db('cases').where('number', correlationKey).whereIn('status', ['running', 'supplement']).select('id', 'workflow_id')) as Array<{ id: number; workflow_id: string }>;
  return byNumber.map((w) => ({ ...w, subscribed: false }));
}

/**
 * The running cases subscribed to a signal now (a catch event or a task's boundary waiting for
 * it), by case id after `afterId`, one bounded page: a broadcast walks the pages.
 */
export async function casesAwaitingSignal(db: Knex, name: string, afterId: number, limit: number): Promise<Array<{ id: number; workflow_id: string }>> {
  return (await db('case_message_subscriptions as s')
    .join('cases as c', 'c.id', 's.case_id')
    .where({ 's.kind': 'signal', 's.message_name': name, 's.open': true })
    .where('s.case_id', '>', afterId)
    .whereIn('c.status', ['running', 'supplement'])
    .distinct('c.id', 'c.workflow_id')
    .orderBy('c.id')
    .limit(Math.min(limit, TOTAL_BOUND))) as Array<{ id: number; workflow_id: string }>;
}

/** What the public lookup shows of a case, with the check code to compare. */
export async function publicCaseByNumber(db: Knex, number: string): Promise<(Record<string, unknown> & { check_code: string }) | undefined> {
  return (await db('cases').where('number', number).first('number', 'title', 'status', 'result', 'current_steps', 'started_at', 'ended_at', 'check_code')) as (Record<string, unknown> & { check_code: string }) | undefined;
}

/** Where a case's tasks are scoped (the applicant organisation and place), for SMS to a task's holders. */
export async function caseScopeOf(db: Knex, caseId: number): Promise<{ applicant_organisation_id: number; district_code: string | null; street_code: string | null } | undefined> {
  return (await db('cases').where('id', caseId).first('applicant_organisation_id', 'district_code', 'street_code')) as { applicant_organisation_id: number; district_code: string | null; street_code: string | null } | undefined;
}

/** The process version a case runs (pinned at its start). */
export async function caseProcessVersion(db: Db, caseId: number): Promise<{ process_key: string; process_version: number } | undefined> {
  return (await db('cases').where('id', caseId).first('process_key', 'process_version')) as { process_key: string; process_version: number } | undefined;
}

/** The variables the case's row last recorded (its workflow writes them at every step). */
export async function caseVariables(db: Db, caseId: number): Promise<Record<string, unknown>> {
  const row = (await db('cases').where('id', caseId).first('variables')) as { variables: string | object | null } | undefined;
  const v = row?.variables;
  return (typeof v === 'string' ? JSON.parse(v) : (v ?? {})) as Record<string, unknown>;
}

/** What a case's expressions see outside its workflow: its recorded variables and its number (the workflow's FEEL context has both). */
export async function caseFeelContext(db: Db, caseId: number): Promise<Record<string, unknown>> {
  const row = (await db('cases').where('id', caseId).first('variables', 'number')) as { variables: string | object | null; number: string } | undefined;
  const v = row?.variables;
  return { ...((typeof v === 'string' ? JSON.parse(v) : (v ?? {})) as Record<string, unknown>), caseNumber: row?.number ?? null };
}

/** What the approvals' activities need of the case they run in (numbers, notices, documents). */
export interface CaseInfo {
  id: number;
  number: string;
  processKey: string;
  workflowId: string;
  districtCode: string | null;
  streetCode: string | null;
  applicantOrganisationId: number;
  startedBy: number;
}
export async function caseInfo(db: Db, caseId: number): Promise<CaseInfo> {
  const row = (await db('cases').where('id', caseId).first('id', 'number', 'process_key', 'workflow_id', 'district_code', 'street_code', 'applicant_organisation_id', 'started_by')) as
    { id: number; number: string; process_key: string; workflow_id: string; district_code: string | null; street_code: string | null; applicant_organisation_id: number; started_by: number } | undefined;
  if (!row) throw new Error(`case ${caseId} not found`);
  return {
    id: row.id,
    number: row.number,
    processKey: row.process_key,
    workflowId: row.workflow_id,
    districtCode: row.district_code,
    streetCode: row.street_code,
    applicantOrganisationId: row.applicant_organisation_id,
    startedBy: row.started_by,
  };
}

/** Whether the case exists and the reader's visibility rule (over `cases as c`) lets them see it. */
export async function isCaseVisibleBy(db: Db, caseId: number, reader: { whereCaseVisible: (q: Knex.QueryBuilder) => Knex.QueryBuilder }): Promise<boolean> {
  return Boolean(await reader.whereCaseVisible(db('cases as c').select('c.id')).where('c.id', caseId).first());
}

/** id → case number of the given cases (the operation log names its targets by number). */
export async function caseNumbers(db: Db, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const rows = (await db('cases')
    .whereIn('id', [...new Set(ids)])
    .select('id', 'number')) as Array<{ id: number; number: string }>;
  return new Map(rows.map((r) => [Number(r.id), r.number]));
}

/** What a case row holds to start its workflow again, for a start the API did not get to (api/cases/start.ts resumeUnstartedCase). */
export interface UnstartedCase {
  id: number;
  number: string;
  processKey: string;
  processVersion: number;
  workflowId: string;
  organisationId: number;
  districtCode: string | null;
  streetCode: string | null;
  startedBy: number;
  username: string;
  variables: Record<string, unknown>;
}

/**
 * A running case with no history at all, started more than `olderThanMs` ago: its row was
 * committed but its workflow never wrote its first step (the API stopped in between).
 */
export async function unstartedCase(db: Db, caseId: number, olderThanMs: number): Promise<UnstartedCase | null> {
  const r = (await db('cases as c')
    .join('users as u', 'u.id', 'c.started_by')
    .where('c.id', caseId)
    .where('c.status', 'running')
    .where('c.started_at', '<', new Date(Date.now() - olderThanMs))
    .whereNotExists((q) => q.select(db.raw('1')).from('case_history as h').whereRaw('h.case_id = c.id'))
    .first('c.id', 'c.number', 'c.process_key', 'c.process_version', 'c.workflow_id', 'c.applicant_organisation_id', 'c.district_code', 'c.street_code', 'c.started_by', 'u.username', 'c.variables')) as
    | {
        id: number;
        number: string;
        process_key: string;
        process_version: number;
        workflow_id: string;
        applicant_organisation_id: number;
        district_code: string | null;
        street_code: string | null;
        started_by: number;
        username: string;
        variables: string | null;
      }
    | undefined;
  if (!r) return null;
  return {
    id: r.id,
    number: r.number,
    processKey: r.process_key,
    processVersion: r.process_version,
    workflowId: r.workflow_id,
    organisationId: r.applicant_organisation_id,
    districtCode: r.district_code,
    streetCode: r.street_code,
    startedBy: r.started_by,
    username: r.username,
    variables: r.variables ? (typeof r.variables === 'string' ? (JSON.parse(r.variables) as Record<string, unknown>) : (r.variables as Record<string, unknown>)) : {},
  };
}
