import type { Knex } from 'knex';

/**
 * Process lifecycle (docs/process-engine.md, "Process lifecycle"): `processes.status` (draft,
 * enabled, disabled; only enabled ones may be started) and `processes.category` (an id of
 * lib/processes/lifecycle.ts, null until someone chooses one). A row the code does not give a
 * status to is a draft; the processes already published are in use, so they are enabled here.
 * No index: the table holds one row per process, a few dozen at most.
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('processes', 'status')) return;
  await knex.schema.alterTable('processes', (t) => {
    t.string('status', 16).notNullable().defaultTo('draft');
    t.string('category', 16).nullable();
  });
  await knex('processes').update({ status: 'enabled' });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('processes', (t) => {
    t.dropColumn('status');
    t.dropColumn('category');
  });
}
