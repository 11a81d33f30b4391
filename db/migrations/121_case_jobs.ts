import type { Knex } from 'knex';

/**
 * External jobs (docs/process-engine.md, "External jobs"): a service task whose type no platform
 * activity does is a job that a job worker activates and completes over /api/jobs, as Zeebe's
 * job workers do. The workflow creates and closes the rows (through the case writer, under the
 * key it chose: `node#visit`); workers only lock them. `available_at` is when the job may be
 * activated next (now when created; the lock's end while a worker holds it; the back-off after
 * a failure with retries left), so activation is one range of `(type, status, available_at)`.
 * The variables are the snapshot a worker receives; they are cleared when the job closes.
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('case_jobs')) return;
  await knex.schema.createTable('case_jobs', (t) => {
    t.bigIncrements('id');
    t.integer('case_id').unsigned().notNullable().references('id').inTable('cases');
    t.string('job_key', 150).notNullable();
    t.string('node_id', 128).notNullable();
    t.string('type', 128).notNullable();
    // open (activatable or locked by a worker), completed, error (a BPMN error thrown), failed (no retries left), cancelled
    t.string('status', 12).notNullable().defaultTo('open');
    t.integer('retries').notNullable();
    t.datetime('available_at', { precision: 3 }).notNullable();
    t.string('worker', 64).nullable();
    t.integer('activations').notNullable().defaultTo(0);
    t.json('variables').nullable();
    t.json('headers').nullable();
    t.string('error_message', 2000).nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('closed_at', { precision: 3 }).nullable();
    t.unique(['case_id', 'job_key'], { indexName: 'case_jobs_key' });
    t.index(['type', 'status', 'available_at'], 'case_jobs_activatable');
    t.index(['status', 'created_at'], 'case_jobs_status');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('case_jobs');
}
