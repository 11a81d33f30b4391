import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { DEMO_PASSWORD, DEMO_USERS } from '../../db/seeds/demo';
import { testApp, signIn } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';

describe('sign-in, sessions and lockout', () => {
  let db: Knex;
  let app: Express;
  let closeTemporal: () => Promise<void>;

  beforeAll(async () => {
    ({ db } = await freshTestDatabase());
    const t = testApp(db, { config: { LOCKOUT_THRESHOLD: 5, LOCKOUT_MINUTES: 15 } });
    app = t.app;
    closeTemporal = () => t.temporal.close();
  });
  afterAll(async () => {
    await closeTemporal();
    await db.destroy();
  });

  it.each(DEMO_USERS.map((u) => [u.role, u.username]))('a demo %s (%s) signs in and sees its role and scope', async (role, username) => {
    const agent = await signIn(app, username);
    const me = await agent.get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username, role });
    expect(me.body.scope.kind).toBe(
      ({ sysadmin: 'city', city_staff: 'city', city_leader: 'city', admin_centre: 'city', district_staff: 'district', street_office: 'street', public: 'none', security_admin: 'none', audit_admin: 'none' } as Record<string, string>)[role] ??
        'organisation',
    );
  });

  it('sets an httpOnly session cookie and never returns the password hash', async () => {
    const res = await request(app).post('/api/auth/login').send({ username: 'city.staff', password: DEMO_PASSWORD });
    expect(res.status).toBe(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/psp_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(JSON.stringify(res.body)).not.toMatch(/argon2|password_hash/);
  });

  it('answers 401 without a session and after logout', async () => {
    expect((await request(app).get('/api/auth/me')).status).toBe(401);
    const agent = await signIn(app, 'centre');
    expect((await agent.get('/api/auth/me')).status).toBe(200);
    expect((await agent.post('/api/auth/logout')).status).toBe(204);
    expect((await agent.get('/api/auth/me')).status).toBe(401);
  });

  it('gives the same answer for an unknown user and a wrong password', async () => {
    const unknown = await request(app).post('/api/auth/login').send({ username: 'nobody', password: 'whatever1' });
    const wrong = await request(app).post('/api/auth/login').send({ username: 'city.leader', password: 'whatever1' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body.error.code).toBe('invalid_credentials');
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
  });

  it('locks an account after five wrong passwords, refuses even the right one, and unlocks when the lock expires', async () => {
    const attempt = (password: string) => request(app).post('/api/auth/login').send({ username: 'hengtai.ent', password });
    for (let i = 1; i <= 4; i++) expect((await attempt(`wrong-${i}x`)).status).toBe(401);
    const fifth = await attempt('wrong-5x');
    expect(fifth.status).toBe(423);
    expect(fifth.body.error.code).toBe('account_locked');

    const right = await attempt(DEMO_PASSWORD);
    expect(right.status).toBe(423);

    const row = await db('users').where('username', 'hengtai.ent').first();
    const minutes = (new Date(row.locked_until).getTime() - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(14);
    expect(minutes).toBeLessThanOrEqual(15);

    // Let the lock run out (as if 15 minutes had passed) and the right password works again.
    await db('users')
      .where('username', 'hengtai.ent')
      .update({ locked_until: new Date(Date.now() - 1000) });
    expect((await attempt(DEMO_PASSWORD)).status).toBe(200);
    const after = await db('users').where('username', 'hengtai.ent').first();
    expect(after.failed_attempts).toBe(0);
    expect(after.locked_until).toBeNull();

    const denied = await db('operation_log').where({ action: 'auth.login', username: 'hengtai.ent', result: 'denied' });
    expect(denied).toHaveLength(6);
  });

  it('counts concurrent wrong guesses without losing any', async () => {
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        request(app)
          .post('/api/auth/login')
          .send({ username: 'sip.staff', password: `guess-${i}x` }),
      ),
    );
    const row = await db('users').where('username', 'sip.staff').first();
    expect(row.locked_until).not.toBeNull();
  });

  it('takes a lockout threshold from configuration', async () => {
    const { app: strict, temporal } = testApp(db, { config: { LOCKOUT_THRESHOLD: 2, LOCKOUT_MINUTES: 1 } });
    const attempt = () => request(strict).post('/api/auth/login').send({ username: 'huqiu.staff', password: 'nope-1234' });
    expect((await attempt()).status).toBe(401);
    expect((await attempt()).status).toBe(423);
    await temporal.close();
  });

  it('changes a password: checks the current one and the policy, ends other sessions', async () => {
    const first = await signIn(app, 'chengtou.dev');
    const second = await signIn(app, 'chengtou.dev');

    const wrongCurrent = await first.post('/api/auth/password').send({ currentPassword: 'nope', newPassword: 'Pingjiang-Road-2027' });
    expect(wrongCurrent.status).toBe(400);
    expect(wrongCurrent.body.error.details).toEqual([{ field: 'body.currentPassword', reason: 'does not match' }]);

    const weak = await first.post('/api/auth/password').send({ currentPassword: DEMO_PASSWORD, newPassword: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.error.details[0].field).toBe('body.newPassword');

    expect((await first.post('/api/auth/password').send({ currentPassword: DEMO_PASSWORD, newPassword: 'Pingjiang-Road-2027' })).status).toBe(204);
    expect((await first.get('/api/auth/me')).status).toBe(200);
    expect((await second.get('/api/auth/me')).status).toBe(401);
    expect((await request(app).post('/api/auth/login').send({ username: 'chengtou.dev', password: DEMO_PASSWORD })).status).toBe(401);
    await signIn(app, 'chengtou.dev', 'Pingjiang-Road-2027');
  });

  it('ends the sessions of an account an administrator disables', async () => {
    const victim = await signIn(app, 'dongwu.pm');
    const admin = await signIn(app, 'admin');
    const user = (await admin.get('/api/users/' + (await db('users').where('username', 'dongwu.pm').first()).id)).body;
    const res = await admin.put(`/api/users/${user.id}`).send({ display_name: user.display_name, phone: user.phone, role: user.role, organisation_id: user.organisation_id, active: false });
    expect(res.status).toBe(200);
    expect((await victim.get('/api/auth/me')).status).toBe(401);
    expect((await request(app).post('/api/auth/login').send({ username: 'dongwu.pm', password: DEMO_PASSWORD })).status).toBe(401);
  });
});
