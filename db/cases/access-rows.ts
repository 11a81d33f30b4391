import type { Knex } from 'knex';
import { rebuildTitleGrams } from './search';

/**
 * The derived rows that let one index answer "who sees this case" and "who may claim this task"
 * (migration 080_case_access). They are recomputed from case_tasks and case_copies — never
 * patched by hand — so they say exactly what the rules said over those tables: a user takes part
 * in a case while holding one of its tasks, after completing one, or once copied on it; a
 * candidate row is claimable while its task is an open, unclaimed user task.
 */

/** The users taking part in one case, as a derived table of (user_id, case_id). */
const PARTICIPANTS_OF_CASE = `
  SELECT assignee_id AS user_id FROM case_tasks WHERE case_id = ? AND assignee_id IS NOT NULL
  UNION SELECT completed_by FROM case_tasks WHERE case_id = ? AND completed_by IS NOT NULL
  UNION SELECT user_id FROM case_copies WHERE case_id = ?`;

/** Brings one case's participant rows in line with its tasks and copies (inside the writer's transaction). */
export async function refreshParticipants(trx: Knex.Transaction | Knex, caseId: number): Promise<void> {
  await trx.raw(`DELETE FROM case_participants WHERE case_id = ? AND user_id NOT IN (SELECT user_id FROM (${PARTICIPANTS_OF_CASE}) p)`, [caseId, caseId, caseId, caseId]);
  await trx.raw(
    `INSERT IGNORE INTO case_participants (user_id, case_id, started_at)
     SELECT p.user_id, c.id, c.started_at FROM (${PARTICIPANTS_OF_CASE}) p JOIN cases c ON c.id = ?`,
    [caseId, caseId, caseId, caseId],
  );
}

const CLAIMABLE = `CASE WHEN t.status = 'open' AND t.assignee_id IS NULL AND t.kind = 'user' THEN t.created_at ELSE NULL END`;

/** Sets or clears the claimable marker on the candidate rows of one case's tasks. */
export async function refreshClaimable(trx: Knex.Transaction | Knex, caseId: number): Promise<void> {
  await trx.raw(
    `UPDATE case_task_candidates tc JOIN case_tasks t ON t.id = tc.task_id
     SET tc.claimable_since = ${CLAIMABLE}
     WHERE t.case_id = ? AND NOT (tc.claimable_since <=> ${CLAIMABLE})`,
    [caseId],
  );
}

/**
 * Rebuilds every derived row (access rows, title pieces) from scratch, set-based: after a bulk load (the list
 * benchmark) or to repair a database restored from rows written before migration 080.
 */
export async function rebuildCaseReadIndexes(db: Knex): Promise<void> {
  await rebuildTitleGrams(db);
  await db.raw('DELETE FROM case_participants');
  await db.raw(`
    INSERT IGNORE INTO case_participants (user_id, case_id, started_at)
    SELECT x.user_id, x.case_id, c.started_at FROM (
      SELECT assignee_id AS user_id, case_id FROM case_tasks WHERE assignee_id IS NOT NULL
      UNION SELECT completed_by, case_id FROM case_tasks WHERE completed_by IS NOT NULL
      UNION SELECT user_id, case_id FROM case_copies
    ) x JOIN cases c ON c.id = x.case_id`);
  await db.raw(`UPDATE case_task_candidates tc JOIN case_tasks t ON t.id = tc.task_id SET tc.claimable_since = ${CLAIMABLE}`);
}
