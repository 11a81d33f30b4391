import type { Knex } from 'knex';
import { z } from 'zod';
import { listQuery, pageOf } from '../http/list-query';
import { listResult, type Api } from '../http/route';

const SORTABLE = ['id', 'at', 'username', 'action', 'result', 'status'] as const;
const COLUMNS = Object.fromEntries(SORTABLE.map((c) => [c, c]));

const ListQuery = listQuery({
  sortable: SORTABLE,
  defaultSort: ['id', 'DESC'],
  filter: z.object({
    username: z.string().max(64).optional(),
    user_id: z.coerce.number().int().optional(),
    action: z.string().max(64).optional(),
    result: z.enum(['ok', 'denied', 'failed']).optional(),
    target_type: z.string().max(64).optional(),
    target_id: z.string().max(64).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  }),
});

export function registerOperationLogRoutes(api: Api, db: Knex): void {
  api.add({
    method: 'get',
    path: '/api/operation-logs',
    summary: 'The append-only operation log: every write and every denied attempt',
    tags: ['operation-log'],
    access: 'oplog:read',
    query: ListQuery,
    handler: async ({ query }) => {
      const f = query.filter;
      const q = db('operation_log').select('*');
      if (f.username) q.where('username', f.username);
      if (f.user_id) q.where('user_id', f.user_id);
      if (f.action) q.where('action', f.action);
      if (f.result) q.where('result', f.result);
      if (f.target_type) q.where('target_type', f.target_type);
      if (f.target_id) q.where('target_id', f.target_id);
      if (f.from) q.where('at', '>=', new Date(f.from));
      if (f.to) q.where('at', '<', new Date(f.to));
      const page = await pageOf<Record<string, unknown>>(q, query, COLUMNS, 'id');
      const rows = page.rows.map((r) => ({ ...r, detail: typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail }));
      return listResult('operation-logs', rows, page.total, query.offset);
    },
  });
}
