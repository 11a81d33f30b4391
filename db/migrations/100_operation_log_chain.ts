import type { Knex } from 'knex';
import { chainExistingOperations } from '../operation-log';

/**
 * The operation log's hash chain (db/operation-log.ts explains the design): each row carries its
 * place in the chain (`chain_seq`), the id of the key its MAC was made with (`chain_key`, so a key
 * rotation keeps old rows verifiable) and the MAC itself (`chain_hmac`), which covers the row's
 * content and the previous row's MAC. `operation_log_head` is the one row every writer locks to
 * append, so concurrent writers take turns and the chain never forks.
 *
 * Rows written before this migration are chained here, in id order (the update trigger is
 * lifted for that and put back, whatever happens). Every step checks first, because MySQL
 * commits DDL implicitly: a migration that failed half-way is simply run again.
 */
const NO_UPDATE = `CREATE TRIGGER operation_log_no_update BEFORE UPDATE ON operation_log FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'operation_log is append-only'`;

async function hasTrigger(knex: Knex, name: string): Promise<boolean> {
  const [rows] = (await knex.raw('SELECT COUNT(*) AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND TRIGGER_NAME = ?', [name])) as [Array<{ n: number }>];
  return Number(rows[0].n) > 0;
}

export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasColumn('operation_log', 'chain_seq'))) {
    await knex.schema.alterTable('operation_log', (t) => {
      t.bigInteger('chain_seq').unsigned().nullable().unique('operation_log_chain_seq_unique');
      t.string('chain_key', 16).nullable();
      t.specificType('chain_hmac', 'CHAR(64)').nullable();
    });
  }
  if (!(await knex.schema.hasTable('operation_log_head'))) {
    await knex.schema.createTable('operation_log_head', (t) => {
      t.tinyint('id').unsigned().primary();
      t.bigInteger('last_seq').unsigned().notNullable();
      t.specificType('last_hmac', 'CHAR(64)').notNullable();
      t.timestamp('updated_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    });
  }
  await knex.raw('DROP TRIGGER IF EXISTS operation_log_no_update');
  try {
    await knex.transaction((trx) => chainExistingOperations(trx));
  } finally {
    if (!(await hasTrigger(knex, 'operation_log_no_update'))) await knex.raw(NO_UPDATE);
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('operation_log_head');
  await knex.raw('DROP TRIGGER IF EXISTS operation_log_no_update');
  try {
    if (await knex.schema.hasColumn('operation_log', 'chain_seq')) {
      await knex.schema.alterTable('operation_log', (t) => {
        t.dropUnique(['chain_seq'], 'operation_log_chain_seq_unique');
        t.dropColumn('chain_seq');
        t.dropColumn('chain_key');
        t.dropColumn('chain_hmac');
      });
    }
  } finally {
    if (!(await hasTrigger(knex, 'operation_log_no_update'))) await knex.raw(NO_UPDATE);
  }
}
