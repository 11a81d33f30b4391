import { ADMIN_ROLES, ROLES, can, permissionsOf, scopeOf } from './roles';

describe('roles and scope', () => {
  const subject = { organisationId: 7, districtCode: '320508', streetCode: '320508001' };

  it('confines each role to the right scope', () => {
    expect(scopeOf({ ...subject, role: 'city_leader' })).toEqual({ kind: 'city' });
    expect(scopeOf({ ...subject, role: 'district_staff' })).toEqual({ kind: 'district', districtCode: '320508' });
    expect(scopeOf({ ...subject, role: 'street_office' })).toEqual({ kind: 'street', districtCode: '320508', streetCode: '320508001' });
    expect(scopeOf({ ...subject, role: 'enterprise' })).toEqual({ kind: 'organisation', organisationId: 7 });
    expect(scopeOf({ ...subject, role: 'public' })).toEqual({ kind: 'none' });
  });

  it('gives a district user without a district no rows at all rather than the whole city', () => {
    expect(scopeOf({ ...subject, districtCode: null, role: 'district_staff' })).toEqual({ kind: 'none' });
  });

  it('keeps administration to the system administrator', () => {
    for (const role of ROLES) expect(can(role, 'users:write')).toBe(role === 'sysadmin');
    expect(can('public', 'organisations:read')).toBe(false);
  });

  it('separates the three administrators (三权分立)', () => {
    expect(permissionsOf('audit_admin')).toEqual(['oplog:read']);
    for (const role of ROLES) expect([role, can(role, 'oplog:read')]).toEqual([role, role === 'audit_admin']);
    for (const role of ROLES) expect([role, can(role, 'roles:assign')]).toEqual([role, role === 'security_admin']);
    expect(permissionsOf('security_admin').sort()).toEqual(['organisations:read', 'roles:assign', 'security:manage', 'users:read']);
    for (const p of ['processes:publish', 'users:write', 'system:check'] as const) expect(ADMIN_ROLES.filter((r) => can(r, p))).toEqual(['sysadmin']);
    // Least privilege: the system administrator no longer writes business data.
    for (const p of ['registries:write', 'registries:review', 'credit:write', 'pii:read'] as const) expect(can('sysadmin', p)).toBe(false);
    expect(scopeOf({ ...subject, role: 'security_admin' })).toEqual({ kind: 'none' });
    expect(scopeOf({ ...subject, role: 'audit_admin' })).toEqual({ kind: 'none' });
  });
});
