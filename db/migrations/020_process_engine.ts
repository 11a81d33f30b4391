import type { Knex } from 'knex';

/**
 * The process engine's read model (E1–E6). Temporal holds each case's execution; these tables
 * are what lists, inboxes, the case view and reports read. Every row the workflow writes is
 * keyed by something the workflow chose deterministically (case + task key, case + seq), so a
 * retried activity upserts instead of adding a second row.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('processes', (t) => {
    t.string('process_key', 64).primary();
    t.string('name', 128).notNullable();
    /** The version new cases use; running cases keep the one they started with. */
    t.integer('current_version').unsigned().nullable();
    t.timestamp('created_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.timestamp('updated_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
  });

  await knex.schema.createTable('process_versions', (t) => {
    t.increments('id').primary();
    t.string('process_key', 64).notNullable().references('process_key').inTable('processes');
    t.integer('version').unsigned().notNullable();
    t.string('name', 128).notNullable();
    t.specificType('xml', 'mediumtext').notNullable();
    t.specificType('graph', 'mediumtext').notNullable();
    t.string('checksum', 64).notNullable();
    t.integer('published_by').unsigned().nullable().references('id').inTable('users');
    /** "api" or "shipped" (processes/*.bpmn at start). */
    t.string('source', 16).notNullable();
    t.timestamp('published_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.unique(['process_key', 'version']);
  });

  // Case numbers (E8): a pattern per process and a counter per pattern period, incremented in
  // one statement so that two cases never share a number.
  await knex.schema.createTable('case_number_rules', (t) => {
    t.string('process_key', 64).primary();
    /** e.g. "ZZ-{yyyy}-{seq:6}"; {yyyy} {yy} {mm} {dd} {district} {seq:N} */
    t.string('pattern', 64).notNullable();
    t.integer('updated_by').unsigned().nullable();
    t.timestamp('updated_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
  });
  await knex.schema.createTable('case_number_counters', (t) => {
    t.string('counter_key', 128).primary();
    t.bigInteger('last_value').unsigned().notNullable();
  });

  await knex.schema.createTable('cases', (t) => {
    t.increments('id').primary();
    t.string('number', 64).notNullable().unique();
    t.string('workflow_id', 128).notNullable().unique();
    t.string('process_key', 64).notNullable();
    t.integer('process_version').unsigned().notNullable();
    t.string('title', 255).notNullable();
    /** running | supplement | completed | withdrawn | terminated | incident */
    t.string('status', 16).notNullable();
    t.string('result', 32).nullable();
    t.integer('applicant_organisation_id').unsigned().notNullable().references('id').inTable('organisations');
    t.string('district_code', 16).nullable();
    t.string('street_code', 16).nullable();
    t.integer('started_by').unsigned().notNullable().references('id').inTable('users');
    t.string('check_code', 16).notNullable();
    t.string('current_steps', 255).nullable();
    t.text('active_nodes').nullable();
    t.specificType('variables', 'mediumtext').nullable();
    t.timestamp('started_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.timestamp('ended_at', { precision: 3 }).nullable();
    t.timestamp('updated_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.index(['district_code', 'status', 'started_at']);
    t.index(['applicant_organisation_id', 'started_at']);
    t.index(['started_by', 'started_at']);
    t.index(['process_key', 'status', 'started_at']);
    t.index(['started_at']);
  });

  await knex.schema.createTable('case_tasks', (t) => {
    t.increments('id').primary();
    t.integer('case_id').unsigned().notNullable().references('id').inTable('cases');
    /** Chosen by the workflow: node, visit and instance ("review#2.1"); unique within the case. */
    t.string('task_key', 160).notNullable();
    t.string('node_id', 128).notNullable();
    t.string('name', 128).notNullable();
    /** user (a reviewer's step) | supplement (the applicant's 补正) */
    t.string('kind', 16).notNullable();
    /** open | completed | cancelled | timed_out */
    t.string('status', 16).notNullable();
    t.integer('assignee_id').unsigned().nullable();
    /** Set while delegated (委派): the holder the task returns to when the delegate resolves it. */
    t.integer('owner_id').unsigned().nullable();
    t.string('candidate_groups', 255).notNullable().defaultTo('');
    t.string('candidate_users', 255).notNullable().defaultTo('');
    t.specificType('outcomes', 'varchar(255)').notNullable().defaultTo('');
    t.timestamp('due_at', { precision: 3 }).nullable();
    t.timestamp('created_at', { precision: 3 }).notNullable();
    t.timestamp('claimed_at', { precision: 3 }).nullable();
    t.timestamp('completed_at', { precision: 3 }).nullable();
    t.integer('completed_by').unsigned().nullable();
    t.string('outcome', 32).nullable();
    t.text('comment').nullable();
    t.unique(['case_id', 'task_key']);
    t.index(['status', 'assignee_id', 'created_at']);
    t.index(['completed_by', 'completed_at']);
    t.index(['status', 'due_at']);
  });

  // Who a task is offered to: one row per candidate group or user. A group row carries the
  // organisation scope it is confined to (a district task reaches district_staff of that
  // district only), so the claim inbox is one indexed join.
  await knex.schema.createTable('case_task_candidates', (t) => {
    t.integer('task_id').unsigned().notNullable().references('id').inTable('case_tasks');
    t.string('kind', 8).notNullable();
    t.string('value', 64).notNullable();
    t.string('district_code', 16).nullable();
    t.string('street_code', 16).nullable();
    t.integer('organisation_id').unsigned().nullable();
    t.primary(['task_id', 'kind', 'value']);
    t.index(['kind', 'value', 'district_code', 'task_id'], 'case_task_cand_lookup_idx');
  });

  await knex.schema.createTable('case_history', (t) => {
    t.bigIncrements('id').primary();
    t.integer('case_id').unsigned().notNullable().references('id').inTable('cases');
    /** The workflow's own counter: the idempotency key of the entry. */
    t.integer('seq').unsigned().notNullable();
    t.timestamp('at', { precision: 3 }).notNullable();
    t.string('kind', 32).notNullable();
    t.string('node_id', 128).nullable();
    t.string('task_key', 160).nullable();
    t.integer('actor_id').unsigned().nullable();
    t.string('actor_name', 64).nullable();
    t.string('outcome', 32).nullable();
    t.text('comment').nullable();
    t.text('data').nullable();
    t.unique(['case_id', 'seq']);
    t.index(['kind', 'at']);
  });

  await knex.schema.createTable('case_copies', (t) => {
    t.integer('case_id').unsigned().notNullable().references('id').inTable('cases');
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users');
    t.integer('from_user_id').unsigned().nullable();
    t.string('task_key', 160).nullable();
    t.timestamp('at', { precision: 3 }).notNullable();
    t.timestamp('read_at', { precision: 3 }).nullable();
    t.primary(['case_id', 'user_id']);
    t.index(['user_id', 'at']);
  });

  // Message catch events a case waits at, so an outside system can correlate by key.
  await knex.schema.createTable('case_message_subscriptions', (t) => {
    t.integer('case_id').unsigned().notNullable().references('id').inTable('cases');
    t.string('node_id', 128).notNullable();
    t.string('message_name', 128).notNullable();
    t.string('correlation_key', 128).notNullable();
    t.boolean('open').notNullable().defaultTo(true);
    t.primary(['case_id', 'node_id']);
    t.index(['message_name', 'correlation_key', 'open'], 'case_msg_sub_correlation_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['case_message_subscriptions', 'case_copies', 'case_history', 'case_task_candidates', 'case_tasks', 'cases', 'case_number_counters', 'case_number_rules', 'process_versions', 'processes']) {
    await knex.schema.dropTableIfExists(table);
  }
}
