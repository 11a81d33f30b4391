import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '../../db/seeds/demo';
import { hashPassword } from '../../lib/passwords';
import { encryptField } from '../../lib/crypto/fields';
import { TOTP_SECRET_PURPOSE, totpCode, totpStep } from '../../lib/second-factor';
import { apiTestbed, signIn } from '../helpers/api';

/**
 * Authentication of privileged users (issue 12 finding 4): the administrators' second factor
 * (TOTP with enrolment, replay refusal and single-use recovery codes), the idle timeout beside the
 * absolute one, the purge of dead sessions, password expiry and no reuse of recent passwords, and
 * the administrator's reset that forces a change at the next sign-in.
 */
describe('authentication of privileged users', () => {
  let db: Knex;
  let app: Express;
  let bed: Awaited<ReturnType<typeof apiTestbed>>;
  const login = (body: Record<string, unknown>) => request(app).post('/api/auth/login').send(body);
  const idOf = async (username: string) => ((await db('users').where('username', username).first('id')) as { id: number }).id;
  /** A fresh account of a role, enrolled or not, with a known password, for one test alone. */
  const account = async (username: string, role: string, opts: { mustChange?: boolean } = {}) => {
    const org = ((await db('organisations').where('code', 'SZ-JSJ').first('id')) as { id: number }).id;
    const [id] = await db('users').insert({ username, display_name: username, role, organisation_id: org, password_hash: await hashPassword(DEMO_PASSWORD), must_change_password: opts.mustChange ?? false });
    return Number(id);
  };

  beforeAll(async () => {
    // A generous lockout: the tests send wrong codes on purpose.
    bed = await apiTestbed({ LOCKOUT_THRESHOLD: 8 });
    ({ db, app } = bed);
  });
  afterAll(() => bed.stop());

  it('asks an administrator for the code after the password; a wrong one is 401 and counted', async () => {
    const first = await login({ username: 'auditor', password: DEMO_PASSWORD });
    expect(first.status).toBe(401);
    expect(first.body.error).toMatchObject({ code: 'second_factor_required', details: [{ field: 'body.code', reason: 'is required' }] });
    expect(first.headers['set-cookie']).toBeUndefined();
    // The wrong password is still just a wrong password: the second step is not revealed.
    expect((await login({ username: 'auditor', password: 'Wrong-password-9' })).body.error.code).toBe('invalid_credentials');
    const wrongCode = totpCode(DEMO_TOTP_SECRET, totpStep() + 5); // valid format, outside the window
    const wrong = await login({ username: 'auditor', password: DEMO_PASSWORD, code: wrongCode });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_second_factor');
    expect(((await db('users').where('username', 'auditor').first('failed_attempts')) as { failed_attempts: number }).failed_attempts).toBeGreaterThanOrEqual(2);
    const denied = await db('operation_log').where({ action: 'auth.login', username: 'auditor', result: 'denied' }).pluck('detail');
    expect(denied.map((d: string | { reason: string }) => (typeof d === 'string' ? JSON.parse(d) : d).reason)).toEqual(expect.arrayContaining(['second factor required', 'wrong code']));
    // Password and the right code: signed in, and /me says the factor is enrolled.
    const ok = await login({ username: 'auditor', password: DEMO_PASSWORD, code: totpCode(DEMO_TOTP_SECRET) });
    expect(ok.status).toBe(200);
    expect(ok.body.user).toMatchObject({ role: 'audit_admin', secondFactorRequired: true, secondFactorEnrolled: true, mustChangePassword: false });
    // A business user needs no code.
    expect((await login({ username: 'city.staff', password: DEMO_PASSWORD })).status).toBe(200);
  });

  it('refuses the same code a second time within its window, also when sent in parallel', async () => {
    // An administrator of this test's own, enrolled with the demo secret (the shared demo accounts'
    // steps are the sign-in helper's to spend).
    const id = await account('replay.admin', 'sysadmin');
    await db('users')
      .where('id', id)
      .update({ totp_secret: encryptField(TOTP_SECRET_PURPOSE, DEMO_TOTP_SECRET), totp_enabled_at: new Date() });
    const code = totpCode(DEMO_TOTP_SECRET, totpStep() + 1); // the next step: unused yet
    const body = { username: 'replay.admin', password: DEMO_PASSWORD, code };
    const both = await Promise.all([login(body), login(body)]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 401]);
    const again = await login(body);
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('invalid_second_factor');
    const reasons = (await db('operation_log').where({ action: 'auth.login', username: 'replay.admin', result: 'denied' }).pluck('detail')).map((d: string | { reason: string }) => (typeof d === 'string' ? JSON.parse(d) : d).reason);
    expect(reasons.filter((r: string) => r === 'code already used').length).toBe(2);
    // An older code than the one just used is refused too (steps only move forward).
    expect((await login({ ...body, code: totpCode(DEMO_TOTP_SECRET, totpStep()) })).status).toBe(401);
  });

  it('enrols a new administrator: gated until enrolled, QR and secret, first code, ten recovery codes that work once', async () => {
    await account('sec.two', 'security_admin');
    const agent = request.agent(app);
    const signedIn = await agent.post('/api/auth/login').send({ username: 'sec.two', password: DEMO_PASSWORD });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user).toMatchObject({ secondFactorRequired: true, secondFactorEnrolled: false });
    // Nothing but enrolment until then.
    const gated = await agent.get('/api/users');
    expect(gated.status).toBe(403);
    expect(gated.body.error.code).toBe('second_factor_enrolment_required');
    expect((await agent.get('/api/auth/me')).status).toBe(200);

    const setup = await agent.post('/api/auth/second-factor/setup');
    expect(setup.status).toBe(200);
    expect(setup.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.body.uri).toMatch(/^otpauth:\/\/totp\/.*sec\.two\?.*secret=/);
    expect(setup.body.qr).toMatch(/^data:image\/png;base64,/);
    // Stored encrypted, never as the secret itself.
    const stored = (await db('users').where('username', 'sec.two').first('totp_pending_secret', 'totp_secret')) as { totp_pending_secret: string; totp_secret: string | null };
    expect(stored.totp_secret).toBeNull();
    expect(stored.totp_pending_secret).toMatch(/^e1\./);
    expect(stored.totp_pending_secret).not.toContain(setup.body.secret);

    const wrong = await agent.post('/api/auth/second-factor/confirm').send({ code: totpCode(setup.body.secret, totpStep() + 7) });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.details).toEqual([{ field: 'body.code', reason: 'does not match' }]);
    expect((await agent.post('/api/auth/second-factor/confirm').send({ code: '12' })).status).toBe(400);
    const confirmed = await agent.post('/api/auth/second-factor/confirm').send({ code: totpCode(setup.body.secret) });
    expect(confirmed.status).toBe(200);
    const codes = confirmed.body.recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    // Hashed: no stored row holds a code.
    const hashes = (await db('user_recovery_codes')
      .where('user_id', await idOf('sec.two'))
      .pluck('code_hash')) as string[];
    expect(hashes).toHaveLength(10);
    expect(hashes.some((h) => codes.some((c) => h.includes(c.replace('-', ''))))).toBe(false);
    // The gate has lifted for this session.
    expect((await agent.get('/api/users')).status).toBe(200);
    // A second enrolment is refused; the security administrator resets instead.
    expect((await agent.post('/api/auth/second-factor/setup')).status).toBe(409);

    // The confirming code's step may not be replayed at sign-in.
    expect((await login({ username: 'sec.two', password: DEMO_PASSWORD, code: totpCode(setup.body.secret) })).status).toBe(401);
    // A recovery code works once, typed in any case and with or without its dash.
    const viaRecovery = await login({ username: 'sec.two', password: DEMO_PASSWORD, code: codes[3].toUpperCase().replace('-', '') });
    expect(viaRecovery.status).toBe(200);
    expect(viaRecovery.body.recoveryCodesLeft).toBe(9);
    const reused = await login({ username: 'sec.two', password: DEMO_PASSWORD, code: codes[3] });
    expect(reused.status).toBe(401);
    expect(reused.body.error.code).toBe('invalid_second_factor');
    expect((await login({ username: 'sec.two', password: DEMO_PASSWORD, code: 'aaaaa-bbbbb' })).status).toBe(401);
  });

  it('makes an administrator enrol again after the security administrator resets the factor', async () => {
    const id = await account('audit.two', 'audit_admin');
    // Enrolled by hand with the demo secret, through the API's own enrolment.
    const agent = request.agent(app);
    await agent.post('/api/auth/login').send({ username: 'audit.two', password: DEMO_PASSWORD });
    const setup = await agent.post('/api/auth/second-factor/setup');
    expect((await agent.post('/api/auth/second-factor/confirm').send({ code: totpCode(setup.body.secret) })).status).toBe(200);
    const security = await signIn(app, 'security');
    expect((await security.post(`/api/users/${id}/second-factor/reset`)).status).toBe(200);
    // Its session ended; the password alone now gives a session that can only enrol.
    expect((await agent.get('/api/auth/me')).status).toBe(401);
    const again = request.agent(app);
    const res = await again.post('/api/auth/login').send({ username: 'audit.two', password: DEMO_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.user.secondFactorEnrolled).toBe(false);
    expect((await again.get('/api/operation-logs')).body.error.code).toBe('second_factor_enrolment_required');
  });

  it('ends a session idle for longer than SESSION_IDLE_MINUTES, and a used one lives on', async () => {
    const idle = await signIn(app, 'gusu.staff');
    const busy = await signIn(app, 'huqiu.staff');
    expect((await idle.get('/api/auth/me')).status).toBe(200);
    // Move the idle one's last use 21 minutes back (the default is 20), the busy one's 10.
    await db('sessions')
      .where('user_id', await idOf('gusu.staff'))
      .update({ last_seen_at: db.raw('NOW(3) - INTERVAL 21 MINUTE') });
    await db('sessions')
      .where('user_id', await idOf('huqiu.staff'))
      .update({ last_seen_at: db.raw('NOW(3) - INTERVAL 10 MINUTE') });
    expect((await idle.get('/api/auth/me')).status).toBe(401);
    expect((await busy.get('/api/auth/me')).status).toBe(200);
    // The request moved the busy session's last use to now.
    const seen = (await db('sessions')
      .where('user_id', await idOf('huqiu.staff'))
      .first(db.raw('TIMESTAMPDIFF(SECOND, last_seen_at, NOW(3)) AS ago'))) as { ago: number };
    expect(Number(seen.ago)).toBeLessThan(5);
  });

  it('purges expired and idle sessions, leaving live ones', async () => {
    const userId = await idOf('pingjiang.street');
    const rows = (n: number, extra: Record<string, unknown>) =>
      Array.from({ length: n }, (_, i) => ({ token_hash: `${String(extra.tag)}${String(i).padStart(10, '0')}`.padEnd(64, '0'), user_id: userId, expires_at: new Date(Date.now() + 3_600_000), ...extra, tag: undefined }));
    const strip = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'tag'));
    await db('sessions').insert(rows(30, { tag: 'exp', expires_at: new Date(Date.now() - 60_000) }).map(strip));
    await db('sessions').insert(rows(20, { tag: 'idl', last_seen_at: db.raw('NOW(3) - INTERVAL 40 MINUTE') }).map(strip));
    await db('sessions').insert(rows(5, { tag: 'liv' }).map(strip));
    const { purgeExpiredSessions } = await import('../../db/sessions');
    // A bounded batch at a time.
    expect(await purgeExpiredSessions(db, 20, 10)).toBe(20);
    // A sign-in purges a batch too (100), and the rest goes.
    await signIn(app, 'pingjiang.street');
    const left = (await db('sessions').where('user_id', userId).pluck('token_hash')) as string[];
    expect(left.filter((h) => h.startsWith('exp') || h.startsWith('idl'))).toEqual([]);
    expect(left.filter((h) => h.startsWith('liv'))).toHaveLength(5);
  });

  it('sends a user whose password has expired to the change form, and lets them in after', async () => {
    const agent = request.agent(app);
    await db('users')
      .where('username', 'dongwu.pm')
      .update({ password_changed_at: new Date(Date.now() - 91 * 86_400_000) });
    const res = await agent.post('/api/auth/login').send({ username: 'dongwu.pm', password: DEMO_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ mustChangePassword: true, passwordChangeReason: 'expired' });
    const gated = await agent.get('/api/cases');
    expect(gated.status).toBe(403);
    expect(gated.body.error.code).toBe('password_change_required');
    expect((await agent.post('/api/auth/password').send({ currentPassword: DEMO_PASSWORD, newPassword: 'Lingering-Garden-Tea-2027' })).status).toBe(204);
    expect((await agent.get('/api/cases')).status).toBe(200);
    // 89 days is not expired.
    await db('users')
      .where('username', 'dongwu.pm')
      .update({ password_changed_at: new Date(Date.now() - 89 * 86_400_000) });
    expect((await agent.get('/api/auth/me')).body.mustChangePassword).toBe(false);
  });

  it('refuses a new password that is one of the last five', async () => {
    const agent = await signIn(app, 'chengtou.dev');
    const passwords = ['Humble-Admin-Garden-2027', 'Tiger-Hill-Pagoda-2028', 'Shantang-Street-Boat-2029', 'Pingjiang-Road-Rain-2030', 'Taihu-Lake-Stone-2031', 'Grand-Canal-Barge-2032'];
    let current = DEMO_PASSWORD;
    for (const next of passwords) {
      const res = await agent.post('/api/auth/password').send({ currentPassword: current, newPassword: next });
      expect(res.status).toBe(204);
      current = next;
    }
    // The last five are the current one and the four before it; the first of the six is older.
    for (const old of passwords.slice(1, 5)) {
      const res = await agent.post('/api/auth/password').send({ currentPassword: current, newPassword: old });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([{ field: 'body.newPassword', reason: 'must not be one of your last 5 passwords' }]);
    }
    expect((await agent.post('/api/auth/password').send({ currentPassword: current, newPassword: passwords[5] })).status).toBe(400);
    expect((await agent.post('/api/auth/password').send({ currentPassword: current, newPassword: passwords[0] })).status).toBe(204);
    // Stored as argon2id hashes, pruned to what the rule needs.
    const history = (await db('user_password_history')
      .where('user_id', await idOf('chengtou.dev'))
      .pluck('password_hash')) as string[];
    expect(history.length).toBe(5);
    expect(history.every((h) => h.startsWith('$argon2id$'))).toBe(true);
  });

  it('makes a user whose password the system administrator reset change it at the next sign-in', async () => {
    const admin = await signIn(app, 'admin');
    const victim = await signIn(app, 'dongwu.ent');
    const id = await idOf('dongwu.ent');
    expect((await admin.post(`/api/users/${id}/password`).send({ password: 'Reset-By-Admin-Canal-2027' })).status).toBe(204);
    // The reset ended the user's sessions.
    expect((await victim.get('/api/auth/me')).status).toBe(401);
    const agent = request.agent(app);
    expect((await agent.post('/api/auth/login').send({ username: 'dongwu.ent', password: DEMO_PASSWORD })).status).toBe(401);
    const res = await agent.post('/api/auth/login').send({ username: 'dongwu.ent', password: 'Reset-By-Admin-Canal-2027' });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ mustChangePassword: true, passwordChangeReason: 'set_by_other' });
    expect((await agent.get('/api/cases')).body.error.code).toBe('password_change_required');
    // The user chooses their own; the administrator's one-time password is then a recent one.
    const before = await agent.post('/api/auth/password').send({ currentPassword: 'Reset-By-Admin-Canal-2027', newPassword: 'Own-Choice-Suzhou-2027' });
    expect(before.status).toBe(204);
    expect((await agent.post('/api/auth/password').send({ currentPassword: 'Own-Choice-Suzhou-2027', newPassword: 'Reset-By-Admin-Canal-2027' })).status).toBe(400);
    expect((await agent.get('/api/cases')).status).toBe(200);
    expect(await db('operation_log').where({ action: 'users.reset_password', target_id: String(id), username: 'admin', result: 'ok' })).toHaveLength(1);
  });

  it('keeps SESSION_IDLE_MINUTES within 15–30', async () => {
    const { loadConfig } = await import('../../lib/config');
    expect(loadConfig({}).SESSION_IDLE_MINUTES).toBe(20);
    expect(() => loadConfig({ SESSION_IDLE_MINUTES: '10' })).toThrow(/SESSION_IDLE_MINUTES/);
    expect(() => loadConfig({ SESSION_IDLE_MINUTES: '45' })).toThrow(/SESSION_IDLE_MINUTES/);
    expect(loadConfig({ SESSION_IDLE_MINUTES: '15' }).SESSION_IDLE_MINUTES).toBe(15);
  });
});
