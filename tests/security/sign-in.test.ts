import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { DEMO_PASSWORD, assertDemoAllowed } from '../../db/seeds/demo';
import { createFirstAdmin } from '../../db/seeds/first-admin';
import { loadConfig } from '../../lib/config';
import { apiTestbed, signIn, testApp } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';

/**
 * Sign-in as an attacker tries it (issue findings 0, 1, 8, 10): parallel guessing against the
 * lockout, timing that would tell which usernames exist, weak passwords, demo accounts in
 * production, a first administrator who must change the password, cookie and HSTS defaults.
 */
describe('sign-in hardening', () => {
  let db: Knex;
  let app: Express;
  let bed: Awaited<ReturnType<typeof apiTestbed>>;

  beforeAll(async () => {
    bed = await apiTestbed({ LOCKOUT_THRESHOLD: 5, LOCKOUT_MINUTES: 15 });
    ({ db, app } = bed);
  });
  afterAll(() => bed.stop());

  const login = (username: string, password: string) => request(app).post('/api/auth/login').send({ username, password });

  it('keeps the lock when 24 wrong guesses race in parallel and the right password follows', async () => {
    const guesses = await Promise.all(Array.from({ length: 24 }, (_, i) => login('sip.staff', `Wrong-guess-${i}`)));
    const statuses = guesses.map((g) => g.status);
    // Every guess is refused, and at least the ones after the fifth see the lock.
    expect(statuses.every((s) => s === 401 || s === 423)).toBe(true);
    expect(statuses.filter((s) => s === 423).length).toBeGreaterThan(0);
    const row = await db('users').where('username', 'sip.staff').first('failed_attempts', 'locked_until');
    expect(row.locked_until).not.toBeNull();
    expect(row.failed_attempts).toBeGreaterThanOrEqual(5);
    // The right password right after: still locked.
    expect((await login('sip.staff', DEMO_PASSWORD)).status).toBe(423);
    // And a right password racing the wrong ones cannot clear the lock either.
    const mixed = await Promise.all([...Array.from({ length: 10 }, (_, i) => login('huqiu.staff', `Nope-${i}-x`)), login('huqiu.staff', DEMO_PASSWORD)]);
    expect(mixed.length).toBe(11);
    expect((await login('huqiu.staff', DEMO_PASSWORD)).status).toBe(423);
    const denied = await db('operation_log').where({ action: 'auth.login', username: 'sip.staff', result: 'denied' }).count({ n: '*' }).first();
    expect(Number(denied?.n)).toBeGreaterThanOrEqual(25);
  });

  it('takes as long for an unknown username as for a known one (no user enumeration by timing)', async () => {
    const time = async (username: string) => {
      const t = process.hrtime.bigint();
      const res = await login(username, 'Some-wrong-password-1');
      expect(res.status).toBe(401);
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    await time('nobody-warm-up');
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 4; i++) {
      known.push(await time(i % 2 ? 'dongwu.pm' : 'chengtou.dev'));
      unknown.push(await time(`nobody-${i}`));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(`sign-in timing, median ms: known user ${median(known).toFixed(0)}, unknown user ${median(unknown).toFixed(0)}`);
    // Both run one argon2id verification; the unknown name must not answer in a fraction of it.
    expect(median(unknown)).toBeGreaterThan(median(known) / 3);
    // Reset the counters these wrong passwords left.
    await db('users').whereIn('username', ['dongwu.pm', 'chengtou.dev']).update({ failed_attempts: 0, locked_until: null });
  });

  it('refuses weak passwords: common, short, or built from the username', async () => {
    const agent = await signIn(app, 'pingjiang.oc');
    for (const [newPassword, reason] of [
      ['Password1', /at least 10/],
      ['Password123', /too easy to guess/],
      ['pingjiang.oc2027!', /username/],
      ['1234567890', /too easy to guess/],
    ] as const) {
      const res = await agent.post('/api/auth/password').send({ currentPassword: DEMO_PASSWORD, newPassword });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([{ field: 'body.newPassword', reason: expect.stringMatching(reason) }]);
    }
    const admin = await signIn(app, 'admin');
    const weakReset = await admin.post(`/api/users/${(await db('users').where('username', 'pingjiang.oc').first('id')).id}/password`).send({ password: 'Password123' });
    expect(weakReset.status).toBe(400);
    expect(weakReset.body.error.details[0]).toMatchObject({ field: 'body.password' });
  });

  it('makes a user whose password an administrator set change it before anything else', async () => {
    const admin = await signIn(app, 'admin');
    const target = (await db('users').where('username', 'dongwu.pm').first('id')).id as number;
    expect((await admin.post(`/api/users/${target}/password`).send({ password: 'Reset-by-admin-2027' })).status).toBe(204);
    const pm = await signIn(app, 'dongwu.pm', 'Reset-by-admin-2027');
    const me = await pm.get('/api/auth/me');
    expect(me.body.mustChangePassword).toBe(true);
    const refused = await pm.get('/api/inbox/todo');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('password_change_required');
    expect((await pm.post('/api/auth/password').send({ currentPassword: 'Reset-by-admin-2027', newPassword: 'Zhao-Lei-own-choice-88' })).status).toBe(204);
    expect((await pm.get('/api/inbox/todo')).status).toBe(200);
  });

  it('never creates demo data in production; the first administrator comes from setup:admin, once', async () => {
    expect(() => assertDemoAllowed({ NODE_ENV: 'production' })).toThrow(/never created in production/);
    expect(() => assertDemoAllowed({ NODE_ENV: 'development' })).not.toThrow();

    const { db: empty } = await freshTestDatabase({ seed: false, suffix: 'prod' });
    try {
      const created = await createFirstAdmin(empty, { username: 'root.admin', displayName: '管理员', organisationName: '市住房和城乡建设局' });
      expect(created.generated).toBe(true);
      expect(created.password.length).toBeGreaterThanOrEqual(20);
      expect(await empty('users').count({ n: '*' }).first()).toEqual({ n: 1 });
      expect(await empty('users').first('role', 'must_change_password')).toEqual({ role: 'sysadmin', must_change_password: 1 });
      await expect(createFirstAdmin(empty, { username: 'second', displayName: '管理员二', organisationName: 'x' })).rejects.toThrow(/already exists/);
      await expect(createFirstAdmin(empty, { username: 'x.admin', displayName: 'x', organisationName: 'x', password: 'Password1' })).rejects.toThrow(/at least 10/);

      const { app: prodApp, temporal } = testApp(empty);
      try {
        const res = await request(prodApp).post('/api/auth/login').send({ username: 'root.admin', password: created.password });
        expect(res.status).toBe(200);
        expect(res.body.user.mustChangePassword).toBe(true);
        expect((await request(prodApp).post('/api/auth/login').send({ username: 'admin', password: DEMO_PASSWORD })).status).toBe(401);
      } finally {
        await temporal.close();
      }
    } finally {
      await empty.destroy();
    }
  });

  it('defaults the cookie to Secure in production and sends HSTS only over HTTPS', async () => {
    expect(loadConfig({ NODE_ENV: 'production' }).COOKIE_SECURE).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development' }).COOKIE_SECURE).toBe(false);
    // A production session cookie must be Secure: the switch to turn it off is refused there.
    expect(() => loadConfig({ NODE_ENV: 'production', COOKIE_SECURE: 'false' })).toThrow(/COOKIE_SECURE/);
    const plain = await request(app).get('/api/regions');
    expect(plain.headers['strict-transport-security']).toBeUndefined();
    // Through the TLS proxy in front (trusted on loopback), the answer carries HSTS.
    const tls = await request(app).get('/api/regions').set('X-Forwarded-Proto', 'https');
    expect(tls.headers['strict-transport-security']).toMatch(/max-age=\d+/);
  });
});
