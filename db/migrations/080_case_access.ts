import type { Knex } from 'knex';

/**
 * Case and task lists that an index can serve (E3, E4 at a province's volume).
 *
 * A case is visible to a user within their scope, or when they started it, hold or held one of
 * its tasks, or were copied on it. The last two reasons were correlated EXISTS subqueries ORed
 * with the scope, which no index serves. `case_participants` keeps them as rows — one per
 * (user, case) while the user holds a task of the case, completed one, or was copied — written
 * by the case writer in the same transaction as the tasks and copies, with the case's start time
 * so a user's cases page in start order from one index.
 *
 * The 待签 box asked, per candidate row, whether its task is still open and unclaimed — a join
 * for every candidate row ever written. `claimable_since` holds the task's creation time while
 * it is open, unclaimed and a user task, and null otherwise, so the box is one range of an index.
 *
 * The search box looked for a term anywhere in a Chinese title with LIKE '%…%', reading every row
 * in scope; MariaDB's FULLTEXT cannot split Chinese. `case_title_grams` holds each title's
 * two-character pieces, so a term's rarest piece names the few cases worth checking.
 *
 * The other indexes give each scope's case list, and 已办 in its natural order, an ordered index.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('case_participants', (t) => {
    t.integer('user_id').unsigned().notNullable();
    t.integer('case_id').unsigned().notNullable().references('id').inTable('cases');
    t.timestamp('started_at', { precision: 3 }).notNullable();
    t.primary(['user_id', 'case_id']);
    t.index(['user_id', 'started_at'], 'case_participants_user_started_idx');
    t.index(['case_id'], 'case_participants_case_idx');
  });
  await knex.schema.createTable('case_title_grams', (t) => {
    t.string('gram', 2).notNullable();
    t.integer('case_id').unsigned().notNullable();
    t.primary(['gram', 'case_id']);
    t.index(['case_id'], 'case_title_grams_case_idx');
  });
  await knex.schema.alterTable('case_task_candidates', (t) => {
    t.timestamp('claimable_since', { precision: 3 }).nullable();
    // (kind, value, district_code, claimable_since) then the primary key's task_id: one ordered
    // range per district (and one for rows valid anywhere), ties broken by the task.
    t.index(['kind', 'value', 'district_code', 'claimable_since'], 'case_task_cand_claimable_idx');
  });
  await knex.schema.alterTable('cases', (t) => {
    t.index(['district_code', 'started_at'], 'cases_district_started_idx');
    t.index(['street_code', 'started_at'], 'cases_street_started_idx');
  });
  await knex.schema.alterTable('case_tasks', (t) => {
    t.index(['completed_by', 'created_at'], 'case_tasks_done_created_idx');
  });

  // Rows for the cases that exist already, the same way the case writer keeps them.
  await knex.raw(`
    INSERT IGNORE INTO case_participants (user_id, case_id, started_at)
    SELECT x.user_id, x.case_id, c.started_at FROM (
      SELECT assignee_id AS user_id, case_id FROM case_tasks WHERE assignee_id IS NOT NULL
      UNION SELECT completed_by, case_id FROM case_tasks WHERE completed_by IS NOT NULL
      UNION SELECT user_id, case_id FROM case_copies
    ) x JOIN cases c ON c.id = x.case_id`);
  await knex.raw(`
    UPDATE case_task_candidates tc JOIN case_tasks t ON t.id = tc.task_id
    SET tc.claimable_since = t.created_at
    WHERE t.status = 'open' AND t.assignee_id IS NULL AND t.kind = 'user'`);
  await knex.raw(`
    INSERT IGNORE INTO case_title_grams (gram, case_id)
    WITH RECURSIVE pos (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM pos WHERE n < 255)
    SELECT LOWER(SUBSTRING(c.title, pos.n, 2)), c.id FROM cases c JOIN pos ON pos.n < CHAR_LENGTH(c.title)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('case_tasks', (t) => {
    t.dropIndex(['completed_by', 'created_at'], 'case_tasks_done_created_idx');
  });
  await knex.schema.alterTable('cases', (t) => {
    t.dropIndex(['district_code', 'started_at'], 'cases_district_started_idx');
    t.dropIndex(['street_code', 'started_at'], 'cases_street_started_idx');
  });
  await knex.schema.alterTable('case_task_candidates', (t) => {
    t.dropIndex(['kind', 'value', 'district_code', 'claimable_since'], 'case_task_cand_claimable_idx');
    t.dropColumn('claimable_since');
  });
  await knex.schema.dropTable('case_title_grams');
  await knex.schema.dropTable('case_participants');
}
