import type { Knex } from 'knex';

/**
 * Indexes for the lists of accounts, organisations and the operation log, one per sort and
 * filter the API offers, so a page is an index range read in order that stops after the page
 * instead of a sort over every row (the log holds millions). InnoDB appends the primary key to a
 * secondary index, so `(action)` serves "action = ? ORDER BY id DESC" and the id tie-breaker of
 * every sort (db/paging.ts):
 * - GET /api/operation-logs filters and sorts by username, action, result, status and user_id
 *   ((user_id, at) and (action, at) from 002 order by time, not by id);
 * - GET /api/users sorts by display_name, last_login_at and created_at;
 * - GET /api/organisations sorts by name and created_at.
 */
const INDEXES: Array<[string, string[]]> = [
  ['operation_log', ['username']],
  ['operation_log', ['action']],
  ['operation_log', ['result']],
  ['operation_log', ['status']],
  ['operation_log', ['user_id']],
  ['users', ['display_name']],
  ['users', ['last_login_at']],
  ['users', ['created_at']],
  ['organisations', ['name']],
  ['organisations', ['created_at']],
];

const nameOf = (table: string, columns: string[]) => `${table}_${columns.join('_')}_list_index`;

export async function up(knex: Knex): Promise<void> {
  for (const [table, columns] of INDEXES) {
    await knex.schema.alterTable(table, (t) => {
      t.index(columns, nameOf(table, columns));
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const [table, columns] of [...INDEXES].reverse()) {
    await knex.schema.alterTable(table, (t) => {
      t.dropIndex(columns, nameOf(table, columns));
    });
  }
}
