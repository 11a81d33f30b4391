import type { Knex } from 'knex';
import { z } from 'zod';
import { USER_SORTABLE, accountNames, findUser, insertUser, listUsers, setPassword, unlockUser, updateUser, usernameTaken } from '../../db/accounts';
import { organisationExists } from '../../db/organisations';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../lib/password-policy';
import { hashPassword, passwordProblem } from '../../lib/passwords';
import { ROLES } from '../../lib/roles';
import { endAllSessions } from '../auth/sessions';
import { badRequest, conflict, missingOrDenied, notFound, HttpError } from '../http/errors';
import { listQuery } from '../http/list-query';
import { listResult, type Api } from '../http/route';

const password = z.string().min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`).max(PASSWORD_MAX_LENGTH);
/** The policy needs the account's own names (a password may not be built from them). */
const refinePassword = (plain: string, names: string[], ctx: z.RefinementCtx) => {
  const problem = passwordProblem(plain, names);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['password'] });
};
const phone = z
  .string()
  .regex(/^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$/, 'must be a mainland mobile or landline number')
  .nullable()
  .default(null);

const UserUpdate = z.object({
  display_name: z.string().trim().min(1).max(64),
  phone,
  role: z.enum(ROLES),
  organisation_id: z.number().int().positive(),
  active: z.boolean().default(true),
});
const UserCreate = UserUpdate.extend({
  username: z
    .string()
    .trim()
    .min(3)
    .max(64)
    .regex(/^[a-z0-9._-]+$/, 'lower-case letters, digits, dot, dash and underscore only'),
  password,
}).superRefine((b, ctx) => refinePassword(b.password, [b.username, b.display_name], ctx));
const IdParams = z.object({ id: z.coerce.number().int().positive() });

const ListQuery = listQuery({
  sortable: USER_SORTABLE,
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
  const CITY = { kind: 'city' } as const;
  const organisationMustExist = async (trx: Knex.Transaction, id: number) => {
    if (!(await organisationExists(trx, id))) {
      throw new HttpError(422, 'invalid_reference', 'organisation_id does not exist', [{ field: 'body.organisation_id', reason: 'does not exist' }]);
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
      const page = await listUsers(db, user.scope, query);
      return listResult('users', page.rows, page.total, query.offset, page.hasMore);
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
      const row = await findUser(db, user.scope, params.id);
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
        await organisationMustExist(trx, fields.organisation_id);
        if (await usernameTaken(trx, fields.username)) {
          throw conflict('The username is taken', [{ field: 'body.username', reason: 'already exists' }]);
        }
        const id = await insertUser(trx, fields, password_hash);
        await audit(trx, { status: 201, targetType: 'user', targetId: id, detail: { after: fields } });
        return findUser(trx, CITY, id);
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
        const before = await findUser(trx, CITY, params.id, { forUpdate: true });
        if (!before) throw notFound('User');
        await organisationMustExist(trx, body.organisation_id);
        await updateUser(trx, params.id, body);
        if (!body.active || body.role !== before.role || body.organisation_id !== before.organisation_id) {
          await endAllSessions(trx, params.id); // a changed role or scope takes effect at once
        }
        await audit(trx, { targetType: 'user', targetId: params.id, detail: { before, after: body } });
        return findUser(trx, CITY, params.id);
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
        if (!(await unlockUser(trx, params.id))) throw notFound('User');
        await audit(trx, { targetType: 'user', targetId: params.id });
        return findUser(trx, CITY, params.id);
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
      const account = await accountNames(db, params.id);
      if (!account) throw notFound('User');
      const problem = passwordProblem(body.password, [account.username, account.display_name]);
      if (problem) throw badRequest(`The password ${problem}`, [{ field: 'body.password', reason: problem }]);
      const password_hash = await hashPassword(body.password);
      await db.transaction(async (trx) => {
        if (!(await setPassword(trx, params.id, password_hash, false))) throw notFound('User');
        await endAllSessions(trx, params.id);
        await audit(trx, { status: 204, targetType: 'user', targetId: params.id });
      });
      return undefined;
    },
  });
}
