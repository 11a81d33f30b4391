import type { Knex } from 'knex';

/** A user's own texts, newest first, for 工作台's notices (db/sms/messages.ts recentMessagesTo). */
export async function up(knex: Knex): Promise<void> {
  const [rows] = (await knex.raw("SHOW INDEX FROM sms_messages WHERE Key_name = 'sms_messages_user_created'")) as [unknown[]];
  if (rows.length) return;
  await knex.schema.alterTable('sms_messages', (t) => t.index(['user_id', 'created_at'], 'sms_messages_user_created'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sms_messages', (t) => t.dropIndex(['user_id', 'created_at'], 'sms_messages_user_created'));
}
