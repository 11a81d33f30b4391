import type { Knex } from 'knex';
import { z } from 'zod';
import { historyOf } from '../../../db/registries/history';
import { maskRecord } from '../../../db/registries/pii';
import type { RegistryResource } from '../../../db/registries/resource';
import { getRecord } from '../../../db/registries/store';
import { missingOrDenied } from '../../http/errors';
import { listQuery } from '../../http/list-query';
import { listResult, type Api } from '../../http/route';

/**
 * A record's change history as a react-admin list (`registry-changes`, filtered by entity and
 * id). Whoever may read the record may read its history; nobody else learns it exists.
 */
export function registerRegistryHistoryRoutes(api: Api, db: Knex, resources: RegistryResource[]): void {
  const byEntity = new Map(resources.map((r) => [r.entity, r]));
  const entities = resources.map((r) => r.entity) as [string, ...string[]];
  api.add({
    method: 'get',
    path: '/api/registry-changes',
    summary: 'The change history of one registry record (who, when, before and after), newest first',
    tags: ['registries'],
    action: 'registry-changes.list',
    access: 'registries:read',
    query: listQuery({
      sortable: ['id'],
      defaultSort: ['id', 'DESC'],
      filter: z.object({ entity: z.enum(entities), entity_id: z.coerce.number().int().positive() }),
    }),
    handler: async ({ query, user }) => {
      const { entity, entity_id } = query.filter as { entity?: string; entity_id?: number };
      if (!entity || !entity_id) return listResult('registry-changes', [], 0, 0);
      const res = byEntity.get(entity)!;
      if (!(await getRecord(db, res, user.scope, entity_id))) throw await missingOrDenied(db, res.table, entity_id, res.title, res.name);
      const page = await historyOf(db, entity, entity_id, query);
      // Stored masked already (store.ts, migration 090); masked again here so no path can show more.
      const rows = page.rows.map((r) => ({ ...r, before: r.before && maskRecord(res, r.before), after: r.after && maskRecord(res, r.after) }));
      return listResult('registry-changes', rows, page.total, query.offset, page.hasMore);
    },
  });
}
