import type { Knex } from 'knex';

/**
 * Retention of SMS (docs/retention.md): after RETENTION_SMS_DAYS a message keeps its counts and
 * times (statistics, M5) but loses its text and all but a masked phone number. `redacted_at`
 * marks the rows done, and the (redacted_at, time) indexes make "not yet redacted and older
 * than the cut-off, oldest first" one index range, however many rows were redacted before.
 */
const TABLES: Array<[table: string, time: string]> = [
  ['sms_messages', 'created_at'],
  ['sms_inbound', 'received_at'],
  ['sms_topic_replies', 'received_at'],
];

const indexName = (table: string) => `${table}_redaction_index`;

export async function up(knex: Knex): Promise<void> {
  for (const [table, time] of TABLES) {
    // Each DDL statement commits on its own: check first, so a rerun after a failure completes.
    if (!(await knex.schema.hasColumn(table, 'redacted_at'))) {
      await knex.schema.alterTable(table, (t) => {
        t.timestamp('redacted_at', { precision: 3 }).nullable();
      });
    }
    const existing = new Set(((await knex.raw(`SHOW INDEX FROM \`${table}\``))[0] as Array<{ Key_name: string }>).map((r) => r.Key_name));
    if (!existing.has(indexName(table))) {
      await knex.schema.alterTable(table, (t) => {
        t.index(['redacted_at', time], indexName(table));
      });
    }
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const [table, time] of TABLES) {
    await knex.schema.alterTable(table, (t) => {
      t.dropIndex(['redacted_at', time], indexName(table));
      t.dropColumn('redacted_at');
    });
  }
}
