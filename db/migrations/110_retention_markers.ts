import type { Knex } from 'knex';

/**
 * Retention (PIPL art. 19, 47; docs/retention.md): the markers the daily retention run reads.
 *
 * - users.deactivated_at: when an account was disabled. Kept by a trigger rather than by the
 *   application, so every writer (the accounts API, the setup CLI, a manual UPDATE) counts, and
 *   `updated_at` (moved by unrelated edits) never postpones or advances the deadline.
 *   Accounts disabled before this migration take their last update as the date.
 * - users / enterprise_staff / committee_members.anonymised_at: set once a row's personal fields
 *   are replaced, so the run skips it (idempotent) and an auditor can list what was done.
 *
 * MySQL commits each DDL statement on its own: every step checks first, so a rerun after a
 * failure completes instead of failing on what was already done.
 */
async function addColumn(knex: Knex, table: string, column: string, build: (t: Knex.AlterTableBuilder) => void): Promise<void> {
  if (!(await knex.schema.hasColumn(table, column))) await knex.schema.alterTable(table, build);
}

async function indexNames(knex: Knex, table: string): Promise<Set<string>> {
  return new Set(((await knex.raw(`SHOW INDEX FROM \`${table}\``))[0] as Array<{ Key_name: string }>).map((r) => r.Key_name));
}

export async function up(knex: Knex): Promise<void> {
  await addColumn(knex, 'users', 'deactivated_at', (t) => {
    t.timestamp('deactivated_at', { precision: 3 }).nullable();
  });
  await addColumn(knex, 'users', 'anonymised_at', (t) => {
    t.timestamp('anonymised_at', { precision: 3 }).nullable();
  });
  await addColumn(knex, 'enterprise_staff', 'anonymised_at', (t) => {
    t.timestamp('anonymised_at', { precision: 3 }).nullable();
  });
  await addColumn(knex, 'committee_members', 'anonymised_at', (t) => {
    t.timestamp('anonymised_at', { precision: 3 }).nullable();
  });

  await knex('users')
    .where('active', 0)
    .whereNull('deactivated_at')
    .update({ deactivated_at: knex.ref('updated_at') });

  // Disabling stamps the time; enabling clears it; a statement that sets the column itself
  // (a backfill, a test backdating an account) keeps its value while the account stays disabled.
  await knex.raw('DROP TRIGGER IF EXISTS users_deactivated_at');
  await knex.raw(`CREATE TRIGGER users_deactivated_at BEFORE UPDATE ON users FOR EACH ROW
    SET NEW.deactivated_at = CASE WHEN NEW.active = 1 THEN NULL ELSE IFNULL(NEW.deactivated_at, UTC_TIMESTAMP(3)) END`);
  await knex.raw('DROP TRIGGER IF EXISTS users_deactivated_at_insert');
  await knex.raw(`CREATE TRIGGER users_deactivated_at_insert BEFORE INSERT ON users FOR EACH ROW
    SET NEW.deactivated_at = CASE WHEN NEW.active = 1 THEN NULL ELSE IFNULL(NEW.deactivated_at, UTC_TIMESTAMP(3)) END`);

  // The run's batch queries: "disabled, not yet anonymised, oldest first" and "left, not yet anonymised".
  const users = await indexNames(knex, 'users');
  if (!users.has('users_retention_index')) {
    await knex.schema.alterTable('users', (t) => {
      t.index(['active', 'anonymised_at', 'deactivated_at'], 'users_retention_index');
    });
  }
  const staff = await indexNames(knex, 'enterprise_staff');
  if (!staff.has('enterprise_staff_retention_index')) {
    await knex.schema.alterTable('enterprise_staff', (t) => {
      t.index(['active', 'anonymised_at', 'left_on'], 'enterprise_staff_retention_index');
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS users_deactivated_at');
  await knex.raw('DROP TRIGGER IF EXISTS users_deactivated_at_insert');
  await knex.schema.alterTable('enterprise_staff', (t) => {
    t.dropIndex(['active', 'anonymised_at', 'left_on'], 'enterprise_staff_retention_index');
    t.dropColumn('anonymised_at');
  });
  await knex.schema.alterTable('committee_members', (t) => {
    t.dropColumn('anonymised_at');
  });
  await knex.schema.alterTable('users', (t) => {
    t.dropIndex(['active', 'anonymised_at', 'deactivated_at'], 'users_retention_index');
    t.dropColumn('anonymised_at');
    t.dropColumn('deactivated_at');
  });
}
