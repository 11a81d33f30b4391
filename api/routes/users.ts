import type { Knex } from 'knex';
import { z } from 'zod';
import { USER_SORTABLE, accountNames, assignRole, clearSecondFactor, findUser, insertUser, listUsers, otherActiveHolders, passwordHashOf, setPassword, unlockUser, updateUser, usernameTaken } from '../../db/accounts';
import { rememberPassword } from '../../db/password-history';
import { deleteRecoveryCodes } from '../../db/recovery-codes';
import { organisationExists } from '../../db/organisations';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../lib/password-policy';
import { hashPassword, passwordProblem } from '../../lib/passwords';
import { ROLES, can, isAdminRole, type Role, type Scope } from '../../lib/roles';
import type { SessionUser } from '../auth/sessions';
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

const Assignment = z.object({
  role: z.enum(ROLES),
  organisation_id: z.number().int().positive(),
});
const UserUpdate = z.object({
  display_name: z.string().trim().min(1).max(64),
  phone,
  // Accepted unchanged (the form sends the whole record); changing them is PUT …/role's.
  role: z.enum(ROLES).optional(),
  organisation_id: z.number().int().positive().optional(),
  active: z.boolean().default(true),
});
const UserCreate = UserUpdate.extend({
  role: z.enum(ROLES),
  organisation_id: z.number().int().positive(),
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

/** A refusal under the separation of powers: 403, naming the field, logged as denied by the safety net. */
const powersRefusal = (message: string, field: string, reason: string) => new HttpError(403, 'separation_of_powers', message, [{ field, reason }]);

export function registerUserRoutes(api: Api, db: Knex, config: { PASSWORD_HISTORY: number } = { PASSWORD_HISTORY: 5 }): void {
  const CITY = { kind: 'city' } as const;
  /** The security administrator assigns roles across the city; its own scope reaches no business records. */
  const accountsScope = (user: SessionUser): Scope => (can(user.role, 'roles:assign') ? CITY : user.scope);
  const notSelf = (user: SessionUser, id: number, what: string) => {
    if (user.id === id) throw powersRefusal(`Nobody may ${what} their own account`, 'params.id', 'is your own account');
  };
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
      const page = await listUsers(db, accountsScope(user), query);
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
      const row = await findUser(db, accountsScope(user), params.id);
      if (!row) throw await missingOrDenied(db, 'users', params.id, 'User', 'user');
      return row;
    },
  });

  api.add({
    method: 'post',
    path: '/api/users',
    summary: 'Create a user account with a business role (administrator roles are assigned by the security administrator)',
    tags: ['users'],
    action: 'users.create',
    access: 'users:write',
    status: 201,
    body: UserCreate,
    handler: async ({ body, audit }) => {
      if (isAdminRole(body.role)) throw powersRefusal('Administrator roles are assigned by the security administrator', 'body.role', 'is an administrator role');
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
    summary: 'Update a user account’s name, phone and whether it is active; disabling it ends its sessions',
    tags: ['users'],
    action: 'users.update',
    access: 'users:write',
    params: IdParams,
    body: UserUpdate,
    handler: async ({ params, body, user, audit }) =>
      db.transaction(async (trx) => {
        const before = await findUser(trx, CITY, params.id, { forUpdate: true });
        if (!before) throw notFound('User');
        if (body.role !== undefined && body.role !== before.role) throw powersRefusal('Roles are assigned by the security administrator', 'body.role', 'may not be changed here');
        if (body.organisation_id !== undefined && body.organisation_id !== before.organisation_id) {
          throw powersRefusal('Scopes (organisations) are assigned by the security administrator', 'body.organisation_id', 'may not be changed here');
        }
        if (!body.active && user.id === params.id) throw powersRefusal('Nobody may disable their own account', 'body.active', 'is your own account');
        // Disabling the last active security or audit administrator would end the checks on the system administrator.
        if (!body.active && before.active && isAdminRole(before.role) && (await otherActiveHolders(trx, before.role as Role, params.id)) === 0) {
          throw conflict(`This is the only active ${before.role}`, [{ field: 'body.active', reason: 'would leave no active holder' }]);
        }
        const { display_name, phone: phoneNumber, active } = body;
        await updateUser(trx, params.id, { display_name, phone: phoneNumber, active });
        if (!active) await endAllSessions(trx, params.id);
        await audit(trx, { targetType: 'user', targetId: params.id, detail: { before, after: { display_name, phone: phoneNumber, active } } });
        return findUser(trx, CITY, params.id);
      }),
  });

  api.add({
    method: 'put',
    path: '/api/users/:id/role',
    summary: 'Assign a role and its organisation (scope) to an account — the security administrator’s; never one’s own',
    tags: ['users'],
    action: 'users.assign_role',
    access: 'roles:assign',
    params: IdParams,
    body: Assignment,
    handler: async ({ params, body, user, audit }) => {
      notSelf(user, params.id, 'change the role of');
      return db.transaction(async (trx) => {
        const before = await findUser(trx, CITY, params.id, { forUpdate: true });
        if (!before) throw notFound('User');
        await organisationMustExist(trx, body.organisation_id);
        // Each administrator role keeps an active holder: taking the last one away would leave
        // its duties (accounts, roles, the log) to nobody — or to whoever re-runs the set-up.
        if (before.role !== body.role && isAdminRole(before.role) && before.active && (await otherActiveHolders(trx, before.role as Role, params.id)) === 0) {
          throw conflict(`This is the only active ${before.role}; assign the role to another account first`, [{ field: 'body.role', reason: 'would leave no active holder' }]);
        }
        await assignRole(trx, params.id, body.role, body.organisation_id);
        // A changed role or scope takes effect at once; an administrator role also needs a second factor.
        if (body.role !== before.role || body.organisation_id !== before.organisation_id) await endAllSessions(trx, params.id);
        const administrator = isAdminRole(body.role) || isAdminRole(before.role);
        await audit(trx, { targetType: 'user', targetId: params.id, detail: { before: { role: before.role, organisation_id: before.organisation_id }, after: body, administratorRole: administrator } });
        return findUser(trx, CITY, params.id);
      });
    },
  });

  api.add({
    method: 'post',
    path: '/api/users/:id/second-factor/reset',
    summary: 'Remove an account’s second factor and recovery codes (a lost phone); it enrols again at the next sign-in',
    tags: ['users'],
    action: 'users.reset_second_factor',
    access: 'security:manage',
    params: IdParams,
    handler: async ({ params, user, audit }) => {
      notSelf(user, params.id, 'reset the second factor of');
      return db.transaction(async (trx) => {
        if (!(await findUser(trx, CITY, params.id, { forUpdate: true }))) throw notFound('User');
        await clearSecondFactor(trx, params.id);
        await deleteRecoveryCodes(trx, params.id);
        await endAllSessions(trx, params.id);
        await audit(trx, { targetType: 'user', targetId: params.id });
        return findUser(trx, CITY, params.id);
      });
    },
  });

  api.add({
    method: 'post',
    path: '/api/users/:id/unlock',
    summary: 'Lift a sign-in lock before it expires (the security administrator’s)',
    tags: ['users'],
    action: 'users.unlock',
    access: 'security:manage',
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
    handler: async ({ params, body, user, audit }) => {
      notSelf(user, params.id, 'reset the password of');
      const account = await accountNames(db, params.id);
      if (!account) throw notFound('User');
      const problem = passwordProblem(body.password, [account.username, account.display_name]);
      if (problem) throw badRequest(`The password ${problem}`, [{ field: 'body.password', reason: problem }]);
      const password_hash = await hashPassword(body.password);
      await db.transaction(async (trx) => {
        const previous = await passwordHashOf(trx, params.id);
        if (previous) await rememberPassword(trx, params.id, previous, config.PASSWORD_HISTORY);
        if (!(await setPassword(trx, params.id, password_hash, false))) throw notFound('User');
        await endAllSessions(trx, params.id);
        await audit(trx, { status: 204, targetType: 'user', targetId: params.id });
      });
      return undefined;
    },
  });
}
