import type { Knex } from 'knex';

/**
 * Credit standards (C1) and records scored under them (C2, docs/credit.md): the city's versioned
 * catalogue of items and its scoring model; each record names the item and the version it was
 * scored under, with its own validity (the last day it counts; none: until rectified), its
 * evidence and who recorded it. Scores keep the grade they give.
 */
export async function up(knex: Knex): Promise<void> {
  const now = knex.raw('CURRENT_TIMESTAMP(3)');
  if (!(await knex.schema.hasTable('credit_standards'))) {
    await knex.schema.createTable('credit_standards', (t) => {
      t.increments('id');
      /** Numbered when published (1, 2, …); a draft has none. */
      t.integer('version').unsigned().nullable().unique();
      t.string('name', 128).notNullable();
      t.enum('status', ['draft', 'published']).notNullable().defaultTo('draft');
      /** The first Beijing day records are scored under it (published versions only). */
      t.date('effective_from').nullable();
      t.json('model').notNullable();
      t.integer('created_by').unsigned().nullable().references('id').inTable('users');
      t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(now);
      t.integer('published_by').unsigned().nullable().references('id').inTable('users');
      t.datetime('published_at', { precision: 3 }).nullable();
      t.index(['status', 'effective_from'], 'credit_standards_in_force');
    });
  }
  if (!(await knex.schema.hasTable('credit_standard_items'))) {
    await knex.schema.createTable('credit_standard_items', (t) => {
      t.increments('id');
      t.integer('standard_id').unsigned().notNullable().references('id').inTable('credit_standards').onDelete('CASCADE');
      t.string('code', 32).notNullable();
      t.string('name', 128).notNullable();
      t.enum('data_class', ['self_check', 'daily_service', 'business_info']).notNullable();
      t.enum('area', ['basic_info', 'performance', 'safety', 'disputes']).notNullable();
      t.enum('kind', ['good', 'bad']).notNullable();
      t.decimal('points_min', 5, 2).notNullable();
      t.decimal('points_max', 5, 2).notNullable();
      t.smallint('validity_months').unsigned().nullable();
      t.boolean('veto').notNullable().defaultTo(false);
      t.json('subjects').notNullable();
      t.boolean('evidence_required').notNullable().defaultTo(true);
      t.decimal('manager_share', 3, 2).notNullable().defaultTo(0);
      t.unique(['standard_id', 'code'], { indexName: 'credit_standard_items_code' });
    });
  }
  if (!(await knex.schema.hasColumn('credit_events', 'item_id'))) {
    await knex.schema.alterTable('credit_events', (t) => {
      t.integer('item_id').unsigned().nullable().references('id').inTable('credit_standard_items');
      t.integer('standard_id').unsigned().nullable().references('id').inTable('credit_standards');
      /** The last day the record counts; null: until rectified (`rectified_on`). */
      t.date('valid_until').nullable();
      t.date('rectified_on').nullable();
      t.boolean('veto').notNullable().defaultTo(false);
      t.json('evidence').nullable();
      t.integer('recorded_by').unsigned().nullable().references('id').inTable('users');
    });
    // Records from before standards counted for a year, as the default validity says.
    await knex.raw('UPDATE credit_events SET valid_until = DATE_SUB(DATE_ADD(occurred_on, INTERVAL 12 MONTH), INTERVAL 1 DAY) WHERE valid_until IS NULL');
    // The platform's own sources of records (C2): overdue rectifications, registry data past its deadline, the bureau's honours.
    await knex.raw("ALTER TABLE credit_events MODIFY source ENUM('complaint_system','petition_system','inspection','media','maintenance_fund_system','self_check','manual','approval','rectification','registry_deadline','bureau') NOT NULL");
  }
  if (!(await knex.schema.hasColumn('credit_scores', 'grade'))) {
    await knex.schema.alterTable('credit_scores', (t) => {
      t.string('grade', 8).nullable();
      t.boolean('veto').notNullable().defaultTo(false);
      t.integer('standard_id').unsigned().nullable();
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('credit_scores', (t) => {
    t.dropColumn('grade');
    t.dropColumn('veto');
    t.dropColumn('standard_id');
  });
  await knex.schema.alterTable('credit_events', (t) => {
    t.dropForeign(['item_id']);
    t.dropForeign(['standard_id']);
    t.dropForeign(['recorded_by']);
    for (const c of ['item_id', 'standard_id', 'valid_until', 'rectified_on', 'veto', 'evidence', 'recorded_by']) t.dropColumn(c);
  });
  await knex.schema.dropTableIfExists('credit_standard_items');
  await knex.schema.dropTableIfExists('credit_standards');
}
