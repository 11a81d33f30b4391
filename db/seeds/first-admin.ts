import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { passwordProblem } from '../../lib/password-policy';
import { isAdminRole } from '../../lib/roles';
import { hashPassword } from '../../lib/passwords';
import { activeAdministrator, insertUser } from '../accounts';
import { cityBureauId, insertOrganisation } from '../organisations';
import { seedRegions } from './demo';

/**
 * A production installation's first administrator, created once by `npm run setup:admin`: the
 * city's regions, the bureau's organisation and one sysadmin whose password must be changed at
 * the first sign-in. Refuses when an active administrator exists, so it cannot be used later to
 * mint a second one behind the operators' backs.
 */
export interface FirstAdminInput {
  username: string;
  displayName: string;
  /** The bureau's own organisation, created if missing. */
  organisationName: string;
  /** A one-time password; generated (and answered) when not given. */
  password?: string;
  /** Which of the three administrators (三权分立); each is set up once. Default sysadmin. */
  role?: 'sysadmin' | 'security_admin' | 'audit_admin';
}

export async function createFirstAdmin(db: Knex, input: FirstAdminInput): Promise<{ userId: number; password: string; generated: boolean }> {
  const generated = !input.password;
  const role = input.role ?? 'sysadmin';
  if (!isAdminRole(role)) throw new Error('The role is one of sysadmin, security_admin, audit_admin');
  // 18 random bytes: 24 base64url characters, far past the policy's strength requirement.
  const password = input.password ?? crypto.randomBytes(18).toString('base64url');
  const problem = passwordProblem(password, [input.username, input.displayName]);
  if (problem) throw new Error(`The initial password ${problem}`);
  if (!/^[a-z0-9._-]{3,64}$/.test(input.username)) throw new Error('The username takes 3–64 lower-case letters, digits, dot, dash or underscore');
  const hash = await hashPassword(password);
  await seedRegions(db);
  const userId = await db.transaction(async (trx) => {
    const admin = await activeAdministrator(trx, role);
    if (admin) throw new Error(`An administrator of role ${role} already exists (${admin}); further accounts are created by the system administrator and given roles by the security administrator in the admin UI`);
    const organisationId = (await cityBureauId(trx)) ?? (await insertOrganisation(trx, { code: 'CITY-BUREAU', name: input.organisationName, kind: 'city_bureau', district_code: null, street_code: null }));
    // insertUser marks the password as one to change at the first sign-in.
    return insertUser(trx, { username: input.username, display_name: input.displayName, phone: null, role, organisation_id: organisationId, active: true }, hash);
  });
  return { userId, password, generated };
}
