import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { compileBpmn, type ProcessProblem } from '../bpmn/compile';
import type { ProcessGraph } from '../bpmn/graph';
import { formDefinitionProblems, sameForm, type StartForm } from '../forms/start-form';

/**
 * Published process definitions: every version keeps its XML (what the modeller drew) and its
 * compiled graph (what cases run), and its start form (what a start is checked against, null
 * when the process has none). A version is never edited; publishing adds the next one.
 */
export interface PublishedVersion {
  processKey: string;
  version: number;
  name: string;
  checksum: string;
  current: boolean;
}

export type PublishResult = { ok: true; published: PublishedVersion; unchanged: boolean } | { ok: false; problems: ProcessProblem[] };

export const checksumOf = (xml: string) => crypto.createHash('sha256').update(xml).digest('hex');

export async function publishProcess(
  db: Knex,
  xml: string,
  /**
   * `form`: the start form this version pins (null: none), or a function answering it for the
   * compiled process key. Left out (the process designer publishes only the diagram), the
   * version keeps the latest version's form.
   * `skipIfUnchanged`: no new version when both the XML (checksum) and the form are the latest's.
   */
  opts: { publishedBy: number | null; source: 'api' | 'shipped'; makeCurrent?: boolean; skipIfUnchanged?: boolean; form?: StartForm | null | ((processKey: string) => StartForm | null) },
): Promise<PublishResult> {
  const compiled = await compileBpmn(xml);
  if (!compiled.ok) return { ok: false, problems: compiled.problems };
  const { graph } = compiled;
  const given = typeof opts.form === 'function' ? opts.form(graph.processKey) : opts.form;
  if (given) {
    const formProblems = formDefinitionProblems(given, graph.processKey);
    if (formProblems.length) return { ok: false, problems: formProblems.map((message) => ({ elementId: `form:${graph.processKey}`, message })) };
  }
  const checksum = checksumOf(xml);
  return db.transaction(async (trx) => {
    await trx('processes').insert({ process_key: graph.processKey, name: graph.name.slice(0, 128) }).onConflict('process_key').ignore();
    // The process row's lock serialises publishers of one key, so versions never collide.
    const proc = (await trx('processes').where('process_key', graph.processKey).forUpdate().first()) as { current_version: number | null };
    const latest = (await trx('process_versions').where('process_key', graph.processKey).orderBy('version', 'desc').first('version', 'checksum', 'name', 'form')) as
      | { version: number; checksum: string; name: string; form: string | null }
      | undefined;
    const latestForm = latest?.form ? (JSON.parse(latest.form) as StartForm) : null;
    const form = given === undefined ? latestForm : given;
    if (opts.skipIfUnchanged && latest?.checksum === checksum && sameForm(latestForm, form)) {
      return { ok: true as const, unchanged: true, published: { processKey: graph.processKey, version: latest.version, name: latest.name, checksum, current: proc.current_version === latest.version } };
    }
    const version = (latest?.version ?? 0) + 1;
    await trx('process_versions').insert({
      process_key: graph.processKey,
      version,
      name: graph.name.slice(0, 128),
      xml,
      graph: JSON.stringify(graph),
      checksum,
      form: form ? JSON.stringify(form) : null,
      published_by: opts.publishedBy,
      source: opts.source,
    });
    const makeCurrent = opts.makeCurrent !== false || proc.current_version === null;
    await trx('processes')
      .where('process_key', graph.processKey)
      .update({ name: graph.name.slice(0, 128), updated_at: new Date(), ...(makeCurrent ? { current_version: version } : {}) });
    return { ok: true as const, unchanged: false, published: { processKey: graph.processKey, version, name: graph.name, checksum, current: makeCurrent } };
  });
}

export async function setCurrentVersion(db: Knex | Knex.Transaction, processKey: string, version: number): Promise<boolean> {
  const exists = await db('process_versions').where({ process_key: processKey, version }).first('id');
  if (!exists) return false;
  await db('processes').where('process_key', processKey).update({ current_version: version, updated_at: new Date() });
  return true;
}

/** The version new cases of a process use, with its graph and its start form. */
export async function currentVersion(
  db: Knex | Knex.Transaction,
  processKey: string,
): Promise<{ version: number; graph: ProcessGraph; name: string; form: StartForm | null } | null> {
  const row = (await db('processes as p')
    .join('process_versions as v', function joinCurrent() {
      this.on('v.process_key', 'p.process_key').andOn('v.version', 'p.current_version');
    })
    .where('p.process_key', processKey)
    .first('v.version', 'v.graph', 'v.name', 'v.form')) as { version: number; graph: string; name: string; form: string | null } | undefined;
  return row ? { version: row.version, name: row.name, graph: JSON.parse(row.graph) as ProcessGraph, form: row.form ? (JSON.parse(row.form) as StartForm) : null } : null;
}
