import type { Knex } from 'knex';

/**
 * Saved filters (issue 14): a user's named filters of one list (办件 by 事项 and 区县, 待办
 * overdue …), kept on the server so they follow the user from one browser to the next. A
 * filter is stored as the list's own filter object, validated against that list's schema.
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('saved_filters')) return;
  await knex.schema.createTable('saved_filters', (t) => {
    t.increments('id');
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('list_key', 32).notNullable();
    t.string('name', 64).notNullable();
    t.json('filter').notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(knex.raw('CURRENT_TIMESTAMP(3)'));
    t.unique(['user_id', 'list_key', 'name'], { indexName: 'saved_filters_name' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('saved_filters');
}
