import type { Knex } from 'knex';
import { z } from 'zod';
import { listCaseDocuments } from '../../../db/approvals/documents';
import { listPublicity } from '../../../db/approvals/publicity';
import { whereCaseVisible } from '../../cases/access';
import { missingOrDenied } from '../../http/errors';
import { listQuery } from '../../http/list-query';
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
      const documents = await listCaseDocuments(db, params.id, { whereCaseVisible: (q) => whereCaseVisible(db, q, user) });
      if (!documents) throw await missingOrDenied(db, 'cases', params.id, 'Case', 'case');
      return documents;
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
      const page = await listPublicity(db, query);
      return listResult('publicity', page.rows, page.total, query.offset, page.hasMore);
    },
  });
}
