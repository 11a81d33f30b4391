import type { Knex } from 'knex';

/**
 * What the retention machinery did, for the people who check it (docs/retention.md):
 * - retention_runs: one row per scheduled run (keyed by the instant it was scheduled for, so a
 *   retried activity updates its row instead of adding one), with the rows changed per kind;
 * - personal_data_erasures: one row per approved 个人信息删除申请 (keyed by the case), with what
 *   was anonymised; a retried service task finds it and changes nothing twice.
 * Neither holds personal data: counts, ids and times only.
 */
export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasTable('retention_runs'))) {
    await knex.schema.createTable('retention_runs', (t) => {
      t.string('run_key', 64).primary();
      t.timestamp('started_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
      t.timestamp('finished_at', { precision: 3 }).nullable();
      t.json('counts').notNullable();
      t.json('settings').notNullable();
      t.index(['started_at']);
    });
  }
  if (!(await knex.schema.hasTable('personal_data_erasures'))) {
    await knex.schema.createTable('personal_data_erasures', (t) => {
      t.integer('case_id').unsigned().primary().references('id').inTable('cases');
      t.integer('user_id').unsigned().notNullable();
      t.timestamp('erased_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
      t.json('counts').notNullable();
      t.index(['user_id']);
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('personal_data_erasures');
  await knex.schema.dropTableIfExists('retention_runs');
}
