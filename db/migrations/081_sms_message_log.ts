import type { Knex } from 'knex';

/**
 * The SMS message log at a province's volume (M5): every filter of GET /api/sms/messages reads
 * one ordered index range instead of scanning or sorting the table.
 *
 * - `phone_normalised` holds the number the way lib/sms/phone.ts normalisePhone spells it
 *   ("+8613800000001" → "13800000001"), so the phone search is a prefix range of an index and
 *   finds a number however the sender wrote it. It replaces the (phone, created_at) index, which
 *   only a contains-search (no index can serve it) ever used.
 * - (status, id), (modem_imei, id), (notice_id, id), (phone_normalised, id): each filter in the
 *   log's default order, newest first, so a page stops after the rows it shows. (topic_id has the
 *   foreign key's index, which InnoDB already keeps in id order; date ranges use (created_at).)
 */
const BATCH = 10_000;

// The same rule as normalisePhone, for rows written before the column existed: their phones
// were stored with separators already removed (activities/sms/messages.ts acceptMessage).
const NORMALISED = "CASE WHEN phone REGEXP '^([+]86|0086|86)?1[3-9][0-9]{9}$' THEN RIGHT(phone, 11) ELSE phone END";

export async function up(knex: Knex): Promise<void> {
  // MySQL commits each DDL statement on its own: a rerun after a failure skips what was done.
  if (!(await knex.schema.hasColumn('sms_messages', 'phone_normalised'))) {
    await knex.schema.alterTable('sms_messages', (t) => {
      t.string('phone_normalised', 32).notNullable().defaultTo('').after('phone');
    });
  }
  // In batches of ids, so a large table is not one long transaction.
  const bounds = (await knex('sms_messages').min({ lo: 'id' }).max({ hi: 'id' }).first()) as { lo: number | null; hi: number | null };
  for (let lo = Number(bounds.lo ?? 1); bounds.hi !== null && lo <= Number(bounds.hi); lo += BATCH) {
    await knex('sms_messages')
      .whereBetween('id', [lo, lo + BATCH - 1])
      .where('phone_normalised', '')
      .update({ phone_normalised: knex.raw(NORMALISED) });
  }

  const existing = new Set(((await knex.raw('SHOW INDEX FROM sms_messages'))[0] as Array<{ Key_name: string }>).map((r) => r.Key_name));
  await knex.schema.alterTable('sms_messages', (t) => {
    if (!existing.has('sms_messages_status_id_idx')) t.index(['status', 'id'], 'sms_messages_status_id_idx');
    if (!existing.has('sms_messages_modem_id_idx')) t.index(['modem_imei', 'id'], 'sms_messages_modem_id_idx');
    if (!existing.has('sms_messages_notice_id_idx')) t.index(['notice_id', 'id'], 'sms_messages_notice_id_idx');
    if (!existing.has('sms_messages_phone_norm_id_idx')) t.index(['phone_normalised', 'id'], 'sms_messages_phone_norm_id_idx');
    if (existing.has('sms_messages_phone_created_at_index')) t.dropIndex(['phone', 'created_at'], 'sms_messages_phone_created_at_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sms_messages', (t) => {
    t.index(['phone', 'created_at'], 'sms_messages_phone_created_at_index');
    t.dropIndex(['status', 'id'], 'sms_messages_status_id_idx');
    t.dropIndex(['modem_imei', 'id'], 'sms_messages_modem_id_idx');
    t.dropIndex(['notice_id', 'id'], 'sms_messages_notice_id_idx');
    t.dropIndex(['phone_normalised', 'id'], 'sms_messages_phone_norm_id_idx');
    t.dropColumn('phone_normalised');
  });
}
