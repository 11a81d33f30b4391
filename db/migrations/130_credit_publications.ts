import type { Knex } from 'knex';

/**
 * Publication of a year's credit rating (C5, docs/credit.md): the case that takes it through
 * review, approval and publicity, and where it stands. The public reads a year's lists only in
 * publicity or once published.
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('credit_publications')) return;
  await knex.schema.createTable('credit_publications', (t) => {
    t.smallint('year').unsigned().primary();
    t.enum('status', ['review', 'publicity', 'published']).notNullable().defaultTo('review');
    t.integer('case_id').unsigned().nullable().unique().references('id').inTable('cases').onDelete('SET NULL');
    t.date('publicity_from').nullable();
    t.date('publicity_to').nullable();
    t.date('published_on').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('credit_publications');
}
