import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { DecisionModel } from '../lib/dmn/model';

/**
 * Deployed decisions (decision_versions, migration 122). Publishing a DMN file gives each of its
 * decisions a new version, unless that decision's latest version came from the same XML
 * (publishing the same file again changes nothing); a business rule task calls the latest.
 */
export interface PublishedDecision {
  decisionId: string;
  name: string | null;
  version: number;
  unchanged: boolean;
}

export async function publishDecisions(db: Knex, xml: string, model: DecisionModel, publishedBy: number | null): Promise<PublishedDecision[]> {
  const checksum = crypto.createHash('sha256').update(xml).digest('hex');
  return db.transaction(async (trx) => {
    const out: PublishedDecision[] = [];
    for (const decision of Object.values(model.decisions)) {
      // Locks the decision's rows: two publications of one decision get two versions, not one twice.
      const latest = (await trx('decision_versions').where('decision_id', decision.id).orderBy('version', 'desc').forUpdate().first('version', 'checksum')) as { version: number; checksum: string } | undefined;
      if (latest?.checksum === checksum) {
        out.push({ decisionId: decision.id, name: decision.name, version: latest.version, unchanged: true });
        continue;
      }
      const version = (latest?.version ?? 0) + 1;
      await trx('decision_versions').insert({
        decision_id: decision.id,
        version,
        name: decision.name?.slice(0, 255) ?? null,
        definitions_id: model.id.slice(0, 128),
        xml,
        model: JSON.stringify(model),
        checksum,
        published_by: publishedBy,
        published_at: new Date(),
      });
      out.push({ decisionId: decision.id, name: decision.name, version, unchanged: false });
    }
    return out;
  });
}

/** The latest version of a decision with its file's model, or undefined when none was published. */
export async function latestDecision(db: Knex, decisionId: string): Promise<{ version: number; model: DecisionModel } | undefined> {
  const row = (await db('decision_versions').where('decision_id', decisionId).orderBy('version', 'desc').first('version', 'model')) as { version: number; model: string | DecisionModel } | undefined;
  if (!row) return undefined;
  return { version: row.version, model: typeof row.model === 'string' ? (JSON.parse(row.model) as DecisionModel) : row.model };
}

/** Which of these decision ids have a published version (publishing a process notes the others). */
export async function publishedDecisionIds(db: Knex, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  return new Set((await db('decision_versions').whereIn('decision_id', ids).distinct('decision_id').pluck('decision_id')) as string[]);
}

/** The latest version of each decision, by decision id, bounded (the bureau publishes tens). */
export async function listDecisions(db: Knex, limit = 500): Promise<Array<{ decision_id: string; name: string | null; version: number; definitions_id: string; published_at: Date }>> {
  return (await db('decision_versions as d')
    .whereRaw('d.version = (select max(v.version) from decision_versions v where v.decision_id = d.decision_id)')
    .orderBy('d.decision_id')
    .limit(limit)
    .select('d.decision_id', 'd.name', 'd.version', 'd.definitions_id', 'd.published_at')) as Array<{ decision_id: string; name: string | null; version: number; definitions_id: string; published_at: Date }>;
}
