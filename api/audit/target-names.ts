import type { Knex } from 'knex';
import { displayNames } from '../../db/accounts';
import { caseNumbers } from '../../db/cases/cases';
import { organisationNames } from '../../db/organisations';
import { processNames } from '../../db/processes';

/**
 * The names of the operation log's targets, looked up for one page or one export chunk: a case
 * by its number, a user and an organisation by name, a process (`key` or `key@version`) by its
 * name. One query per kind; a target that no longer exists keeps its id.
 */
export async function withTargetNames<T extends { target_type: string | null; target_id: string | null }>(db: Knex, rows: T[]): Promise<Array<T & { target_name: string | null }>> {
  const idsOf = (type: string) => rows.filter((r) => r.target_type === type && /^\d+$/.test(r.target_id ?? '')).map((r) => Number(r.target_id));
  const processKey = (id: string) => id.split('@')[0]!;
  const [cases, users, organisations, processes] = await Promise.all([
    caseNumbers(db, idsOf('case')),
    displayNames(db, idsOf('user')),
    organisationNames(db, idsOf('organisation')),
    processNames(
      db,
      rows.filter((r) => r.target_type === 'process' && r.target_id).map((r) => processKey(r.target_id!)),
    ),
  ]);
  return rows.map((r) => {
    const id = r.target_id ?? '';
    let name: string | undefined;
    if (r.target_type === 'case') name = cases.get(Number(id));
    else if (r.target_type === 'user') name = users.get(Number(id));
    else if (r.target_type === 'organisation') name = organisations.get(Number(id));
    else if (r.target_type === 'process' && id) {
      const found = processes.get(processKey(id));
      name = found && id.includes('@') ? `${found} (v${id.split('@')[1]})` : found;
    }
    return { ...r, target_name: name ?? null };
  });
}
