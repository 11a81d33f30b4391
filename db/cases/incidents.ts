import type { Knex } from 'knex';
import type { ProcessGraph } from '../../lib/bpmn/graph';
import { unionPage, type Page, type PageParams } from '../paging';
import { containsPattern } from '../search';
import { CASE_FIELDS, caseQuery } from './rows';
import { visibleCaseBranches, type Viewer } from './visibility';

/**
 * Cases stopped at an incident (异常处理, docs/process-engine.md "Operating cases"): the list
 * administrators work from, and the ids a batch action runs over. The case row carries where and
 * why it stopped (`incident_node_id`, `incident_message`, `incident_at`, written by the
 * workflow's batches), so both are one range read of the (status, incident_at) index, newest
 * first, cut to the page; the visibility rule is applied as in every case list (its branches).
 */
export interface IncidentFilter {
  process_key?: string;
  /** The element the case stopped at. */
  node_id?: string;
  district_code?: string;
  /** Text anywhere in the incident's message. */
  q?: string;
}

/** Only the incident time is sortable: it is what the index holds in order. */
export const INCIDENT_SORT = { incident_at: 'c.incident_at' } as const;

/** A batch acts on at most this many cases (each is a workflow update, one after another). */
export const BATCH_BOUND = 500;

export interface IncidentRow extends Record<string, unknown> {
  id: number;
  number: string;
  process_key: string;
  process_version: number;
  incident_node_id: string | null;
  incident_message: string | null;
  incident_at: Date | string | null;
  /** The element's name in the case's own process version (its id when unnamed or unknown). */
  incident_node_name?: string | null;
}

function filterIncidents(q: Knex.QueryBuilder, f: IncidentFilter): Knex.QueryBuilder {
  // The index's leading column: every branch is a range of (status, incident_at).
  q.where('c.status', 'incident');
  if (f.process_key) q.where('c.process_key', f.process_key);
  if (f.node_id) q.where('c.incident_node_id', f.node_id);
  if (f.district_code) q.where('c.district_code', f.district_code);
  if (f.q) q.where('c.incident_message', 'like', containsPattern(f.q));
  return q;
}

function branchesOf(db: Knex, viewer: Viewer, filter: IncidentFilter): Knex.QueryBuilder[] {
  return visibleCaseBranches(db, viewer, INCIDENT_SORT.incident_at, (q) => filterIncidents(q, filter));
}

/** A page of the viewer's cases in incident, newest incident first (or oldest, if asked). */
export async function listIncidents(db: Knex, viewer: Viewer, filter: IncidentFilter, params: PageParams): Promise<Page<IncidentRow>> {
  const direction = params.sort[1].toLowerCase() as 'asc' | 'desc';
  const page = await unionPage(db, branchesOf(db, viewer, filter), { direction, offset: params.offset, limit: params.limit }, { count: !filter.q });
  return { rows: await incidentRows(db, page.ids), total: page.total, hasMore: page.hasMore };
}

/**
 * The ids of the viewer's cases in incident matching a filter, for a batch action: at most
 * BATCH_BOUND, newest incident first; `more` says whether others matched beyond them.
 */
export async function incidentCaseIds(db: Knex, viewer: Viewer, filter: IncidentFilter): Promise<{ ids: number[]; more: boolean }> {
  const page = await unionPage(db, branchesOf(db, viewer, filter), { direction: 'desc', offset: 0, limit: BATCH_BOUND }, { count: false });
  return { ids: page.ids, more: page.hasMore };
}

/**
 * The page's rows in page order, with the process version's name and the element's. A case the
 * engine stopped before it wrote the incident columns (or on an older history) has them empty:
 * its latest `incident` history entry stands in, read by the (case_id, seq) key of those cases.
 */
async function incidentRows(db: Knex, ids: number[]): Promise<IncidentRow[]> {
  if (!ids.length) return [];
  const rows = (await caseQuery(db)
    .leftJoin('process_versions as v', (j) => j.on('v.process_key', 'c.process_key').andOn('v.version', 'c.process_version'))
    .select([...CASE_FIELDS, 'v.name as process_name', 'c.incident_node_id', 'c.incident_message', 'c.incident_at'])
    .whereIn('c.id', ids)) as IncidentRow[];
  const missing = rows.filter((r) => r.incident_message === null).map((r) => Number(r.id));
  const fallback = await latestIncidentEntries(db, missing);
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  const page = ids.flatMap((id) => {
    const row = byId.get(id);
    if (!row) return [];
    const entry = fallback.get(id);
    return [entry && row.incident_message === null ? { ...row, incident_node_id: row.incident_node_id ?? entry.node_id, incident_message: entry.comment, incident_at: row.incident_at ?? entry.at } : row];
  });
  const names = await elementNames(db, page);
  return page.map((r) => ({ ...r, incident_node_name: r.incident_node_id ? (names.get(`${r.process_key}@${r.process_version}`)?.[r.incident_node_id] ?? r.incident_node_id) : null }));
}

/** The element names of the versions a page's cases run: one read by the (process_key, version) key, a page holds few versions. */
async function elementNames(db: Knex, rows: IncidentRow[]): Promise<Map<string, Record<string, string>>> {
  const versions = [...new Map(rows.filter((r) => r.incident_node_id).map((r) => [`${r.process_key}@${r.process_version}`, [r.process_key, Number(r.process_version)] as const])).values()];
  if (!versions.length) return new Map();
  const found = (await db('process_versions')
    .whereIn(['process_key', 'version'], versions as unknown as Array<[string, number]>)
    .select('process_key', 'version', 'graph')) as Array<{ process_key: string; version: number; graph: string | ProcessGraph }>;
  return new Map(
    found.map((v) => {
      const graph = (typeof v.graph === 'string' ? JSON.parse(v.graph) : v.graph) as ProcessGraph;
      return [`${v.process_key}@${v.version}`, Object.fromEntries(Object.values(graph.nodes).map((n) => [n.id, n.name || n.id]))];
    }),
  );
}

/** Each case's latest `incident` history entry (where and why it stopped). */
export async function latestIncidentEntries(db: Knex, caseIds: number[]): Promise<Map<number, { node_id: string | null; comment: string | null; at: Date }>> {
  if (!caseIds.length) return new Map();
  const rows = (await db('case_history as h')
    .whereIn('h.case_id', caseIds)
    .where('h.kind', 'incident')
    .whereRaw('h.seq = (SELECT MAX(l.seq) FROM case_history l WHERE l.case_id = h.case_id AND l.kind = ?)', ['incident'])
    .select('h.case_id', 'h.node_id', 'h.comment', 'h.at')) as Array<{ case_id: number; node_id: string | null; comment: string | null; at: Date }>;
  return new Map(rows.map((r) => [Number(r.case_id), r]));
}

/** Where one case stopped: its incident columns, else its latest incident entry; null when it is not in incident. */
export async function caseIncident(db: Knex, caseId: number): Promise<{ nodeId: string | null; message: string | null; at: Date | string | null } | null> {
  const row = (await db('cases').where('id', caseId).first('status', 'incident_node_id', 'incident_message', 'incident_at')) as
    { status: string; incident_node_id: string | null; incident_message: string | null; incident_at: Date | null } | undefined;
  if (!row || row.status !== 'incident') return null;
  if (row.incident_message !== null) return { nodeId: row.incident_node_id, message: row.incident_message, at: row.incident_at };
  const entry = (await latestIncidentEntries(db, [caseId])).get(caseId);
  return { nodeId: row.incident_node_id ?? entry?.node_id ?? null, message: entry?.comment ?? null, at: row.incident_at ?? entry?.at ?? null };
}
