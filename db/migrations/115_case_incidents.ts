import type { Knex } from 'knex';

/**
 * Where a case stopped (docs/process-engine.md, "Incidents"): the element, the message and
 * when, written by the case's own batches (the workflow raises and clears them) so the
 * incidents view is one indexed query over `cases` instead of a scan of the history.
 */
export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasColumn('cases', 'incident_node_id'))) {
    await knex.schema.alterTable('cases', (t) => {
      t.string('incident_node_id', 64).nullable();
      t.string('incident_message', 2000).nullable();
      t.timestamp('incident_at', { precision: 3 }).nullable();
      t.index(['status', 'incident_at'], 'cases_status_incident_at');
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cases', (t) => {
    t.dropIndex(['status', 'incident_at'], 'cases_status_incident_at');
    t.dropColumn('incident_node_id');
    t.dropColumn('incident_message');
    t.dropColumn('incident_at');
  });
}
