import type { Knex } from 'knex';

/**
 * Deployed DMN decisions (docs/process-engine.md, "Decisions"): each decision of a published DMN
 * file, versioned by its decision id as Camunda 8 versions decisions; a business rule task calls
 * the latest version of its decision id. Every row keeps the whole file's compiled model (its
 * required decisions live there too) and the XML as published.
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('decision_versions')) return;
  await knex.schema.createTable('decision_versions', (t) => {
    t.increments('id');
    t.string('decision_id', 128).notNullable();
    t.integer('version').notNullable();
    t.string('name', 255).nullable();
    // The DMN definitions (decision requirements graph) the decision was published in.
    t.string('definitions_id', 128).notNullable();
    t.specificType('xml', 'mediumtext').notNullable();
    t.json('model').notNullable();
    t.string('checksum', 64).notNullable();
    t.integer('published_by').unsigned().nullable().references('id').inTable('users');
    t.datetime('published_at', { precision: 3 }).notNullable();
    t.unique(['decision_id', 'version'], { indexName: 'decision_versions_key' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('decision_versions');
}
