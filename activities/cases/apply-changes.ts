import type { Knex } from 'knex';
import type { ChangeBatch, ChangeBatchResult } from '../../lib/cases/changes';
import { applyCaseChanges } from '../../db/cases/writer';

/** The activity that writes a batch of a case workflow's changes (the SQL is db/cases/writer.ts). */
export function createApplyCaseChanges(db: Knex) {
  return async function applyCaseChangesActivity(batch: ChangeBatch): Promise<ChangeBatchResult> {
    return applyCaseChanges(db, batch);
  };
}
