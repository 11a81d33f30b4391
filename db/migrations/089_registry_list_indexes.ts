import type { Knex } from 'knex';

/**
 * Indexes for the sorts the registry lists offer on their larger tables (projects ~10,000,
 * staff ~50,000), so a page sorted by any offered column reads its index in order (the primary
 * key InnoDB appends is the tie-breaker) instead of sorting the whole table:
 * - property_projects: district_code (a district's page in id order), floor_area, households,
 *   updated_at (the others have theirs since 030);
 * - enterprise_staff: role ((enterprise_id, role) does not lead with it), certificate_valid_until,
 *   registered_on, updated_at.
 * Enterprises (~2,000 rows) sort in memory within the target.
 */
const INDEXES: Array<[string, string[]]> = [
  // A district's projects in id order ((district_code, street_code, id) orders by street first).
  ['property_projects', ['district_code']],
  ['property_projects', ['floor_area']],
  ['property_projects', ['households']],
  ['property_projects', ['updated_at']],
  ['enterprise_staff', ['role']],
  ['enterprise_staff', ['certificate_valid_until']],
  ['enterprise_staff', ['registered_on']],
  ['enterprise_staff', ['updated_at']],
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
