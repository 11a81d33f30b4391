import type { Knex } from 'knex';
import type { Scope } from '../../lib/roles';
import { pageOf, type Page, type PageParams } from '../paging';
import { maskIdNumber } from '../../lib/pii';
import { containsPattern } from '../search';
import { STAFF_ID_NUMBER, openValue, orWhereIdNumber } from './pii';
import { enterpriseScope } from './scope';

/**
 * 重复挂职: people (by ID card number) active at more than one enterprise, one row per person
 * with every enterprise they are registered at. A reviewer sees a person when at least one of
 * the registrations is within their scope, and then all of that person's registrations, since
 * the conflict is what they must act on. Only flagged rows are read, through the
 * (duplicate_registration, id_number_bidx) index, so the list stays small however many staff there are.
 *
 * A person is the blind index of the ID number (the number itself is encrypted): the row's id is
 * that index, its `id_number` the masked number. Sorting "by ID number" orders by the index,
 * a stable but meaningless order (no clear number is there to sort by).
 */
export const DUPLICATE_SORTABLE = ['id_number', 'name', 'enterprises'] as const;
const COLUMNS = { id_number: 'd.id_number_bidx', name: 'name', enterprises: 'enterprises' };

export interface DuplicatePerson {
  /** The blind index of the person's ID number. */
  id: string;
  /** Masked (3205**********1234). */
  id_number: string;
  name: string;
  enterprises: number;
  enterprise_names: string;
  staff_ids: number[];
}

export async function listDuplicateRegistrations(db: Knex, scope: Scope, params: PageParams & { filter: { q?: string } }): Promise<Page<DuplicatePerson>> {
  const inScope = enterpriseScope(db('enterprise_staff as s').join('enterprises as e', 'e.id', 's.enterprise_id').where('s.duplicate_registration', 1).distinct('s.id_number_bidx'), scope, 'e', 's.enterprise_id');
  const q = db('enterprise_staff as d').join('enterprises as de', 'de.id', 'd.enterprise_id').where('d.duplicate_registration', 1).whereIn('d.id_number_bidx', inScope).groupBy('d.id_number_bidx').select(
    'd.id_number_bidx as id',
    // Any one of the person's ciphertexts: they all decrypt to the same number.
    db.raw('MIN(d.id_number) as id_number'),
    db.raw('MIN(d.name) as name'),
    db.raw('COUNT(DISTINCT d.enterprise_id) as enterprises'),
    db.raw("GROUP_CONCAT(DISTINCT de.name ORDER BY de.name SEPARATOR '；') as enterprise_names"),
    db.raw("GROUP_CONCAT(DISTINCT d.id ORDER BY d.id SEPARATOR ',') as staff_ids"),
  );
  const search = params.filter.q;
  // A full number by its blind index, or its last four; a prefix search is no longer possible.
  if (search) q.where((w) => (w.where('d.name', 'like', containsPattern(search)), orWhereIdNumber(w, 'd', search)));
  const page = await pageOf<Record<string, unknown>>(q, params, COLUMNS, 'd.id_number_bidx');
  return {
    ...page,
    rows: page.rows.map(
      (r) =>
        ({
          ...r,
          id_number: maskIdNumber(String(openValue(STAFF_ID_NUMBER, r.id_number) ?? '')),
          enterprises: Number(r.enterprises),
          staff_ids: String(r.staff_ids).split(',').map(Number),
        }) as DuplicatePerson,
    ),
  };
}
