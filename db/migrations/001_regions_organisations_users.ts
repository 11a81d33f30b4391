import type { Knex } from 'knex';

/**
 * The platform's foundation: the administrative places (district → street → residents'
 * committee), the organisations people work for, the people, and their sign-in sessions.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('regions', (t) => {
    t.string('code', 16).primary();
    t.string('name', 64).notNullable();
    t.enum('level', ['city', 'district', 'street', 'community']).notNullable();
    t.string('parent_code', 16).nullable().references('code').inTable('regions');
    t.integer('sort').notNullable().defaultTo(0);
    t.index(['parent_code', 'sort']);
  });

  await knex.schema.createTable('organisations', (t) => {
    t.increments('id').primary();
    t.string('code', 32).notNullable().unique();
    t.string('name', 128).notNullable();
    t.enum('kind', ['city_bureau', 'admin_centre', 'district_bureau', 'street_office', 'enterprise', 'developer', 'owners_committee', 'public']).notNullable();
    t.string('district_code', 16).nullable().references('code').inTable('regions');
    t.string('street_code', 16).nullable().references('code').inTable('regions');
    t.string('phone', 32).nullable();
    t.string('address', 255).nullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('created_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.timestamp('updated_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.index(['kind', 'district_code']);
    t.index(['district_code', 'street_code']);
  });

  await knex.schema.createTable('users', (t) => {
    t.increments('id').primary();
    t.string('username', 64).notNullable().unique();
    t.string('display_name', 64).notNullable();
    t.string('phone', 32).nullable();
    t.string('password_hash', 255).notNullable();
    t.string('role', 32).notNullable();
    t.integer('organisation_id').unsigned().notNullable().references('id').inTable('organisations');
    t.boolean('active').notNullable().defaultTo(true);
    t.integer('failed_attempts').notNullable().defaultTo(0);
    t.timestamp('locked_until', { precision: 3 }).nullable();
    t.timestamp('last_login_at', { precision: 3 }).nullable();
    t.timestamp('password_changed_at', { precision: 3 }).nullable();
    t.timestamp('created_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.timestamp('updated_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.index(['organisation_id']);
    t.index(['role']);
  });

  // The cookie carries a random token; only its SHA-256 is stored, so a leaked table
  // cannot be replayed as sessions.
  await knex.schema.createTable('sessions', (t) => {
    t.string('token_hash', 64).primary();
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.timestamp('created_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.timestamp('expires_at', { precision: 3 }).notNullable();
    t.string('ip', 64).nullable();
    t.string('user_agent', 255).nullable();
    t.index(['user_id']);
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sessions');
  await knex.schema.dropTableIfExists('users');
  await knex.schema.dropTableIfExists('organisations');
  await knex.schema.dropTableIfExists('regions');
}
