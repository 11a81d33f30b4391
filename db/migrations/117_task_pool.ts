import type { Knex } from 'knex';

/**
 * The 待分配 pool (docs/process-engine.md): a user task drawn without candidates or assignee is
 * offered to nobody until an administrator assigns it. The writer marks such rows `pooled` when
 * it inserts them, so the pool is one indexed query instead of a scan for empty candidate lists.
 */
export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasColumn('case_tasks', 'pooled'))) {
    await knex.schema.alterTable('case_tasks', (t) => {
      t.boolean('pooled').notNullable().defaultTo(false);
      t.index(['pooled', 'status', 'created_at'], 'case_tasks_pool');
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('case_tasks', (t) => {
    t.dropIndex(['pooled', 'status', 'created_at'], 'case_tasks_pool');
    t.dropColumn('pooled');
  });
}
