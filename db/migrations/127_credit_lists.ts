import type { Knex } from 'knex';

/**
 * Red and black lists (红榜, 黑榜; C5, docs/credit.md): a subject's stays on a list, each with the
 * day it entered, the grade that put it there and the day it left (null: on the list now).
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('credit_list_entries')) return;
  await knex.schema.createTable('credit_list_entries', (t) => {
    t.increments('id');
    t.enum('subject_type', ['enterprise', 'staff']).notNullable();
    t.integer('subject_id').unsigned().notNullable();
    t.enum('list', ['red', 'black']).notNullable();
    t.string('grade', 8).notNullable();
    t.decimal('score', 7, 2).notNullable();
    t.date('entered_on').notNullable();
    t.date('left_on').nullable();
    t.integer('standard_id').unsigned().nullable();
    // Who is on a list now (one range), and one subject's stays.
    t.index(['list', 'subject_type', 'left_on', 'entered_on'], 'credit_lists_now');
    t.index(['subject_type', 'subject_id', 'list', 'left_on'], 'credit_lists_subject');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('credit_list_entries');
}
