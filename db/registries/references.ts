import type { Knex } from 'knex';

/**
 * Which registry record a form field may name (the `ref` property of a form's select), and whether it exists:
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

/** The registries a form's `ref` may name. */
export const REGISTRY_REFS: readonly string[] = Object.keys(REF_TABLES);

export async function registryRecordExists(db: Knex, ref: string, id: number): Promise<boolean> {
  const table = REF_TABLES[ref];
  return Boolean(table && (await db(table).where('id', id).first('id')));
}
