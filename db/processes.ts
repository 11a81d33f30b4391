import type { Knex } from 'knex';
import type { ProcessGraph } from '../lib/bpmn/graph';
import type { FormSchema } from '../lib/forms/form-schema';
import type { ProcessCategory, ProcessStatus } from '../lib/processes/lifecycle';
import { pageOf, type Page, type PageParams } from './paging';
import { containsPattern } from './search';

/**
 * Process definitions: `processes` (one row per key, naming the version new cases use, with its
 * lifecycle status and category),
 * `process_versions` (every published version's XML, compiled graph and start form, never
 * edited) and `case_number_rules` (each process's case-number pattern). Compiling and deciding
 * what to publish is lib/processes/store.ts; the case-number counters belong to the cases.
 */
type Db = Knex | Knex.Transaction;

const parseGraph = (graph: string | object) => (typeof graph === 'string' ? JSON.parse(graph) : graph) as ProcessGraph;
const parseForm = (form: string | object | null) => (form ? ((typeof form === 'string' ? JSON.parse(form) : form) as FormSchema) : null);
const parseForms = (forms: string | object | null) => (forms ? ((typeof forms === 'string' ? JSON.parse(forms) : forms) as Record<string, FormSchema>) : {});

// ---- processes -------------------------------------------------------------------------------

export interface ProcessFilter {
  q?: string;
  id?: string[];
  status?: ProcessStatus;
  category?: ProcessCategory;
}

export const PROCESS_SORTABLE = ['process_key', 'name', 'updated_at'] as const;

/** A process per row with its latest version and coding rule, each read by its key's index. */
export async function listProcesses(db: Knex, params: PageParams & { filter: ProcessFilter }): Promise<Page<Record<string, unknown>>> {
  const q = db('processes as p').select(
    'p.process_key as id',
    'p.process_key',
    'p.name',
    'p.current_version',
    'p.status',
    'p.category',
    'p.updated_at',
    db('process_versions as v').max('v.version').whereRaw('v.process_key = p.process_key').as('latest_version'),
    db('case_number_rules as r').select('r.pattern').whereRaw('r.process_key = p.process_key').as('coding_rule'),
  );
  const f = params.filter;
  if (f.q) {
    const pattern = containsPattern(f.q);
    q.where((w) => w.where('p.process_key', 'like', pattern).orWhere('p.name', 'like', pattern));
  }
  if (f.id) q.whereIn('p.process_key', f.id);
  if (f.status) q.where('p.status', f.status);
  if (f.category) q.where('p.category', f.category);
  return pageOf(q, params, { process_key: 'p.process_key', name: 'p.name', updated_at: 'p.updated_at' }, 'p.process_key');
}

export interface ProcessRow {
  process_key: string;
  name: string;
  current_version: number | null;
  status: ProcessStatus;
  category: ProcessCategory | null;
  created_at?: Date;
  updated_at: Date;
}

export async function findProcess(db: Db, processKey: string): Promise<ProcessRow | undefined> {
  return (await db('processes').where('process_key', processKey).first()) as ProcessRow | undefined;
}

/** process key → name of the given processes (an export's 事项 column, the list pickers). */
export async function processNames(db: Db, keys?: Iterable<string>): Promise<Map<string, string>> {
  const q = db('processes').select('process_key', 'name').orderBy('name');
  if (keys) {
    const wanted = [...new Set(keys)];
    if (!wanted.length) return new Map();
    q.whereIn('process_key', wanted);
  }
  const rows = (await q) as Array<{ process_key: string; name: string }>;
  return new Map(rows.map((r) => [r.process_key, r.name]));
}

/**
 * Creates the process row on its first publication, with the status a new process gets (an
 * existing one keeps its own), then locks it: the lock serialises the publishers of one key, so
 * two versions never get the same number.
 */
export async function lockProcessForPublishing(trx: Knex.Transaction, processKey: string, name: string, newStatus: ProcessStatus): Promise<{ current_version: number | null; status: ProcessStatus }> {
  await trx('processes').insert({ process_key: processKey, name, status: newStatus }).onConflict('process_key').ignore();
  return (await trx('processes').where('process_key', processKey).forUpdate().first('current_version', 'status')) as { current_version: number | null; status: ProcessStatus };
}

/** The row locked for a change of its settings, so the logged "before" is what was changed. */
export async function lockProcess(trx: Knex.Transaction, processKey: string): Promise<ProcessRow | undefined> {
  return (await trx('processes').where('process_key', processKey).forUpdate().first()) as ProcessRow | undefined;
}

/** Status and category as a system administrator sets them (absent: unchanged). */
export async function updateProcessSettings(trx: Knex.Transaction, processKey: string, settings: { status?: ProcessStatus; category?: ProcessCategory | null }): Promise<void> {
  await trx('processes')
    .where('process_key', processKey)
    .update({ ...settings, updated_at: new Date() });
}

/** A shipped process's category, kept only while nobody has chosen one. */
export async function setCategoryIfMissing(db: Db, processKey: string, category: ProcessCategory): Promise<void> {
  await db('processes').where('process_key', processKey).whereNull('category').update({ category });
}

/** After a publication: the process takes the version's name, and its number when it becomes current. */
export async function markPublished(trx: Knex.Transaction, processKey: string, name: string, currentVersion: number | null): Promise<void> {
  await trx('processes')
    .where('process_key', processKey)
    .update({ name, updated_at: new Date(), ...(currentVersion !== null ? { current_version: currentVersion } : {}) });
}

/** Chooses the version new cases use; false when that version was never published. */
export async function setCurrentVersion(db: Db, processKey: string, version: number): Promise<boolean> {
  const exists = await db('process_versions').where({ process_key: processKey, version }).first('id');
  if (!exists) return false;
  await db('processes').where('process_key', processKey).update({ current_version: version, updated_at: new Date() });
  return true;
}

// ---- versions --------------------------------------------------------------------------------

export const VERSION_SORTABLE = ['version', 'published_at'] as const;

/** A process's versions with who published them; the (process_key, version) key serves the page. */
export async function listVersions(db: Knex, processKey: string, params: PageParams): Promise<Page<Record<string, unknown> & { version: number }>> {
  const q = db('process_versions as v')
    .leftJoin('users as u', 'u.id', 'v.published_by')
    .where('v.process_key', processKey)
    .select('v.id', 'v.process_key', 'v.version', 'v.name', 'v.checksum', 'v.source', 'v.published_at', 'v.published_by', 'u.display_name as published_by_name');
  return pageOf(q, params, { version: 'v.version', published_at: 'v.published_at' }, 'v.id');
}

/** One version with its XML and graph (parsed), who published it, and the process's current version. */
export async function findVersion(db: Db, processKey: string, version: number): Promise<(Record<string, unknown> & { graph: ProcessGraph; current_version: number | null }) | undefined> {
  const row = (await db('process_versions as v')
    .leftJoin('users as u', 'u.id', 'v.published_by')
    .join('processes as p', 'p.process_key', 'v.process_key')
    .where({ 'v.process_key': processKey, 'v.version': version })
    .first('v.*', 'u.display_name as published_by_name', 'p.current_version')) as (Record<string, unknown> & { graph: string; current_version: number | null }) | undefined;
  return row ? { ...row, graph: parseGraph(row.graph), form: parseForm(row.form as string | null), forms: parseForms(row.forms as string | null) } : undefined;
}

/** The newest version, which a publication compares itself with (unchanged XML and forms: no new version). */
export async function latestVersion(trx: Knex.Transaction, processKey: string): Promise<{ version: number; checksum: string; name: string; form: FormSchema | null; forms: Record<string, FormSchema> } | undefined> {
  const row = (await trx('process_versions').where('process_key', processKey).orderBy('version', 'desc').first('version', 'checksum', 'name', 'form', 'forms')) as
    { version: number; checksum: string; name: string; form: string | null; forms: string | null } | undefined;
  return row ? { ...row, form: parseForm(row.form), forms: parseForms(row.forms) } : undefined;
}

export async function insertVersion(
  trx: Knex.Transaction,
  v: { processKey: string; version: number; name: string; xml: string; graph: ProcessGraph; checksum: string; form: FormSchema | null; forms: Record<string, FormSchema>; publishedBy: number | null; source: 'api' | 'shipped' },
): Promise<void> {
  await trx('process_versions').insert({
    process_key: v.processKey,
    version: v.version,
    name: v.name,
    xml: v.xml,
    graph: JSON.stringify(v.graph),
    checksum: v.checksum,
    form: v.form ? JSON.stringify(v.form) : null,
    forms: Object.keys(v.forms).length ? JSON.stringify(v.forms) : null,
    published_by: v.publishedBy,
    source: v.source,
  });
}

/** The version new cases of a process use, with its graph, its start form and the process's status. */
export async function currentVersion(db: Db, processKey: string): Promise<{ version: number; graph: ProcessGraph; name: string; form: FormSchema | null; status: ProcessStatus } | null> {
  const row = (await db('processes as p')
    .join('process_versions as v', function joinCurrent() {
      this.on('v.process_key', 'p.process_key').andOn('v.version', 'p.current_version');
    })
    .where('p.process_key', processKey)
    .first('v.version', 'v.graph', 'v.name', 'v.form', 'p.status')) as { version: number; graph: string; name: string; form: string | null; status: ProcessStatus } | undefined;
  return row ? { version: row.version, name: row.name, graph: parseGraph(row.graph), form: parseForm(row.form), status: row.status } : null;
}

/**
 * Every process's current version with its graph and form, by key (the "start an application"
 * menu); `status` narrows it, e.g. to the enabled ones applicants may start.
 */
export async function currentVersions(
  db: Db,
  opts: { status?: ProcessStatus } = {},
): Promise<Array<{ process_key: string; name: string; version: number; graph: ProcessGraph; form: FormSchema | null; status: ProcessStatus; category: ProcessCategory | null }>> {
  const q = db('processes as p')
    .join('process_versions as v', function current() {
      this.on('v.process_key', 'p.process_key').andOn('v.version', 'p.current_version');
    })
    .orderBy('p.process_key')
    .select('p.process_key', 'v.name', 'v.version', 'v.graph', 'v.form', 'p.status', 'p.category');
  if (opts.status) q.where('p.status', opts.status);
  const rows = (await q) as Array<{ process_key: string; name: string; version: number; graph: string; form: string | null; status: ProcessStatus; category: ProcessCategory | null }>;
  return rows.map((r) => ({ ...r, graph: parseGraph(r.graph), form: parseForm(r.form) }));
}

/** The graph and XML a case runs: the version pinned at its start (null when no such version). */
export async function processVersionGraph(db: Db, processKey: string, version: number): Promise<{ graph: ProcessGraph; xml: string } | null> {
  const row = (await db('process_versions').where({ process_key: processKey, version }).first('graph', 'xml')) as { graph: string; xml: string } | undefined;
  return row ? { graph: parseGraph(row.graph), xml: row.xml } : null;
}

/** The start form stored with a version (null: the version has none, or there is no such version). */
export async function versionStartForm(db: Db, processKey: string, version: number): Promise<FormSchema | null> {
  const row = (await db('process_versions').where({ process_key: processKey, version }).first('form')) as { form: string | null } | undefined;
  return parseForm(row?.form ?? null);
}

/** Every form stored with a version: the start form and the task forms by id. */
export async function versionForms(db: Db, processKey: string, version: number): Promise<{ form: FormSchema | null; forms: Record<string, FormSchema> }> {
  const row = (await db('process_versions').where({ process_key: processKey, version }).first('form', 'forms')) as { form: string | null; forms: string | null } | undefined;
  return { form: parseForm(row?.form ?? null), forms: parseForms(row?.forms ?? null) };
}

/** A version's graph and task forms in one read (no XML): what a task's form is looked up in. */
export async function versionGraphAndForms(db: Db, processKey: string, version: number): Promise<{ graph: ProcessGraph; forms: Record<string, FormSchema> } | null> {
  const row = (await db('process_versions').where({ process_key: processKey, version }).first('graph', 'forms')) as { graph: string; forms: string | null } | undefined;
  return row ? { graph: parseGraph(row.graph), forms: parseForms(row.forms) } : null;
}

// ---- case-number rules -----------------------------------------------------------------------

/** The pattern an administrator set for a process, or null (the caller applies the default). */
export async function storedCodingRule(db: Db, processKey: string): Promise<string | null> {
  const row = (await db('case_number_rules').where('process_key', processKey).first('pattern')) as { pattern: string } | undefined;
  return row?.pattern ?? null;
}

export async function setCodingRule(trx: Knex.Transaction, processKey: string, pattern: string, updatedBy: number): Promise<void> {
  await trx('case_number_rules').insert({ process_key: processKey, pattern, updated_by: updatedBy, updated_at: new Date() }).onConflict('process_key').merge(['pattern', 'updated_by', 'updated_at']);
}

/** A shipped rule, kept only while no administrator has set one. */
export async function insertCodingRuleIfMissing(db: Db, processKey: string, pattern: string): Promise<void> {
  await db('case_number_rules').insert({ process_key: processKey, pattern }).onConflict('process_key').ignore();
}
