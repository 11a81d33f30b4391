import type { Knex } from 'knex';

/**
 * Which registry record a form field may name (`ref` in a start form), and whether it exists:
 * POST /api/cases refuses a form naming a project, enterprise, committee or credit event that is
 * not there (422) before anything is written.
 */
const REF_TABLES: Record<string, string> = {
  projects: 'property_projects',
  enterprises: 'enterprises',
  committees: 'owners_committees',
  'credit-events': 'credit_events',
};

export const isRegistryRef = (ref: string): boolean => ref in REF_TABLES;

export async function registryRecordExists(db: Knex, ref: string, id: number): Promise<boolean> {
  const table = REF_TABLES[ref];
  return Boolean(table && (await db(table).where('id', id).first('id')));
}
