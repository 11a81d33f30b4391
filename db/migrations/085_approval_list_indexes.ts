import type { Knex } from 'knex';

/**
 * Indexes for the approvals' lists, one per sort the API offers, so each page is an index range
 * read in order that stops after the page (no filesort over every row). InnoDB appends the
 * primary key to a secondary index, which is the lists' tie-breaker (db/paging.ts):
 * - GET /api/tenders sorts by closes_at or opens_at, optionally for one status
 *   ((status, closes_at) exists since 050);
 * - GET /api/public/publicity sorts by starts_at, optionally for one kind ((kind, starts_at) exists).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tenders', (t) => {
    t.index(['closes_at'], 'tenders_closes_at_index');
    t.index(['opens_at'], 'tenders_opens_at_index');
    t.index(['status', 'opens_at'], 'tenders_status_opens_at_index');
  });
  await knex.schema.alterTable('approval_publicity', (t) => {
    t.index(['starts_at'], 'approval_publicity_starts_at_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('approval_publicity', (t) => {
    t.dropIndex(['starts_at'], 'approval_publicity_starts_at_index');
  });
  await knex.schema.alterTable('tenders', (t) => {
    t.dropIndex(['status', 'opens_at'], 'tenders_status_opens_at_index');
    t.dropIndex(['opens_at'], 'tenders_opens_at_index');
    t.dropIndex(['closes_at'], 'tenders_closes_at_index');
  });
}
