import type { Knex } from 'knex';

/**
 * Signal subscriptions (docs/process-engine.md, "Signals"): a case waiting at a signal catch
 * event or a user task's signal boundary event is subscribed by the signal's name, with no
 * correlation key — a broadcast reaches every case subscribed at that moment. They share the
 * message subscriptions' table, told apart by `kind`; the broadcast reads one index range.
 */
export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasColumn('case_message_subscriptions', 'kind'))) {
    await knex.schema.alterTable('case_message_subscriptions', (t) => {
      t.string('kind', 8).notNullable().defaultTo('message');
      t.index(['kind', 'message_name', 'open', 'case_id'], 'case_msg_sub_signal_idx');
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('case_message_subscriptions', (t) => {
    t.dropIndex(['kind', 'message_name', 'open', 'case_id'], 'case_msg_sub_signal_idx');
    t.dropColumn('kind');
  });
}
