import type { Knex } from 'knex';
import { z } from 'zod';
import { whereInScope } from '../auth/scope';
import { missingOrDenied, notFound } from '../http/errors';
import { listQuery, pageOf } from '../http/list-query';
import { listResult, type Api } from '../http/route';

const KINDS = ['city_bureau', 'admin_centre', 'district_bureau', 'street_office', 'enterprise', 'developer', 'owners_committee', 'public'] as const;
const SORTABLE = ['id', 'code', 'name', 'kind', 'district_code', 'created_at'] as const;
const COLUMNS = Object.fromEntries(SORTABLE.map((c) => [c, `o.${c}`]));
const SCOPE = { organisationId: 'o.id', districtCode: 'o.district_code', streetCode: 'o.street_code' };

const OrganisationBody = z.object({
  code: z.string().trim().min(2).max(32).regex(/^[A-Za-z0-9-]+$/, 'letters, digits and hyphens only'),
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
  sortable: SORTABLE,
  defaultSort: ['id', 'ASC'],
  filter: z.object({
    q: z.string().max(64).optional(),
    kind: z.enum(KINDS).optional(),
    district_code: z.string().max(16).optional(),
    id: z.array(z.coerce.number().int()).max(500).optional(),
  }),
});

const FIELDS = ['o.id', 'o.code', 'o.name', 'o.kind', 'o.district_code', 'o.street_code', 'o.phone', 'o.address', 'o.active', 'o.created_at', 'o.updated_at'];

export function registerOrganisationRoutes(api: Api, db: Knex): void {
  api.add({
    method: 'get',
    path: '/api/organisations',
    summary: 'Organisations the caller may see (scoped by district, street or own organisation)',
    tags: ['organisations'],
    access: 'organisations:read',
    query: ListQuery,
    handler: async ({ query, user }) => {
      const q = whereInScope(db('organisations as o').select(FIELDS), user.scope, SCOPE);
      const f = query.filter;
      if (f.q) q.where((w) => w.where('o.name', 'like', `%${f.q}%`).orWhere('o.code', 'like', `%${f.q}%`));
      if (f.kind) q.where('o.kind', f.kind);
      if (f.district_code) q.where('o.district_code', f.district_code);
      if (f.id) q.whereIn('o.id', f.id);
      const page = await pageOf(q, query, COLUMNS, 'o.id');
      return listResult('organisations', page.rows, page.total, query.offset);
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
      const row = await whereInScope(db('organisations as o').select(FIELDS), user.scope, SCOPE).where('o.id', params.id).first();
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
        const [id] = await trx('organisations').insert(body);
        await audit(trx, { status: 201, targetType: 'organisation', targetId: id, detail: { after: body } });
        return trx('organisations as o').select(FIELDS).where('o.id', id).first();
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
        const before = await trx('organisations as o').select(FIELDS).where('o.id', params.id).forUpdate().first();
        if (!before) throw notFound('Organisation');
        await trx('organisations').where('id', params.id).update({ ...body, updated_at: new Date() });
        await audit(trx, { targetType: 'organisation', targetId: params.id, detail: { before, after: body } });
        return trx('organisations as o').select(FIELDS).where('o.id', params.id).first();
      }),
  });
}
