import type { Knex } from 'knex';

/**
 * The operation log (R2): one row per write and per denied attempt. It is append-only, and the
 * database enforces that with triggers, so not even a bug in the application can rewrite history.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('operation_log', (t) => {
    t.bigIncrements('id').primary();
    t.timestamp('at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.integer('user_id').unsigned().nullable();
    t.string('username', 64).nullable();
    t.string('role', 32).nullable();
    t.integer('organisation_id').unsigned().nullable();
    t.string('ip', 64).nullable();
    t.string('method', 8).notNullable();
    t.string('path', 255).notNullable();
    t.string('action', 64).notNullable();
    t.string('target_type', 64).nullable();
    t.string('target_id', 64).nullable();
    t.enum('result', ['ok', 'denied', 'failed']).notNullable();
    t.integer('status').notNullable();
    t.string('request_id', 64).nullable();
    t.json('detail').nullable();
    t.index(['at']);
    t.index(['user_id', 'at']);
    t.index(['action', 'at']);
    t.index(['result', 'at']);
    t.index(['target_type', 'target_id']);
  });
  await knex.raw(`CREATE TRIGGER operation_log_no_update BEFORE UPDATE ON operation_log FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'operation_log is append-only'`);
  await knex.raw(`CREATE TRIGGER operation_log_no_delete BEFORE DELETE ON operation_log FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'operation_log is append-only'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS operation_log_no_update');
  await knex.raw('DROP TRIGGER IF EXISTS operation_log_no_delete');
  await knex.schema.dropTableIfExists('operation_log');
}
