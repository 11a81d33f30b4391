import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { compileBpmn, type ProcessProblem } from '../bpmn/compile';
import type { ProcessGraph } from '../bpmn/graph';

/**
 * Published process definitions: every version keeps its XML (what the modeller drew) and its
 * compiled graph (what cases run). A version is never edited; publishing adds the next one.
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
  opts: { publishedBy: number | null; source: 'api' | 'shipped'; makeCurrent?: boolean; skipIfUnchanged?: boolean },
): Promise<PublishResult> {
  const compiled = await compileBpmn(xml);
  if (!compiled.ok) return { ok: false, problems: compiled.problems };
  const { graph } = compiled;
  const checksum = checksumOf(xml);
  return db.transaction(async (trx) => {
    await trx('processes').insert({ process_key: graph.processKey, name: graph.name.slice(0, 128) }).onConflict('process_key').ignore();
    // The process row's lock serialises publishers of one key, so versions never collide.
    const proc = (await trx('processes').where('process_key', graph.processKey).forUpdate().first()) as { current_version: number | null };
    const latest = (await trx('process_versions').where('process_key', graph.processKey).orderBy('version', 'desc').first('version', 'checksum', 'name')) as
      | { version: number; checksum: string; name: string }
      | undefined;
    if (opts.skipIfUnchanged && latest?.checksum === checksum) {
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

/** The version new cases of a process use, with its graph. */
export async function currentVersion(db: Knex | Knex.Transaction, processKey: string): Promise<{ version: number; graph: ProcessGraph; name: string } | null> {
  const row = (await db('processes as p')
    .join('process_versions as v', function joinCurrent() {
      this.on('v.process_key', 'p.process_key').andOn('v.version', 'p.current_version');
    })
    .where('p.process_key', processKey)
    .first('v.version', 'v.graph', 'v.name')) as { version: number; graph: string; name: string } | undefined;
  return row ? { version: row.version, name: row.name, graph: JSON.parse(row.graph) as ProcessGraph } : null;
}
