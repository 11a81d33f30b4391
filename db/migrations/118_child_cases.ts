import type { Knex } from 'knex';

/**
 * Child cases (call activities, docs/process-engine.md): a case started by another case's call
 * activity points at its parent and carries the key the parent's workflow chose for it
 * (`node#visit.instance`). The unique pair makes the activity that creates it idempotent: a
 * retried attempt finds the row instead of creating a second child.
 */
export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasColumn('cases', 'parent_case_id'))) {
    await knex.schema.alterTable('cases', (t) => {
      t.integer('parent_case_id').unsigned().nullable().references('id').inTable('cases');
      t.string('parent_key', 100).nullable();
      t.unique(['parent_case_id', 'parent_key'], { indexName: 'cases_parent_key' });
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cases', (t) => {
    t.dropForeign(['parent_case_id']);
    t.dropUnique(['parent_case_id', 'parent_key'], 'cases_parent_key');
    t.dropColumn('parent_case_id');
    t.dropColumn('parent_key');
  });
}
