import type { Knex } from 'knex';
import { z } from 'zod';
import { DUPLICATE_SORTABLE, listDuplicateRegistrations } from '../../../db/registries/duplicates';
import { listQuery } from '../../http/list-query';
import { listResult, type Api } from '../../http/route';

/** 重复挂职: people registered at several enterprises at once (db/registries/duplicates.ts). */
export function registerDuplicateStaffRoutes(api: Api, db: Knex): void {
  api.add({
    method: 'get',
    path: '/api/staff-duplicates',
    summary: 'People registered at several enterprises at once (重复挂职), within the caller’s scope',
    tags: ['registries'],
    action: 'staff-duplicates.list',
    access: 'registries:review',
    query: listQuery({
      sortable: DUPLICATE_SORTABLE,
      defaultSort: ['id_number', 'ASC'],
      filter: z.object({ q: z.string().max(64).optional() }),
    }),
    handler: async ({ query, user }) => {
      const page = await listDuplicateRegistrations(db, user.scope, query);
      return listResult('staff-duplicates', page.rows, page.total, query.offset, page.hasMore);
    },
  });
}
