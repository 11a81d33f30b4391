import { ROLES, can, scopeOf } from './roles';

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
});
