import type { Knex } from 'knex';
import { z } from 'zod';
import { ORGANISATION_KINDS as KINDS, ORGANISATION_SORTABLE, findOrganisation, insertOrganisation, listOrganisations, updateOrganisation } from '../../db/organisations';
import { missingOrDenied, notFound } from '../http/errors';
import { listQuery } from '../http/list-query';
import { listResult, type Api } from '../http/route';

const OrganisationBody = z.object({
  code: z
    .string()
    .trim()
    .min(2)
    .max(32)
    .regex(/^[A-Za-z0-9-]+$/, 'letters, digits and hyphens only'),
  name: z.string().trim().min(2).max(128),
  kind: z.enum(KINDS),
  district_code: z.string().max(16).nullable().default(null),
  street_code: z.string().max(16).nullable().default(null),
  phone: z.string().max(32).nullable().default(null),
  address: z.string().max(255).nullable().default(null),
  active: z.boolean().default(true),
});

const IdParams = z.object({ id: z.coerce.number().int().positive() });

const ListQuery = listQuery({
  sortable: ORGANISATION_SORTABLE,
  defaultSort: ['id', 'ASC'],
  filter: z.object({
    q: z.string().max(64).optional(),
    kind: z.enum(KINDS).optional(),
    district_code: z.string().max(16).optional(),
    id: z.array(z.coerce.number().int()).max(500).optional(),
  }),
});

export function registerOrganisationRoutes(api: Api, db: Knex): void {
  const CITY = { kind: 'city' } as const;
  api.add({
    method: 'get',
    path: '/api/organisations',
    summary: 'Organisations the caller may see (scoped by district, street or own organisation)',
    tags: ['organisations'],
    access: 'organisations:read',
    query: ListQuery,
    handler: async ({ query, user }) => {
      const page = await listOrganisations(db, user.scope, query);
      return listResult('organisations', page.rows, page.total, query.offset, page.hasMore);
    },
  });

  api.add({
    method: 'get',
    path: '/api/organisations/:id',
    summary: 'One organisation, if within the caller’s scope',
    tags: ['organisations'],
    access: 'organisations:read',
    params: IdParams,
    handler: async ({ params, user }) => {
      const row = await findOrganisation(db, user.scope, params.id);
      if (!row) throw await missingOrDenied(db, 'organisations', params.id, 'Organisation', 'organisation');
      return row;
    },
  });

  api.add({
    method: 'post',
    path: '/api/organisations',
    summary: 'Create an organisation',
    tags: ['organisations'],
    action: 'organisations.create',
    access: 'organisations:write',
    status: 201,
    body: OrganisationBody,
    handler: async ({ body, audit }) =>
      db.transaction(async (trx) => {
        const id = await insertOrganisation(trx, body);
        await audit(trx, { status: 201, targetType: 'organisation', targetId: id, detail: { after: body } });
        return findOrganisation(trx, CITY, id);
      }),
  });

  api.add({
    method: 'put',
    path: '/api/organisations/:id',
    summary: 'Update an organisation',
    tags: ['organisations'],
    action: 'organisations.update',
    access: 'organisations:write',
    params: IdParams,
    body: OrganisationBody,
    handler: async ({ params, body, audit }) =>
      db.transaction(async (trx) => {
        const before = await findOrganisation(trx, CITY, params.id, { forUpdate: true });
        if (!before) throw notFound('Organisation');
        await updateOrganisation(trx, params.id, body);
        await audit(trx, { targetType: 'organisation', targetId: params.id, detail: { before, after: body } });
        return findOrganisation(trx, CITY, params.id);
      }),
  });
}
