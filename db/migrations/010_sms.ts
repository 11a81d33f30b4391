import type { Knex } from 'knex';

/**
 * The SMS platform (M1–M5): modems, categories and subscriptions, notices, every message with its
 * send attempts and their parts, received messages, and reply topics.
 *
 * Exactly-once sending rests on three keys: `sms_messages.idempotency_key` (a message accepted
 * twice is one row), `sms_attempts (message_id, attempt_no)` and `sms_segments (attempt_id,
 * part_no)` (a retried activity finds the step it reached, including the SIM slot that holds a
 * part in doubt). Received messages are keyed by `dedupe_key`, so reading the SIM again after a
 * crash adds nothing.
 */
export async function up(knex: Knex): Promise<void> {
  const now = knex.fn.now(3);
  // MySQL commits each DDL statement on its own, so a migration that failed half-way is rerun
  // over the tables it already made: create only what is missing (as Ghost's helpers do).
  const schema = {
    async createTable(name: string, build: (t: Knex.CreateTableBuilder) => void) {
      if (!(await knex.schema.hasTable(name))) await knex.schema.createTable(name, build);
    },
  };

  await schema.createTable('sms_modems', (t) => {
    t.string('imei', 20).primary();
    t.string('port', 255).notNullable();
    t.string('status', 16).notNullable();
    t.string('reason', 255).nullable();
    t.integer('rssi').nullable();
    t.integer('registration').nullable();
    t.integer('storage_used').nullable();
    t.integer('storage_total').nullable();
    t.string('last_error', 255).nullable();
    t.timestamp('status_since', { precision: 3 }).notNullable().defaultTo(now);
    t.timestamp('updated_at', { precision: 3 }).notNullable().defaultTo(now);
  });

  await schema.createTable('sms_categories', (t) => {
    t.increments('id').primary();
    t.string('code', 32).notNullable().unique();
    t.string('name', 64).notNullable();
    t.string('description', 255).nullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('created_at', { precision: 3 }).notNullable().defaultTo(now);
    t.timestamp('updated_at', { precision: 3 }).notNullable().defaultTo(now);
  });

  await schema.createTable('sms_subscriptions', (t) => {
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.integer('category_id').unsigned().notNullable().references('id').inTable('sms_categories').onDelete('CASCADE');
    t.timestamp('created_at', { precision: 3 }).notNullable().defaultTo(now);
    t.primary(['user_id', 'category_id']);
    t.index(['category_id', 'user_id']);
  });

  await schema.createTable('sms_notices', (t) => {
    t.increments('id').primary();
    t.text('text').notNullable();
    t.string('target_kind', 16).notNullable();
    t.json('target').notNullable();
    // The sender's district: a district user's notice reaches only people in that district.
    t.string('district_code', 16).nullable();
    t.timestamp('send_at', { precision: 3 }).nullable();
    t.string('status', 16).notNullable();
    t.string('workflow_id', 128).notNullable().unique();
    t.integer('created_by').unsigned().nullable().references('id').inTable('users');
    t.integer('recipient_count').notNullable().defaultTo(0);
    t.integer('sent_count').notNullable().defaultTo(0);
    t.integer('failed_count').notNullable().defaultTo(0);
    t.string('error', 500).nullable();
    t.timestamp('created_at', { precision: 3 }).notNullable().defaultTo(now);
    t.timestamp('completed_at', { precision: 3 }).nullable();
    t.index(['status', 'created_at']);
    t.index(['district_code', 'created_at']);
  });

  await schema.createTable('sms_topics', (t) => {
    t.increments('id').primary();
    t.string('topic_key', 191).notNullable().unique();
    t.string('workflow_id', 255).notNullable();
    t.text('question').notNullable();
    t.json('options').notNullable();
    t.string('status', 16).notNullable().defaultTo('open');
    t.timestamp('opened_at', { precision: 3 }).notNullable().defaultTo(now);
    t.timestamp('closes_at', { precision: 3 }).notNullable();
    t.index(['status', 'closes_at']);
  });

  await schema.createTable('sms_messages', (t) => {
    t.bigIncrements('id').primary();
    t.string('idempotency_key', 191).notNullable().unique();
    t.string('phone', 32).notNullable();
    t.text('text').notNullable();
    t.string('encoding', 8).notNullable();
    t.integer('part_count').notNullable();
    t.string('status', 16).notNullable().defaultTo('queued');
    t.integer('user_id').unsigned().nullable();
    t.integer('notice_id').unsigned().nullable().references('id').inTable('sms_notices');
    t.integer('topic_id').unsigned().nullable().references('id').inTable('sms_topics');
    t.timestamp('send_at', { precision: 3 }).nullable();
    // Set when delivery first starts: time the worker was down does not count against it.
    t.timestamp('deadline_at', { precision: 3 }).nullable();
    t.string('modem_imei', 20).nullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('error_code', 32).nullable();
    t.string('error_text', 500).nullable();
    t.timestamp('created_at', { precision: 3 }).notNullable().defaultTo(now);
    t.timestamp('sent_at', { precision: 3 }).nullable();
    t.timestamp('delivered_at', { precision: 3 }).nullable();
    t.timestamp('failed_at', { precision: 3 }).nullable();
    t.timestamp('updated_at', { precision: 3 }).notNullable().defaultTo(now);
    // A notice reaches a phone once, however many of its users share it.
    t.unique(['notice_id', 'phone']);
    t.index(['status', 'created_at']);
    t.index(['modem_imei', 'sent_at']);
    t.index(['sent_at']);
    t.index(['failed_at']);
    t.index(['delivered_at']);
    t.index(['phone', 'created_at']);
    t.index(['created_at']);
  });

  await schema.createTable('sms_attempts', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('message_id').unsigned().notNullable().references('id').inTable('sms_messages');
    t.integer('attempt_no').notNullable();
    t.string('modem_imei', 20).notNullable();
    t.integer('concat_ref').notNullable();
    t.string('status', 16).notNullable().defaultTo('open');
    t.string('error_code', 32).nullable();
    t.string('error_text', 500).nullable();
    t.timestamp('started_at', { precision: 3 }).notNullable().defaultTo(now);
    t.timestamp('finished_at', { precision: 3 }).nullable();
    t.unique(['message_id', 'attempt_no']);
    t.index(['status', 'modem_imei']);
    t.index(['modem_imei', 'finished_at']);
  });

  await schema.createTable('sms_segments', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('attempt_id').unsigned().notNullable().references('id').inTable('sms_attempts');
    t.bigInteger('message_id').unsigned().notNullable();
    t.integer('part_no').notNullable();
    t.integer('part_count').notNullable();
    t.text('pdu').notNullable();
    t.string('modem_imei', 20).notNullable();
    t.string('state', 16).notNullable().defaultTo('pending');
    t.integer('storage_index').nullable();
    t.integer('mr').nullable();
    t.integer('report_status').nullable();
    t.timestamp('submitted_at', { precision: 3 }).nullable();
    t.timestamp('reported_at', { precision: 3 }).nullable();
    t.unique(['attempt_id', 'part_no']);
    t.index(['modem_imei', 'mr', 'submitted_at']);
    t.index(['modem_imei', 'state']);
    t.index(['message_id']);
  });

  await schema.createTable('sms_inbound_parts', (t) => {
    t.bigIncrements('id').primary();
    t.string('modem_imei', 20).notNullable();
    t.string('sender', 32).notNullable();
    t.integer('concat_ref').notNullable();
    t.integer('part_count').notNullable();
    t.integer('part_no').notNullable();
    t.text('text').notNullable();
    t.timestamp('sent_at', { precision: 3 }).notNullable();
    t.timestamp('created_at', { precision: 3 }).notNullable().defaultTo(now);
    t.unique(['modem_imei', 'sender', 'concat_ref', 'part_count', 'part_no'], { indexName: 'sms_inbound_parts_key' });
  });

  await schema.createTable('sms_inbound', (t) => {
    t.bigIncrements('id').primary();
    t.string('dedupe_key', 191).notNullable().unique();
    t.string('modem_imei', 20).notNullable();
    t.string('sender', 32).notNullable();
    t.string('sender_normalised', 32).notNullable();
    t.text('text').notNullable();
    t.timestamp('sent_at', { precision: 3 }).notNullable();
    t.timestamp('received_at', { precision: 3 }).notNullable().defaultTo(now);
    t.integer('topic_id').unsigned().nullable().references('id').inTable('sms_topics');
    t.string('reply_option', 16).nullable();
    t.index(['received_at']);
    t.index(['modem_imei', 'received_at']);
    t.index(['sender_normalised', 'received_at']);
  });

  await schema.createTable('sms_topic_recipients', (t) => {
    t.integer('topic_id').unsigned().notNullable().references('id').inTable('sms_topics');
    t.string('phone_normalised', 32).notNullable();
    t.bigInteger('message_id').unsigned().nullable();
    t.primary(['topic_id', 'phone_normalised']);
    t.index(['phone_normalised', 'topic_id']);
  });

  await schema.createTable('sms_topic_replies', (t) => {
    t.bigIncrements('id').primary();
    t.integer('topic_id').unsigned().notNullable().references('id').inTable('sms_topics');
    t.bigInteger('inbound_id').unsigned().notNullable().unique().references('id').inTable('sms_inbound');
    t.string('phone_normalised', 32).notNullable();
    t.string('option_key', 16).nullable();
    t.text('text').notNullable();
    t.timestamp('received_at', { precision: 3 }).notNullable();
    t.timestamp('signalled_at', { precision: 3 }).nullable();
    t.string('signal_error', 255).nullable();
    t.index(['topic_id', 'phone_normalised']);
    t.index(['signalled_at']);
  });

  // Categories every deployment starts with; administrators add more.
  await knex('sms_categories')
    .insert([
      { code: 'policy', name: '政策法规通知', description: '物业管理政策、法规和规范性文件发布' },
      { code: 'credit', name: '信用评价通知', description: '信用预扣分、申诉期限和最终得分' },
      { code: 'approval', name: '审批进度提醒', description: '办件受理、补正、办结提醒' },
      { code: 'inspection', name: '检查与整改', description: '专项检查、整改通知和复查' },
      { code: 'emergency', name: '紧急通知', description: '防汛、消防、停水停电等紧急事项' },
    ])
    .onConflict('code')
    .ignore();
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['sms_topic_replies', 'sms_topic_recipients', 'sms_inbound', 'sms_inbound_parts', 'sms_segments', 'sms_attempts', 'sms_messages', 'sms_topics', 'sms_notices', 'sms_subscriptions', 'sms_categories', 'sms_modems']) {
    await knex.schema.dropTableIfExists(table);
  }
}
