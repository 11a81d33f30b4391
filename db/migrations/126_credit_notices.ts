import type { Knex } from 'knex';

/**
 * Each pre-deduction's notice case (信用记分告知, C3): the case the platform started for the
 * record (`notice_case_id`, cleared if that case never started), and the days the enterprise has
 * to rectify, printed on the notice. `credit_notices_waiting` finds the records still to notify.
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('credit_events', 'notice_case_id')) return;
  await knex.schema.alterTable('credit_events', (t) => {
    t.integer('notice_case_id').unsigned().nullable().unique().references('id').inTable('cases').onDelete('SET NULL');
    t.smallint('rectify_days').unsigned().nullable();
    t.index(['status', 'notice_case_id'], 'credit_notices_waiting');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('credit_events', (t) => {
    t.dropForeign(['notice_case_id']);
    t.dropIndex(['status', 'notice_case_id'], 'credit_notices_waiting');
    t.dropUnique(['notice_case_id']);
    t.dropColumn('notice_case_id');
    t.dropColumn('rectify_days');
  });
}
