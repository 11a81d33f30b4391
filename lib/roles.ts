/**
 * The roles of docs/security.md and what each may do. Permissions are coarse capabilities; *which*
 * rows a user reaches is decided separately by the scope (see `scopeOf`).
 */
export const ROLES = [
  'sysadmin',
  'security_admin',
  'audit_admin',
  'city_staff',
  'city_leader',
  'admin_centre',
  'district_staff',
  'street_office',
  'enterprise',
  'project_manager',
  'developer',
  'owners_committee',
  'public',
  'expert',
] as const;
export type Role = (typeof ROLES)[number];

/** Chinese names, used by the seed and the logs; the UI has its own message files. */
export const ROLE_LABELS_ZH: Record<Role, string> = {
  sysadmin: '系统管理员',
  security_admin: '安全管理员',
  audit_admin: '审计管理员',
  city_staff: '市局工作人员',
  city_leader: '市局领导',
  admin_centre: '行政服务中心',
  district_staff: '区局工作人员',
  street_office: '街道办事处',
  enterprise: '物业服务企业',
  project_manager: '项目经理',
  developer: '建设单位',
  owners_committee: '业主委员会',
  public: '业主/公众',
  expert: '评标专家',
};

export const PERMISSIONS = [
  'users:read',
  'users:write',
  'roles:assign',
  'security:manage',
  'organisations:read',
  'organisations:write',
  'oplog:read',
  'system:check',
  'processes:read',
  'processes:publish',
  'cases:start',
  'cases:message',
  'cases:admin',
  'sms:read',
  'sms:send',
  'sms:manage',
  'registries:read',
  'registries:write',
  'registries:review',
  'credit:write',
  'credit:standards',
  'credit:read',
  'pii:read',
  'pii:export',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * The three administrators (三权分立, docs/security.md "Separation of powers"): the system
 * administrator runs accounts and the system, the security administrator decides who holds which
 * role and the security settings, the audit administrator alone reads the operation log. One
 * account holds one role, so no account is two of them; all three sign in with a second factor.
 */
export const ADMIN_ROLES: readonly Role[] = ['sysadmin', 'security_admin', 'audit_admin'];
export const isAdminRole = (role: string): boolean => (ADMIN_ROLES as readonly string[]).includes(role);

/** The bureau's own staff (city, district, street); sysadmin administers but does not review. */
export const STAFF_ROLES: readonly Role[] = ['city_staff', 'city_leader', 'admin_centre', 'district_staff', 'street_office'];
const STAFF: Role[] = [...STAFF_ROLES];

const GRANTS: Record<Permission, readonly Role[]> = {
  // Accounts: the system administrator creates, disables and resets them; only the security
  // administrator assigns roles and scopes (organisations), unlocks and resets second factors.
  'users:read': ['sysadmin', 'security_admin', ...STAFF],
  'users:write': ['sysadmin'],
  'roles:assign': ['security_admin'],
  'security:manage': ['security_admin'],
  'organisations:read': ['sysadmin', 'security_admin', ...STAFF, 'enterprise', 'project_manager', 'developer', 'owners_committee'],
  'organisations:write': ['sysadmin'],
  // The audit administrator is the only reader of the log, and reads nothing else.
  'oplog:read': ['audit_admin'],
  'system:check': ['sysadmin'],
  // Process engine (E1–E6). Which cases and tasks a user reaches is decided by scope and
  // candidacy (api/cases/access.ts), not by these coarse grants.
  'processes:read': ['sysadmin', ...STAFF],
  'processes:publish': ['sysadmin'],
  'cases:start': ['sysadmin', ...STAFF, 'enterprise', 'project_manager', 'developer', 'owners_committee', 'public'],
  'cases:message': ['sysadmin'],
  'cases:admin': ['sysadmin'],
  // SMS platform (M2–M5): logs and statistics for the city; district staff send notices to their district.
  'sms:read': ['sysadmin', 'city_staff', 'city_leader'],
  'sms:send': ['sysadmin', 'city_staff', 'city_leader', 'district_staff'],
  'sms:manage': ['sysadmin', 'city_staff'],
  // Base registries (D1–D5). Which records a role reads and writes is decided by scope and by
  // each registry's write rules (db/registries/*.ts): a district within its district, an
  // enterprise its own base data and staff, a committee its own record, the city everything.
  'registries:read': ['sysadmin', ...STAFF, 'enterprise', 'project_manager', 'developer', 'owners_committee'],
  // Least privilege: the system administrator reads the registries (to support their users) but
  // no longer writes or reviews them, nor credit records — that is the bureau's business staff's.
  'registries:write': ['city_staff', 'district_staff', 'enterprise', 'owners_committee'],
  'registries:review': ['city_staff', 'city_leader', 'district_staff'],
  // District and street staff record credit items in their place (street offices through the record intake only).
  'credit:write': ['city_staff', 'district_staff', 'street_office'],
  // The credit standard is the city's: districts and enterprises score under it and cannot change it (C1).
  'credit:standards': ['city_staff'],
  // Rankings and lists before they are published (C5) are the bureau's working papers.
  'credit:read': [...STAFF],
  // Personal data (docs/compliance.md): lists, pages and exports show ID numbers and phones
  // masked; unmasking one record (logged each time) is for the staff who verify identities, and
  // exports with the full fields for the city's registry staff only.
  'pii:read': ['city_staff', 'district_staff'],
  'pii:export': ['city_staff'],
};

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[permission].includes(role);
}

export function permissionsOf(role: Role): Permission[] {
  return PERMISSIONS.filter((p) => can(role, p));
}

/**
 * Which rows a user reaches. City-level roles see the whole city; district and street users are
 * confined to their place; enterprise-side users to their own organisation.
 */
export type Scope = { kind: 'city' } | { kind: 'district'; districtCode: string } | { kind: 'street'; districtCode: string; streetCode: string } | { kind: 'organisation'; organisationId: number } | { kind: 'none' };

export interface ScopeSubject {
  role: Role;
  organisationId: number;
  districtCode: string | null;
  streetCode: string | null;
}

export function scopeOf(user: ScopeSubject): Scope {
  switch (user.role) {
    case 'sysadmin':
    case 'city_staff':
    case 'city_leader':
    case 'admin_centre':
      return { kind: 'city' };
    case 'district_staff':
      return user.districtCode ? { kind: 'district', districtCode: user.districtCode } : { kind: 'none' };
    case 'street_office':
      return user.districtCode && user.streetCode ? { kind: 'street', districtCode: user.districtCode, streetCode: user.streetCode } : { kind: 'none' };
    // Evaluation experts belong to the expert pool organisation; they reach tenders through their tasks.
    case 'expert':
    case 'enterprise':
    case 'project_manager':
    case 'developer':
    case 'owners_committee':
      return { kind: 'organisation', organisationId: user.organisationId };
    // The security and audit administrators reach no business records at all: the users routes
    // give the security administrator the accounts it assigns, the log is not scoped.
    case 'security_admin':
    case 'audit_admin':
    case 'public':
      return { kind: 'none' };
  }
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
