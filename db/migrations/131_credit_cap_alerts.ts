import type { Knex } from 'knex';

/** When the enterprise and its managers were texted about a suspension at the credit cap (C6); null: not yet. */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('credit_manager_suspensions', 'notified_at')) return;
  await knex.schema.alterTable('credit_manager_suspensions', (t) => {
    t.datetime('notified_at', { precision: 3 }).nullable();
    t.index(['notified_at'], 'credit_suspensions_to_notify');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('credit_manager_suspensions', (t) => {
    t.dropIndex(['notified_at'], 'credit_suspensions_to_notify');
    t.dropColumn('notified_at');
  });
}
