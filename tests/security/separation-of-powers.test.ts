import type { Express } from 'express';
import type { Knex } from 'knex';
import { apiTestbed, signIn } from '../helpers/api';

/**
 * Separation of powers (三权分立, issue 12 finding 3): the system administrator (admin), the
 * security administrator (security) and the audit administrator (auditor) are refused each
 * other's work, every refusal is in the operation log, nobody changes their own role, and only
 * the security administrator assigns roles — administrator roles included, logged as such.
 */
describe('separation of the three administrators', () => {
  let db: Knex;
  let app: Express;
  let bed: Awaited<ReturnType<typeof apiTestbed>>;
  let admin: Awaited<ReturnType<typeof signIn>>;
  let security: Awaited<ReturnType<typeof signIn>>;
  let auditor: Awaited<ReturnType<typeof signIn>>;
  const idOf = async (username: string) => ((await db('users').where('username', username).first('id')) as { id: number }).id;
  const cityBureau = async () => ((await db('organisations').where('code', 'SZ-JSJ').first('id')) as { id: number }).id;
  /** The refusal is in the log as denied, with who tried it. */
  const deniedLogged = async (username: string, method: string, path: string) => {
    // The safety net writes on res.end; give the insert a moment to land.
    for (let i = 0; i < 50; i++) {
      const row = await db('operation_log').where({ username, method, path, result: 'denied' }).orderBy('id', 'desc').first('status', 'role');
      if (row) return row as { status: number; role: string };
      await new Promise((r) => setTimeout(r, 50));
    }
    return undefined;
  };

  beforeAll(async () => {
    bed = await apiTestbed();
    ({ db, app } = bed);
    admin = await signIn(app, 'admin');
    security = await signIn(app, 'security');
    auditor = await signIn(app, 'auditor');
  });
  afterAll(() => bed.stop());

  it('lets only the audit administrator read the operation log', async () => {
    expect((await auditor.get('/api/operation-logs')).status).toBe(200);
    expect((await admin.get('/api/operation-logs')).status).toBe(403);
    expect((await security.get('/api/operation-logs')).status).toBe(403);
    expect(await deniedLogged('admin', 'GET', '/api/operation-logs')).toMatchObject({ status: 403, role: 'sysadmin' });
    expect(await deniedLogged('security', 'GET', '/api/operation-logs')).toMatchObject({ status: 403, role: 'security_admin' });
  });

  it('gives the audit administrator nothing but the log', async () => {
    const tries: Array<[string, string, unknown?]> = [
      ['get', '/api/users'],
      ['get', '/api/organisations'],
      ['get', '/api/processes'],
      ['post', '/api/users', { username: 'audit.made', display_name: '审计建的', role: 'city_staff', organisation_id: 1, password: 'Gusu-Canal-Bridge-2027' }],
      ['put', `/api/users/${await idOf('city.staff')}/role`, { role: 'city_leader', organisation_id: 1 }],
      ['post', `/api/users/${await idOf('city.staff')}/unlock`],
      ['post', '/api/system/self-check'],
    ];
    for (const [method, path, body] of tries) {
      const res = method === 'get' ? await auditor.get(path) : method === 'put' ? await auditor.put(path).send(body as object) : await auditor.post(path).send((body ?? {}) as object);
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
    }
    expect(await deniedLogged('auditor', 'POST', '/api/users')).toMatchObject({ status: 403, role: 'audit_admin' });
    // Cases: the auditor's scope reaches none.
    const cases = await auditor.get('/api/cases');
    expect(cases.status === 403 || (cases.status === 200 && Array.isArray(cases.body) && cases.body.length === 0)).toBe(true);
  });

  it('refuses the system administrator role assignment, in every form, and logs it', async () => {
    const cityStaff = await idOf('city.staff');
    const before = (await db('users').where('id', cityStaff).first('role', 'organisation_id')) as { role: string; organisation_id: number };
    // The dedicated route: not the sysadmin's permission.
    expect((await admin.put(`/api/users/${cityStaff}/role`).send({ role: 'city_leader', organisation_id: before.organisation_id })).status).toBe(403);
    expect(await deniedLogged('admin', 'PUT', `/api/users/${cityStaff}/role`)).toMatchObject({ status: 403 });
    // Through the account form: a changed role or organisation is refused, naming the field.
    const viaForm = await admin.put(`/api/users/${cityStaff}`).send({ display_name: '王建国（物业处）', phone: null, role: 'sysadmin', organisation_id: before.organisation_id, active: true });
    expect(viaForm.status).toBe(403);
    expect(viaForm.body.error).toMatchObject({ code: 'separation_of_powers', details: [{ field: 'body.role' }] });
    expect(await deniedLogged('admin', 'PUT', `/api/users/${cityStaff}`)).toMatchObject({ status: 403 });
    // Creating an administrator: refused; a business account is the system administrator's to create.
    const adminMade = await admin.post('/api/users').send({ username: 'second.security', display_name: '第二安全员', role: 'security_admin', organisation_id: await cityBureau(), password: 'Gusu-Canal-Bridge-2027' });
    expect(adminMade.status).toBe(403);
    expect(adminMade.body.error.details).toEqual([{ field: 'body.role', reason: 'is an administrator role' }]);
    const made = await admin.post('/api/users').send({ username: 'new.clerk', display_name: '新办事员', role: 'city_staff', organisation_id: await cityBureau(), password: 'Gusu-Canal-Bridge-2027' });
    expect(made.status).toBe(201);
    // The same form with the role unchanged still edits the name.
    const renamed = await admin.put(`/api/users/${made.body.id}`).send({ display_name: '新办事员（改名）', phone: null, role: 'city_staff', organisation_id: await cityBureau(), active: true });
    expect(renamed.status).toBe(200);
    expect((await db('users').where('id', cityStaff).first('role', 'organisation_id')) as unknown).toEqual(before);
    // Unlocking and second-factor resets are the security administrator's.
    expect((await admin.post(`/api/users/${cityStaff}/unlock`)).status).toBe(403);
    expect((await admin.post(`/api/users/${await idOf('auditor')}/second-factor/reset`)).status).toBe(403);
  });

  it('refuses the security administrator accounts, processes and system work', async () => {
    const created = await security.post('/api/users').send({ username: 'sec.made', display_name: '安全员建的', role: 'city_staff', organisation_id: await cityBureau(), password: 'Gusu-Canal-Bridge-2027' });
    expect(created.status).toBe(403);
    expect(await deniedLogged('security', 'POST', '/api/users')).toMatchObject({ status: 403, role: 'security_admin' });
    expect((await security.post(`/api/users/${await idOf('city.staff')}/password`).send({ password: 'Gusu-Canal-Bridge-2027' })).status).toBe(403);
    const process = await security.post('/api/processes').send({ key: 'sec-process', xml: '<x/>' });
    expect(process.status).toBe(403);
    expect(await deniedLogged('security', 'POST', '/api/processes')).toMatchObject({ status: 403 });
    expect((await security.post('/api/organisations').send({ code: 'SEC-ORG', name: '安全员机构', kind: 'public' })).status).toBe(403);
    expect((await security.post('/api/system/self-check')).status).toBe(403);
  });

  it('lets the security administrator assign roles and scopes, administrator roles logged as such', async () => {
    const clerk = await idOf('new.clerk');
    const gusu = ((await db('organisations').where('code', 'DB-320508').first('id')) as { id: number }).id;
    const listed = await security.get('/api/users').query({ filter: JSON.stringify({ q: 'new.clerk' }) });
    expect(listed.status).toBe(200);
    expect(listed.body.map((u: { username: string }) => u.username)).toEqual(['new.clerk']);
    const moved = await security.put(`/api/users/${clerk}/role`).send({ role: 'district_staff', organisation_id: gusu });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ role: 'district_staff', organisation_id: gusu });
    const promoted = await security.put(`/api/users/${clerk}/role`).send({ role: 'audit_admin', organisation_id: await cityBureau() });
    expect(promoted.status).toBe(200);
    const logged = (await db('operation_log')
      .where({ action: 'users.assign_role', target_id: String(clerk), result: 'ok' })
      .orderBy('id', 'desc')
      .first('detail', 'username')) as { detail: string | object; username: string };
    const detail = typeof logged.detail === 'string' ? JSON.parse(logged.detail) : logged.detail;
    expect(logged.username).toBe('security');
    expect(detail).toMatchObject({ before: { role: 'district_staff' }, after: { role: 'audit_admin' }, administratorRole: true });
    // The new auditor must enrol a second factor before doing anything (the enrolment gate).
    const { signIn: plainSignIn } = await import('../helpers/api');
    await db('users').where('id', clerk).update({ must_change_password: false });
    const newAuditor = await plainSignIn(app, 'new.clerk', 'Gusu-Canal-Bridge-2027');
    const gated = await newAuditor.get('/api/operation-logs');
    expect(gated.status).toBe(403);
    expect(gated.body.error.code).toBe('second_factor_enrolment_required');
    // An unknown organisation is named.
    const bad = await security.put(`/api/users/${clerk}/role`).send({ role: 'city_staff', organisation_id: 987654 });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details).toEqual([{ field: 'body.organisation_id', reason: 'does not exist' }]);
  });

  it('refuses anyone changing their own role, and leaving an administrator role without a holder', async () => {
    const me = await idOf('security');
    const own = await security.put(`/api/users/${me}/role`).send({ role: 'sysadmin', organisation_id: await cityBureau() });
    expect(own.status).toBe(403);
    expect(own.body.error).toMatchObject({ code: 'separation_of_powers', details: [{ field: 'params.id', reason: 'is your own account' }] });
    expect(await deniedLogged('security', 'PUT', `/api/users/${me}/role`)).toMatchObject({ status: 403 });
    expect((await security.post(`/api/users/${me}/second-factor/reset`)).status).toBe(403);
    const adminId = await idOf('admin');
    expect((await admin.put(`/api/users/${adminId}`).send({ display_name: '系统管理员', phone: '13800000001', role: 'security_admin', active: true })).status).toBe(403);
    expect(((await db('users').where('id', me).first('role')) as { role: string }).role).toBe('security_admin');
    // Nor may the system administrator disable the only security administrator.
    const onlySecurity = (await db('users').where('username', 'security').first('id', 'display_name', 'phone')) as { id: number; display_name: string; phone: string };
    const disable = await admin.put(`/api/users/${onlySecurity.id}`).send({ display_name: onlySecurity.display_name, phone: onlySecurity.phone, active: false });
    expect(disable.status).toBe(409);
    expect(disable.body.error.details).toEqual([{ field: 'body.active', reason: 'would leave no active holder' }]);
    // admin is the only active sysadmin: demoting it would leave accounts to nobody.
    const last = await security.put(`/api/users/${adminId}/role`).send({ role: 'city_staff', organisation_id: await cityBureau() });
    expect(last.status).toBe(409);
    expect(last.body.error.details).toEqual([{ field: 'body.role', reason: 'would leave no active holder' }]);
  });

  it('lets the security administrator unlock an account and reset a second factor, logged', async () => {
    const staff = await idOf('gusu.staff');
    await db('users')
      .where('id', staff)
      .update({ failed_attempts: 5, locked_until: new Date(Date.now() + 3_600_000) });
    expect((await security.post(`/api/users/${staff}/unlock`)).status).toBe(200);
    expect(await db('users').where('id', staff).first('locked_until')).toEqual({ locked_until: null });
    const auditorId = await idOf('auditor');
    const reset = await security.post(`/api/users/${auditorId}/second-factor/reset`);
    expect(reset.status).toBe(200);
    expect(await db('users').where('id', auditorId).first('totp_secret', 'totp_enabled_at')).toEqual({ totp_secret: null, totp_enabled_at: null });
    expect(await db('user_recovery_codes').where('user_id', auditorId)).toEqual([]);
    expect(await db('operation_log').where({ action: 'users.reset_second_factor', target_id: String(auditorId), username: 'security', result: 'ok' })).toHaveLength(1);
    // The reset ended the auditor's sessions.
    expect((await auditor.get('/api/operation-logs')).status).toBe(401);
  });
});
