import type { Knex } from 'knex';

/**
 * The annual rating (年度信用评定, C5): each subject's score and grade at the end of a cycle,
 * archived once per subject and year (a rating run again writes the same rows), and one row per
 * rated year saying when it ran and what it rated.
 */
export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasTable('credit_annual_ratings'))) {
    await knex.schema.createTable('credit_annual_ratings', (t) => {
      t.enum('subject_type', ['enterprise', 'staff']).notNullable();
      t.integer('subject_id').unsigned().notNullable();
      t.smallint('year').unsigned().notNullable();
      t.decimal('score', 7, 2).notNullable();
      t.string('grade', 8).notNullable();
      t.boolean('veto').notNullable().defaultTo(false);
      t.decimal('additions', 7, 2).notNullable();
      t.decimal('deductions', 7, 2).notNullable();
      t.integer('records').unsigned().notNullable();
      t.integer('standard_id').unsigned().nullable();
      t.date('rated_on').notNullable();
      t.primary(['subject_type', 'subject_id', 'year']);
      t.index(['subject_type', 'year', 'score'], 'credit_ratings_rank');
    });
  }
  if (!(await knex.schema.hasTable('credit_rating_runs'))) {
    await knex.schema.createTable('credit_rating_runs', (t) => {
      t.smallint('year').unsigned().primary();
      /** The cycle's last day, the day the scores were taken on. */
      t.date('rated_on').notNullable();
      t.integer('enterprises').unsigned().notNullable();
      t.integer('staff').unsigned().notNullable();
      t.integer('runs').unsigned().notNullable().defaultTo(1);
      t.datetime('first_run_at', { precision: 3 }).notNullable();
      t.datetime('last_run_at', { precision: 3 }).notNullable();
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('credit_rating_runs');
  await knex.schema.dropTableIfExists('credit_annual_ratings');
}
