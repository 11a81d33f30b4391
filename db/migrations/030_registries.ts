import type { Knex } from 'knex';

/**
 * The four base databases (D1–D5): property projects with their buildings and facilities,
 * enterprises (property-service companies, developers, subcontractors) and their staff, owners'
 * committees with members and contracted providers, and the credit archive (events, trainings
 * and exams, current scores). Plus the registry's own bookkeeping: the change history of every
 * record, and the ledger that makes the approvals' writes idempotent.
 *
 * Enterprises and owners' committees share their primary key with `organisations`: the registry
 * row *is* the organisation's registry data (one-to-one). Users belong to organisations and
 * scope works on organisation ids, so "an enterprise sees only its own records" needs no mapping
 * table and cannot drift: `enterprises.id = users.organisation_id`.
 */
export async function up(knex: Knex): Promise<void> {
  const now = knex.fn.now(3);
  // MySQL commits each DDL statement on its own; a rerun after a half-way failure creates only
  // what is missing (Ghost's approach).
  const createTable = async (name: string, build: (t: Knex.CreateTableBuilder) => void) => {
    if (!(await knex.schema.hasTable(name))) await knex.schema.createTable(name, build);
  };
  /** Review state and optimistic-lock version of an approvable registry record. */
  const bookkeeping = (t: Knex.CreateTableBuilder) => {
    t.boolean('approved').notNullable().defaultTo(false);
    t.timestamp('approved_at', { precision: 3 }).nullable();
    t.integer('approved_by').unsigned().nullable();
    t.integer('version').unsigned().notNullable().defaultTo(1);
    t.timestamp('created_at', { precision: 3 }).notNullable().defaultTo(now);
    t.timestamp('updated_at', { precision: 3 }).notNullable().defaultTo(now);
    t.integer('updated_by').unsigned().nullable();
    t.index(['approved']);
  };
  const regionRef = (t: Knex.CreateTableBuilder, column: string, nullable: boolean) => {
    const c = t.string(column, 16);
    (nullable ? c.nullable() : c.notNullable()).references('code').inTable('regions');
  };

  await createTable('enterprises', (t) => {
    t.integer('id').unsigned().primary().references('id').inTable('organisations');
    t.enum('kind', ['property_service', 'developer', 'subcontractor']).notNullable();
    t.enum('specialty', ['repair', 'elevator', 'security', 'cleaning', 'greening']).nullable();
    /** A subcontractor's principal property-service company (物业服务企业属下专业公司). */
    t.integer('parent_enterprise_id').unsigned().nullable().references('id').inTable('enterprises');
    t.string('name', 128).notNullable();
    t.string('credit_code', 18).notNullable().unique();
    t.string('legal_representative', 64).notNullable();
    t.decimal('registered_capital', 14, 2).nullable();
    t.date('established_on').nullable();
    t.string('address', 255).nullable();
    regionRef(t, 'district_code', false);
    regionRef(t, 'street_code', true);
    t.string('phone', 32).nullable();
    t.string('service_phone', 32).nullable();
    t.string('email', 128).nullable();
    t.integer('employees').unsigned().nullable();
    t.boolean('out_of_town').notNullable().defaultTo(false);
    t.enum('qualification_level', ['level_1', 'level_2', 'level_3', 'provisional', 'none']).notNullable().defaultTo('none');
    t.string('qualification_certificate_no', 64).nullable();
    t.date('qualification_valid_until').nullable();
    t.text('remarks').nullable();
    bookkeeping(t);
    t.index(['district_code', 'street_code']);
    t.index(['kind', 'name']);
    t.index(['qualification_level']);
    t.index(['name']);
  });

  await createTable('property_projects', (t) => {
    t.increments('id').primary();
    t.string('code', 32).notNullable().unique();
    t.string('name', 128).notNullable();
    t.string('address', 255).notNullable();
    regionRef(t, 'district_code', false);
    regionRef(t, 'street_code', true);
    regionRef(t, 'community_code', true);
    t.string('ring_road', 32).nullable();
    t.string('block', 64).nullable();
    t.string('housing_office', 64).nullable();
    t.string('postcode', 6).nullable();
    t.decimal('longitude', 10, 6).nullable();
    t.decimal('latitude', 10, 6).nullable();
    t.decimal('land_area', 12, 2).nullable();
    t.decimal('floor_area', 12, 2).nullable();
    t.string('door_numbers', 255).nullable();
    t.smallint('build_year').unsigned().nullable();
    t.enum('nature', ['residential_high_rise', 'residential_multi_storey', 'detached_villa', 'terraced_villa', 'commercial_office', 'public_utility']).notNullable();
    t.enum('management_mode', ['entrusted', 'self_managed']).notNullable();
    t.integer('enterprise_id').unsigned().nullable().references('id').inTable('enterprises');
    t.integer('developer_id').unsigned().nullable().references('id').inTable('enterprises');
    for (const c of ['buildings_count', 'floors_max', 'stairs_count', 'households', 'elevators', 'parking_total', 'parking_above', 'parking_below', 'entrances_24h', 'entrances_timed', 'water_tanks', 'reservoirs']) {
      t.integer(c).unsigned().nullable();
    }
    for (const c of ['property_rooms_area', 'office_rooms_area', 'commercial_rooms_area']) t.decimal(c, 12, 2).nullable();
    for (const c of ['fire_hydrants', 'fire_extinguishers', 'smoke_detectors', 'heat_detectors', 'sprinkler_pumps', 'sprinkler_heads', 'video_cameras']) {
      t.integer(c).unsigned().nullable();
    }
    for (const c of ['fire_alarm_system', 'perimeter_alarm', 'video_control_room', 'access_control', 'indoor_alarm', 'physical_protection']) {
      t.boolean(c).notNullable().defaultTo(false);
    }
    t.string('maintenance_fund_account', 64).nullable();
    t.decimal('maintenance_fund_balance', 14, 2).nullable();
    t.string('office_name', 128).nullable();
    t.string('office_address', 255).nullable();
    t.string('manager_name', 64).nullable();
    t.string('manager_mobile', 32).nullable();
    t.string('manager_phone', 32).nullable();
    t.string('manager_certificate_no', 64).nullable();
    t.string('email', 128).nullable();
    t.string('day_repair_phone', 32).nullable();
    t.string('night_repair_phone', 32).nullable();
    t.text('remarks').nullable();
    bookkeeping(t);
    t.index(['district_code', 'street_code', 'id']);
    t.index(['enterprise_id']);
    t.index(['developer_id']);
    t.index(['name']);
    t.index(['nature']);
    t.index(['management_mode']);
    t.index(['build_year']);
  });

  await createTable('project_buildings', (t) => {
    t.increments('id').primary();
    t.integer('project_id').unsigned().notNullable().references('id').inTable('property_projects').onDelete('CASCADE');
    t.string('number', 32).notNullable();
    t.string('door_number', 128).nullable();
    t.smallint('floors_above').unsigned().nullable();
    t.smallint('floors_below').unsigned().nullable();
    t.smallint('stairs').unsigned().nullable();
    t.integer('households').unsigned().nullable();
    t.smallint('elevators').unsigned().nullable();
    t.string('structure', 32).nullable();
    t.smallint('build_year').unsigned().nullable();
    t.index(['project_id']);
  });

  await createTable('project_facilities', (t) => {
    t.increments('id').primary();
    t.integer('project_id').unsigned().notNullable().references('id').inTable('property_projects').onDelete('CASCADE');
    t.string('kind', 32).notNullable();
    t.string('name', 128).notNullable();
    t.integer('quantity').unsigned().notNullable().defaultTo(1);
    t.string('location', 128).nullable();
    t.enum('status', ['good', 'fair', 'poor', 'out_of_service']).notNullable().defaultTo('good');
    t.date('last_checked_on').nullable();
    t.index(['project_id']);
    t.index(['kind']);
  });

  await createTable('enterprise_staff', (t) => {
    t.increments('id').primary();
    t.integer('enterprise_id').unsigned().notNullable().references('id').inTable('enterprises');
    t.string('name', 64).notNullable();
    t.string('id_number', 18).notNullable();
    t.string('mobile', 32).nullable();
    t.enum('role', ['legal_representative', 'principal', 'project_manager', 'professional', 'technical', 'repair_duty', 'certified_operator']).notNullable();
    t.string('title', 64).nullable();
    t.string('certificate_type', 64).nullable();
    t.string('certificate_no', 64).nullable();
    t.date('certificate_valid_until').nullable();
    t.integer('project_id').unsigned().nullable().references('id').inTable('property_projects');
    t.boolean('active').notNullable().defaultTo(true);
    t.date('registered_on').nullable();
    t.date('left_on').nullable();
    /** Derived, kept in the same transaction as every staff write: the person is active at another enterprise too (重复挂职). */
    t.boolean('duplicate_registration').notNullable().defaultTo(false);
    bookkeeping(t);
    t.unique(['enterprise_id', 'id_number']);
    t.index(['id_number', 'active']);
    t.index(['enterprise_id', 'role']);
    t.index(['duplicate_registration', 'id_number']);
    t.index(['project_id']);
    t.index(['name']);
  });

  await createTable('owners_committees', (t) => {
    t.integer('id').unsigned().primary().references('id').inTable('organisations');
    t.string('name', 128).notNullable();
    t.integer('project_id').unsigned().notNullable().references('id').inTable('property_projects');
    regionRef(t, 'district_code', false);
    regionRef(t, 'street_code', true);
    t.string('office_address', 255).nullable();
    t.string('phone_24h', 32).nullable();
    t.date('established_on').nullable();
    t.date('term_starts_on').nullable();
    t.date('term_ends_on').nullable();
    t.string('filing_no', 64).nullable();
    t.enum('status', ['preparing', 'active', 'expired', 'dissolved']).notNullable().defaultTo('active');
    t.text('remarks').nullable();
    bookkeeping(t);
    t.index(['district_code', 'street_code']);
    t.index(['project_id']);
    t.index(['status']);
  });

  await createTable('committee_members', (t) => {
    t.increments('id').primary();
    t.integer('committee_id').unsigned().notNullable().references('id').inTable('owners_committees').onDelete('CASCADE');
    t.string('name', 64).notNullable();
    t.enum('position', ['director', 'deputy_director', 'member']).notNullable();
    t.boolean('officer').notNullable().defaultTo(false);
    t.string('responsibility', 128).nullable();
    t.string('phone', 32).nullable();
    t.smallint('birth_year').unsigned().nullable();
    t.string('political_status', 16).nullable();
    t.index(['committee_id']);
  });

  await createTable('committee_providers', (t) => {
    t.increments('id').primary();
    t.integer('committee_id').unsigned().notNullable().references('id').inTable('owners_committees').onDelete('CASCADE');
    t.enum('service', ['property_service', 'security', 'cleaning', 'greening', 'repair', 'elevator']).notNullable();
    t.integer('enterprise_id').unsigned().nullable().references('id').inTable('enterprises');
    t.string('provider_name', 128).notNullable();
    t.string('qualification', 64).nullable();
    t.string('contact_person', 64).nullable();
    t.string('phone', 32).nullable();
    t.date('contract_starts_on').nullable();
    t.date('contract_ends_on').nullable();
    t.index(['committee_id']);
    t.index(['enterprise_id']);
  });

  await createTable('credit_events', (t) => {
    t.increments('id').primary();
    t.integer('enterprise_id').unsigned().notNullable().references('id').inTable('enterprises');
    /** Set when the event concerns a project manager (or other staff) personally. */
    t.integer('staff_id').unsigned().nullable().references('id').inTable('enterprise_staff');
    t.integer('project_id').unsigned().nullable().references('id').inTable('property_projects');
    t.string('district_code', 16).notNullable();
    t.enum('category', ['complaint', 'petition', 'daily_service', 'reward', 'penalty', 'honour', 'praise', 'overdue_rectification', 'media', 'maintenance_fund', 'late_update', 'self_check']).notNullable();
    t.decimal('points', 7, 2).notNullable();
    t.enum('source', ['complaint_system', 'petition_system', 'inspection', 'media', 'maintenance_fund_system', 'self_check', 'manual', 'approval']).notNullable();
    /** The record's id in the source system; with `source`, the key that makes a re-import a no-op. */
    t.string('source_ref', 64).nullable();
    t.date('occurred_on').notNullable();
    t.string('description', 500).notNullable();
    /** pending = pre-deduction, open to appeal (C3); only final events count in scores. */
    t.enum('status', ['pending', 'final', 'cancelled']).notNullable().defaultTo('pending');
    t.string('case_ref', 128).nullable().unique();
    t.integer('version').unsigned().notNullable().defaultTo(1);
    t.timestamp('created_at', { precision: 3 }).notNullable().defaultTo(now);
    t.timestamp('updated_at', { precision: 3 }).notNullable().defaultTo(now);
    t.integer('updated_by').unsigned().nullable();
    t.unique(['source', 'source_ref']);
    t.index(['enterprise_id', 'occurred_on']);
    t.index(['staff_id', 'occurred_on']);
    t.index(['district_code', 'occurred_on']);
    t.index(['status', 'occurred_on']);
    t.index(['category', 'occurred_on']);
  });

  await createTable('credit_trainings', (t) => {
    t.increments('id').primary();
    t.integer('staff_id').unsigned().notNullable().references('id').inTable('enterprise_staff');
    t.enum('kind', ['training', 'exam']).notNullable();
    t.string('title', 128).notNullable();
    t.date('held_on').notNullable();
    t.decimal('hours', 5, 1).nullable();
    t.decimal('score', 5, 1).nullable();
    t.enum('result', ['attended', 'passed', 'failed']).notNullable();
    t.string('certificate_no', 64).nullable();
    t.integer('version').unsigned().notNullable().defaultTo(1);
    t.timestamp('created_at', { precision: 3 }).notNullable().defaultTo(now);
    t.timestamp('updated_at', { precision: 3 }).notNullable().defaultTo(now);
    t.integer('updated_by').unsigned().nullable();
    t.index(['staff_id', 'held_on']);
    t.index(['held_on']);
  });

  // Current scores, recomputed in the transaction that changes a subject's final events:
  // 100 plus the year's final points (C5: the annual rating resets to the base).
  await createTable('credit_scores', (t) => {
    t.enum('subject_type', ['enterprise', 'staff']).notNullable();
    t.integer('subject_id').unsigned().notNullable();
    t.smallint('year').unsigned().notNullable();
    t.decimal('score', 7, 2).notNullable();
    t.decimal('additions', 7, 2).notNullable();
    t.decimal('deductions', 7, 2).notNullable();
    t.integer('events').unsigned().notNullable();
    t.timestamp('updated_at', { precision: 3 }).notNullable().defaultTo(now);
    t.primary(['subject_type', 'subject_id', 'year']);
    t.index(['subject_type', 'year', 'score']);
  });

  await createTable('property_contracts', (t) => {
    t.increments('id').primary();
    t.integer('project_id').unsigned().notNullable().references('id').inTable('property_projects');
    t.integer('enterprise_id').unsigned().notNullable().references('id').inTable('enterprises');
    t.enum('kind', ['preliminary_service', 'service', 'temporary_management']).notNullable();
    t.string('contract_no', 64).notNullable();
    t.date('starts_on').nullable();
    t.date('ends_on').nullable();
    t.decimal('fee_per_sqm', 8, 2).nullable();
    t.string('filing_no', 64).nullable();
    t.date('filed_on').notNullable();
    t.string('case_ref', 128).notNullable().unique();
    t.timestamp('created_at', { precision: 3 }).notNullable().defaultTo(now);
    t.index(['project_id', 'filed_on']);
    t.index(['enterprise_id']);
  });

  await createTable('tender_awards', (t) => {
    t.increments('id').primary();
    t.integer('project_id').unsigned().notNullable().references('id').inTable('property_projects');
    t.integer('enterprise_id').unsigned().notNullable().references('id').inTable('enterprises');
    t.enum('tenderer', ['developer', 'owners_assembly']).notNullable();
    t.date('awarded_on').notNullable();
    t.smallint('term_months').unsigned().nullable();
    t.decimal('fee_per_sqm', 8, 2).nullable();
    t.string('announcement_no', 64).nullable();
    t.string('case_ref', 128).notNullable().unique();
    t.timestamp('created_at', { precision: 3 }).notNullable().defaultTo(now);
    t.index(['project_id', 'awarded_on']);
    t.index(['enterprise_id']);
  });

  // Who changed what, when: written in the same transaction as the change itself.
  await createTable('registry_changes', (t) => {
    t.bigIncrements('id').primary();
    t.string('entity', 32).notNullable();
    t.integer('entity_id').unsigned().notNullable();
    t.enum('action', ['create', 'update', 'review', 'import', 'approval']).notNullable();
    t.text('changed_fields').nullable();
    t.specificType('before_data', 'mediumtext').nullable();
    t.specificType('after_data', 'mediumtext').nullable();
    t.integer('user_id').unsigned().nullable();
    t.string('username', 64).nullable();
    t.string('case_ref', 128).nullable();
    t.string('request_id', 64).nullable();
    t.timestamp('at', { precision: 3 }).notNullable().defaultTo(now);
    t.index(['entity', 'entity_id', 'id']);
    t.index(['at']);
    t.index(['case_ref']);
  });

  // One row per approval write: the key that makes an approval activity's retry a no-op.
  await createTable('registry_case_writes', (t) => {
    t.string('case_ref', 128).notNullable();
    t.string('action', 48).notNullable();
    t.string('entity', 32).notNullable();
    t.integer('entity_id').unsigned().notNullable();
    t.timestamp('applied_at', { precision: 3 }).notNullable().defaultTo(now);
    t.primary(['case_ref', 'action']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'registry_case_writes',
    'registry_changes',
    'tender_awards',
    'property_contracts',
    'credit_scores',
    'credit_trainings',
    'credit_events',
    'committee_providers',
    'committee_members',
    'owners_committees',
    'enterprise_staff',
    'project_facilities',
    'project_buildings',
    'property_projects',
    'enterprises',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
