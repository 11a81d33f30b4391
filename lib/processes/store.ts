import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { insertVersion, latestVersion, lockProcessForPublishing, markPublished } from '../../db/processes';
import { compileBpmn, type ProcessProblem } from '../bpmn/compile';
import { formDefinitionProblems, sameForm, type StartForm } from '../forms/start-form';

/**
 * Published process definitions: every version keeps its XML (what the modeller drew) and its
 * compiled graph (what cases run), and its start form (what a start is checked against, null
 * when the process has none). A version is never edited; publishing adds the next one. This
 * module decides what to publish; the SQL is db/processes.ts.
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
  const name = graph.name.slice(0, 128);
  return db.transaction(async (trx) => {
    const proc = await lockProcessForPublishing(trx, graph.processKey, name);
    const latest = await latestVersion(trx, graph.processKey);
    const latestForm = latest?.form ?? null;
    const form = given === undefined ? latestForm : given;
    if (opts.skipIfUnchanged && latest?.checksum === checksum && sameForm(latestForm, form)) {
      return { ok: true as const, unchanged: true, published: { processKey: graph.processKey, version: latest.version, name: latest.name, checksum, current: proc.current_version === latest.version } };
    }
    const version = (latest?.version ?? 0) + 1;
    await insertVersion(trx, { processKey: graph.processKey, version, name, xml, graph, checksum, form, publishedBy: opts.publishedBy, source: opts.source });
    const makeCurrent = opts.makeCurrent !== false || proc.current_version === null;
    await markPublished(trx, graph.processKey, name, makeCurrent ? version : null);
    return { ok: true as const, unchanged: false, published: { processKey: graph.processKey, version, name: graph.name, checksum, current: makeCurrent } };
  });
}

// The version reads and the current-version switch are SQL of the processes' own module.
export { currentVersion, setCurrentVersion } from '../../db/processes';
