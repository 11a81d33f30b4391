import type { Knex } from 'knex';

/**
 * Uploaded and generated files (attachments, certificates): the bytes live on disk, named by
 * their SHA-256 (so a file uploaded twice is stored once); this table holds what people see.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('files', (t) => {
    t.uuid('id').primary();
    t.string('sha256', 64).notNullable();
    t.string('name', 255).notNullable();
    t.string('mime', 128).notNullable();
    t.bigInteger('size').unsigned().notNullable();
    t.integer('uploaded_by').unsigned().nullable().references('id').inTable('users');
    t.string('source', 32).notNullable().defaultTo('upload');
    t.timestamp('created_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.index(['sha256']);
    t.index(['uploaded_by', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('files');
}
