import type { Knex } from 'knex';
import { listCaseDocuments } from '../../../db/approvals/documents';
import { z } from 'zod';
import { whereCaseVisible } from '../../cases/access';
import { missingOrDenied } from '../../http/errors';
import { listQuery, pageOf } from '../../http/list-query';
import { listResult, type Api } from '../../http/route';

/**
 * Documents an approval issued (certificates, filing certificates and forms, filing numbers),
 * listed with the case — the PDF downloads through GET /api/files/:fileId — and what approvals
 * published for the public portal (qualification publicity, tender and award announcements).
 */
const IdParams = z.object({ id: z.coerce.number().int().positive() });
const PublicityList = listQuery({
  sortable: ['starts_at'] as const,
  defaultSort: ['starts_at', 'DESC'],
  filter: z.object({ kind: z.string().max(32).optional(), current: z.boolean().optional() }),
});

export function registerApprovalDocumentRoutes(api: Api, db: Knex): void {
  api.add({
    method: 'get',
    path: '/api/cases/:id/documents',
    summary: 'Numbered documents a case issued, with the file id of each PDF',
    tags: ['cases'],
    access: 'signed-in',
    params: IdParams,
    handler: async ({ params, user }) => {
      const visible = await whereCaseVisible(db, db('cases as c').select('c.id'), user).where('c.id', params.id).first();
      if (!visible) throw await missingOrDenied(db, 'cases', params.id, 'Case', 'case');
      return listCaseDocuments(db, params.id);
    },
  });

  api.add({
    method: 'get',
    path: '/api/public/publicity',
    summary: 'Approval results published for the public portal (P1): qualification publicity, tender and award announcements',
    tags: ['public'],
    access: 'public',
    query: PublicityList,
    handler: async ({ query }) => {
      const q = db('approval_publicity as p').join('cases as c', 'c.id', 'p.case_id').select('p.id', 'p.kind', 'p.title', 'p.body', 'p.starts_at', 'p.ends_at', 'c.number as case_number');
      if (query.filter.kind) q.where('p.kind', query.filter.kind);
      if (query.filter.current) q.where((w) => w.whereNull('p.ends_at').orWhere('p.ends_at', '>', new Date()));
      const page = await pageOf(q, query, { starts_at: 'p.starts_at' }, 'p.id');
      return listResult('publicity', page.rows, page.total, query.offset);
    },
  });
}
