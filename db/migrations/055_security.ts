import type { Knex } from 'knex';

/**
 * Security hardening: accounts whose password someone else chose (the first administrator, an
 * administrator's reset) must change it at the next sign-in; and the counters behind the rate
 * limits, kept in the database so that every API process counts against the same budget.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.boolean('must_change_password').notNullable().defaultTo(false);
  });
  await knex.schema.createTable('rate_limit_counters', (t) => {
    // "<limit name>:<client address or target>", e.g. "login-ip:203.0.113.7".
    t.string('counter_key', 191).primary();
    t.integer('hits').unsigned().notNullable();
    t.timestamp('reset_at', { precision: 3 }).notNullable();
    t.index(['reset_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('rate_limit_counters');
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('must_change_password');
  });
}
