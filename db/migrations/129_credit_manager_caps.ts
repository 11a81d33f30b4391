import type { Knex } from 'knex';

/**
 * Project managers over the credit cap (C6, docs/credit.md): each suspension of a person in the
 * staff registry, the points and the cap that caused it, and when and by which recorded
 * retraining and passed exam it was lifted (null: suspended now).
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('credit_manager_suspensions')) return;
  await knex.schema.createTable('credit_manager_suspensions', (t) => {
    t.increments('id');
    t.integer('staff_id').unsigned().notNullable().references('id').inTable('enterprise_staff');
    t.integer('enterprise_id').unsigned().notNullable();
    t.date('suspended_on').notNullable();
    t.decimal('points', 7, 2).notNullable();
    t.decimal('cap', 7, 2).notNullable();
    t.date('reinstated_on').nullable();
    t.integer('training_id').unsigned().nullable();
    t.integer('exam_id').unsigned().nullable();
    t.index(['staff_id', 'reinstated_on'], 'credit_suspensions_of_staff');
    t.index(['reinstated_on', 'suspended_on'], 'credit_suspensions_now');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('credit_manager_suspensions');
}
