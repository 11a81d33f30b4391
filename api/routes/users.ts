import type { Knex } from 'knex';
import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../lib/password-policy';
import { hashPassword, passwordProblem } from '../../lib/passwords';
import { ROLES } from '../../lib/roles';
import { endAllSessions } from '../auth/sessions';
import { whereInScope } from '../auth/scope';
import { badRequest, conflict, missingOrDenied, notFound, HttpError } from '../http/errors';
import { listQuery, pageOf } from '../http/list-query';
import { listResult, type Api } from '../http/route';

const SORTABLE = ['id', 'username', 'display_name', 'role', 'organisation_id', 'last_login_at', 'created_at'] as const;
const COLUMNS = Object.fromEntries(SORTABLE.map((c) => [c, `u.${c}`]));
const SCOPE = { organisationId: 'u.organisation_id', districtCode: 'o.district_code', streetCode: 'o.street_code' };
const FIELDS = [
  'u.id', 'u.username', 'u.display_name', 'u.phone', 'u.role', 'u.organisation_id', 'o.name as organisation_name', 'o.district_code',
  'u.active', 'u.locked_until', 'u.last_login_at', 'u.created_at', 'u.updated_at',
];

const password = z.string().min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`).max(PASSWORD_MAX_LENGTH);
/** The policy needs the account's own names (a password may not be built from them). */
const refinePassword = (plain: string, names: string[], ctx: z.RefinementCtx) => {
  const problem = passwordProblem(plain, names);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['password'] });
};
const phone = z.string().regex(/^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$/, 'must be a mainland mobile or landline number').nullable().default(null);

const UserUpdate = z.object({
  display_name: z.string().trim().min(1).max(64),
  phone,
  role: z.enum(ROLES),
  organisation_id: z.number().int().positive(),
  active: z.boolean().default(true),
});
const UserCreate = UserUpdate.extend({
  username: z.string().trim().min(3).max(64).regex(/^[a-z0-9._-]+$/, 'lower-case letters, digits, dot, dash and underscore only'),
  password,
}).superRefine((b, ctx) => refinePassword(b.password, [b.username, b.display_name], ctx));
const IdParams = z.object({ id: z.coerce.number().int().positive() });

const ListQuery = listQuery({
  sortable: SORTABLE,
  defaultSort: ['id', 'ASC'],
  filter: z.object({
    q: z.string().max(64).optional(),
    role: z.enum(ROLES).optional(),
    organisation_id: z.coerce.number().int().optional(),
    locked: z.boolean().optional(),
    id: z.array(z.coerce.number().int()).max(500).optional(),
  }),
});

export function registerUserRoutes(api: Api, db: Knex): void {
  const base = () => db('users as u').join('organisations as o', 'o.id', 'u.organisation_id').select(FIELDS);
  const mustExist = async (trx: Knex.Transaction, table: string, id: number, field: string) => {
    if (!(await trx(table).where('id', id).first('id'))) {
      throw new HttpError(422, 'invalid_reference', `${field} does not exist`, [{ field: `body.${field}`, reason: 'does not exist' }]);
    }
  };

  api.add({
    method: 'get',
    path: '/api/users',
    summary: 'User accounts within the caller’s scope',
    tags: ['users'],
    access: 'users:read',
    query: ListQuery,
    handler: async ({ query, user }) => {
      const q = whereInScope(base(), user.scope, SCOPE);
      const f = query.filter;
      if (f.q) q.where((w) => w.where('u.username', 'like', `%${f.q}%`).orWhere('u.display_name', 'like', `%${f.q}%`));
      if (f.role) q.where('u.role', f.role);
      if (f.organisation_id) q.where('u.organisation_id', f.organisation_id);
      if (f.locked === true) q.where('u.locked_until', '>', db.fn.now(3));
      if (f.id) q.whereIn('u.id', f.id);
      const page = await pageOf(q, query, COLUMNS, 'u.id');
      return listResult('users', page.rows, page.total, query.offset);
    },
  });

  api.add({
    method: 'get',
    path: '/api/users/:id',
    summary: 'One user account, if within the caller’s scope',
    tags: ['users'],
    access: 'users:read',
    params: IdParams,
    handler: async ({ params, user }) => {
      const row = await whereInScope(base(), user.scope, SCOPE).where('u.id', params.id).first();
      if (!row) throw await missingOrDenied(db, 'users', params.id, 'User', 'user');
      return row;
    },
  });

  api.add({
    method: 'post',
    path: '/api/users',
    summary: 'Create a user account',
    tags: ['users'],
    action: 'users.create',
    access: 'users:write',
    status: 201,
    body: UserCreate,
    handler: async ({ body, audit }) => {
      const { password: plain, ...fields } = body;
      const password_hash = await hashPassword(plain);
      return db.transaction(async (trx) => {
        await mustExist(trx, 'organisations', fields.organisation_id, 'organisation_id');
        if (await trx('users').where('username', fields.username).first('id')) {
          throw conflict('The username is taken', [{ field: 'body.username', reason: 'already exists' }]);
        }
        // A password someone else chose is changed by its owner at the first sign-in.
        const [id] = await trx('users').insert({ ...fields, password_hash, must_change_password: true });
        await audit(trx, { status: 201, targetType: 'user', targetId: id, detail: { after: fields } });
        return base().transacting(trx).where('u.id', id).first();
      });
    },
  });

  api.add({
    method: 'put',
    path: '/api/users/:id',
    summary: 'Update a user account; disabling it ends its sessions',
    tags: ['users'],
    action: 'users.update',
    access: 'users:write',
    params: IdParams,
    body: UserUpdate,
    handler: async ({ params, body, audit }) =>
      db.transaction(async (trx) => {
        const before = await base().transacting(trx).where('u.id', params.id).forUpdate().first();
        if (!before) throw notFound('User');
        await mustExist(trx, 'organisations', body.organisation_id, 'organisation_id');
        await trx('users').where('id', params.id).update({ ...body, updated_at: new Date() });
        if (!body.active || body.role !== before.role || body.organisation_id !== before.organisation_id) {
          await endAllSessions(trx, params.id); // a changed role or scope takes effect at once
        }
        await audit(trx, { targetType: 'user', targetId: params.id, detail: { before, after: body } });
        return base().transacting(trx).where('u.id', params.id).first();
      }),
  });

  api.add({
    method: 'post',
    path: '/api/users/:id/unlock',
    summary: 'Lift a sign-in lock before it expires',
    tags: ['users'],
    action: 'users.unlock',
    access: 'users:write',
    params: IdParams,
    handler: async ({ params, audit }) =>
      db.transaction(async (trx) => {
        const changed = await trx('users').where('id', params.id).update({ failed_attempts: 0, locked_until: null });
        if (!changed) throw notFound('User');
        await audit(trx, { targetType: 'user', targetId: params.id });
        return base().transacting(trx).where('u.id', params.id).first();
      }),
  });

  api.add({
    method: 'post',
    path: '/api/users/:id/password',
    summary: 'Set a new password for a user (administrator reset); the user’s sessions end',
    tags: ['users'],
    action: 'users.reset_password',
    access: 'users:write',
    params: IdParams,
    body: z.object({ password }),
    handler: async ({ params, body, audit }) => {
      const account = (await db('users').where('id', params.id).first('username', 'display_name')) as { username: string; display_name: string } | undefined;
      if (!account) throw notFound('User');
      const problem = passwordProblem(body.password, [account.username, account.display_name]);
      if (problem) throw badRequest(`The password ${problem}`, [{ field: 'body.password', reason: problem }]);
      const password_hash = await hashPassword(body.password);
      await db.transaction(async (trx) => {
        const changed = await trx('users')
          .where('id', params.id)
          .update({ password_hash, password_changed_at: new Date(), failed_attempts: 0, locked_until: null, must_change_password: true });
        if (!changed) throw notFound('User');
        await endAllSessions(trx, params.id);
        await audit(trx, { status: 204, targetType: 'user', targetId: params.id });
      });
      return undefined;
    },
  });
}
