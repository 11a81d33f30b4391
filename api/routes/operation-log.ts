import type { Knex } from 'knex';
import { z } from 'zod';
import { OPERATION_SORTABLE, listOperations } from '../../db/operation-log';
import { withTargetNames } from '../audit/target-names';
import { listQuery } from '../http/list-query';
import { listResult, type Api } from '../http/route';

export const OperationLogFilter = z.object({
  username: z.string().max(64).optional(),
  user_id: z.coerce.number().int().optional(),
  action: z.string().max(64).optional(),
  result: z.enum(['ok', 'denied', 'failed']).optional(),
  target_type: z.string().max(64).optional(),
  target_id: z.string().max(64).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
export const OperationLogQuery = listQuery({
  sortable: OPERATION_SORTABLE,
  defaultSort: ['id', 'DESC'],
  filter: OperationLogFilter,
});

export function registerOperationLogRoutes(api: Api, db: Knex): void {
  api.add({
    method: 'get',
    path: '/api/operation-logs',
    summary: 'The append-only operation log: every write and every denied attempt',
    tags: ['operation-log'],
    access: 'oplog:read',
    query: OperationLogQuery,
    handler: async ({ query }) => {
      const page = await listOperations(db, query);
      // Each target named (a case by number, a user by name): the reader need not look ids up.
      return listResult('operation-logs', await withTargetNames(db, page.rows), page.total, query.offset, page.hasMore);
    },
  });
}
