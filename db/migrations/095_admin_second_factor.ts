import type { Knex } from 'knex';

/**
 * Authentication of privileged users (issue 12, 等保三级 identity and access control):
 * - users: a TOTP second factor (RFC 6238) — the secret encrypted with lib/crypto/fields.ts, a
 *   pending secret while enrolment waits for its first code, and the last time step accepted so
 *   that a code is refused when replayed within its window;
 * - user_recovery_codes: ten single-use codes per account, stored as SHA-256 (they are 50 random
 *   bits each, so a fast hash suffices; argon2 would cost ten slow verifications per attempt);
 * - user_password_history: argon2id hashes of an account's earlier passwords (no reuse of the last N);
 * - sessions.last_seen_at: the idle timeout beside the absolute one.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.string('totp_secret', 255).nullable();
    t.string('totp_pending_secret', 255).nullable();
    t.timestamp('totp_enabled_at', { precision: 3 }).nullable();
    t.bigInteger('totp_last_step').nullable();
  });
  await knex.schema.createTable('user_recovery_codes', (t) => {
    t.increments('id').primary();
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('code_hash', 64).notNullable();
    t.timestamp('created_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.timestamp('used_at', { precision: 3 }).nullable();
    t.unique(['user_id', 'code_hash']);
  });
  await knex.schema.createTable('user_password_history', (t) => {
    t.increments('id').primary();
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('password_hash', 255).notNullable();
    t.timestamp('created_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.index(['user_id', 'id']);
  });
  await knex.schema.alterTable('sessions', (t) => {
    t.timestamp('last_seen_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.index(['last_seen_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sessions', (t) => {
    t.dropIndex(['last_seen_at']);
    t.dropColumn('last_seen_at');
  });
  await knex.schema.dropTableIfExists('user_password_history');
  await knex.schema.dropTableIfExists('user_recovery_codes');
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('totp_secret');
    t.dropColumn('totp_pending_secret');
    t.dropColumn('totp_enabled_at');
    t.dropColumn('totp_last_step');
  });
}
