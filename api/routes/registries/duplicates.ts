import type { Knex } from 'knex';
import { z } from 'zod';
import { enterpriseScope } from '../../../db/registries/scope';
import { listQuery } from '../../http/list-query';
import { listResult, type Api } from '../../http/route';

/**
 * 重复挂职: people (by ID card number) active at more than one enterprise, one row per person
 * with every enterprise they are registered at. A reviewer sees a person when at least one of
 * the registrations is within their scope, and then all of that person's registrations, since
 * the conflict is what they must act on.
 */
export function registerDuplicateStaffRoutes(api: Api, db: Knex): void {
  api.add({
    method: 'get',
    path: '/api/staff-duplicates',
    summary: 'People registered at several enterprises at once (重复挂职), within the caller’s scope',
    tags: ['registries'],
    action: 'staff-duplicates.list',
    access: 'registries:review',
    query: listQuery({
      sortable: ['id_number', 'name', 'enterprises'],
      defaultSort: ['id_number', 'ASC'],
      filter: z.object({ q: z.string().max(64).optional() }),
    }),
    handler: async ({ query, user }) => {
      const inScope = enterpriseScope(
        db('enterprise_staff as s').join('enterprises as e', 'e.id', 's.enterprise_id').where('s.duplicate_registration', 1).distinct('s.id_number'),
        user.scope,
        'e',
        's.enterprise_id',
      );
      const q = db('enterprise_staff as d')
        .join('enterprises as de', 'de.id', 'd.enterprise_id')
        .where('d.duplicate_registration', 1)
        .whereIn('d.id_number', inScope)
        .groupBy('d.id_number')
        .select(
          'd.id_number as id',
          'd.id_number',
          db.raw('MIN(d.name) as name'),
          db.raw('COUNT(DISTINCT d.enterprise_id) as enterprises'),
          db.raw("GROUP_CONCAT(DISTINCT de.name ORDER BY de.name SEPARATOR '；') as enterprise_names"),
          db.raw("GROUP_CONCAT(DISTINCT d.id ORDER BY d.id SEPARATOR ',') as staff_ids"),
        );
      if (query.filter.q) q.where((w) => w.where('d.name', 'like', `%${query.filter.q}%`).orWhere('d.id_number', 'like', `${query.filter.q}%`));
      const total = (await db.from(q.clone().as('x')).count({ n: '*' }).first()) as { n: number | string };
      const column = query.sort[0] === 'id_number' ? 'd.id_number' : query.sort[0];
      const rows = (await q.orderBy(column, query.sort[1].toLowerCase() as 'asc' | 'desc').offset(query.offset).limit(query.limit)) as Array<Record<string, unknown>>;
      return listResult(
        'staff-duplicates',
        rows.map((r) => ({ ...r, enterprises: Number(r.enterprises), staff_ids: String(r.staff_ids).split(',').map(Number) })),
        Number(total.n),
        query.offset,
      );
    },
  });
}
