import type { Knex } from 'knex';

/**
 * Monthly archives of the operation log (lib/audit/archive.ts, docs/operations.md "Operation log
 * retention"). One row per archived month: the chain range it holds, the boundary MACs (the MAC
 * before its first row and of its last row), the file and its SHA-256, and when its rows were
 * deleted from the database.
 *
 * The delete trigger changes from "never" to "only what is archived and older than 180 days":
 * even the maintenance account, which holds DELETE, cannot remove a row that is in no archive
 * or is younger than the legal minimum (six months, 网络安全法 art. 21), short of dropping the
 * trigger, which is DDL the runtime account cannot run. TRUNCATE skips triggers but needs DROP,
 * which the runtime account does not have either (deploy/mysql/runtime-grants.sql).
 */
const RETENTION_ONLY = `CREATE TRIGGER operation_log_retention_only BEFORE DELETE ON operation_log FOR EACH ROW
BEGIN
  IF OLD.chain_seq IS NULL OR OLD.at > NOW(3) - INTERVAL 180 DAY
     OR NOT EXISTS (SELECT 1 FROM operation_log_archives a WHERE OLD.chain_seq BETWEEN a.first_seq AND a.last_seq) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'operation_log is append-only: only archived rows older than 180 days may be deleted';
  END IF;
END`;
const NO_DELETE = `CREATE TRIGGER operation_log_no_delete BEFORE DELETE ON operation_log FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'operation_log is append-only'`;

async function hasTrigger(knex: Knex, name: string): Promise<boolean> {
  const [rows] = (await knex.raw('SELECT COUNT(*) AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND TRIGGER_NAME = ?', [name])) as [Array<{ n: number }>];
  return Number(rows[0].n) > 0;
}

export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasTable('operation_log_archives'))) {
    await knex.schema.createTable('operation_log_archives', (t) => {
      t.increments('id').primary();
      t.string('month', 7).notNullable().unique();
      t.bigInteger('first_seq').unsigned().notNullable();
      t.bigInteger('last_seq').unsigned().notNullable().unique();
      t.bigInteger('first_id').unsigned().notNullable();
      t.bigInteger('last_id').unsigned().notNullable();
      t.specificType('prev_hmac', 'CHAR(64)').notNullable();
      t.specificType('last_hmac', 'CHAR(64)').notNullable();
      t.integer('row_count').unsigned().notNullable();
      t.string('file', 255).notNullable();
      t.specificType('sha256', 'CHAR(64)').notNullable();
      t.bigInteger('bytes').unsigned().notNullable();
      t.timestamp('archived_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
      t.timestamp('deleted_at', { precision: 3 }).nullable();
      t.integer('deleted_rows').unsigned().nullable();
      t.index(['first_seq']);
    });
  }
  // The new trigger is created before the old one goes (both servers allow two BEFORE DELETE
  // triggers), so there is never a moment when a delete would go through.
  if (!(await hasTrigger(knex, 'operation_log_retention_only'))) await knex.raw(RETENTION_ONLY);
  await knex.raw('DROP TRIGGER IF EXISTS operation_log_no_delete');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS operation_log_retention_only');
  if (!(await hasTrigger(knex, 'operation_log_no_delete'))) await knex.raw(NO_DELETE);
  await knex.schema.dropTableIfExists('operation_log_archives');
}
