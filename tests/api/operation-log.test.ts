import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { testApp, signIn } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';
import { waitFor } from '../helpers/wait';

describe('operation log', () => {
  let db: Knex;
  let app: Express;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db } = await freshTestDatabase());
    const t = testApp(db);
    app = t.app;
    close = () => t.temporal.close();
  });
  afterAll(async () => {
    await close();
    await db.destroy();
  });

  const lastLog = async () => db('operation_log').orderBy('id', 'desc').first();
  // The safety net writes after the response is sent; give it a moment.
  const waitForLog = async (predicate: (row: Record<string, unknown>) => boolean) =>
    waitFor('a matching operation log row', async () => ((await db('operation_log').orderBy('id', 'desc').limit(20)) as Array<Record<string, unknown>>).find(predicate), { timeoutMs: 5_000, everyMs: 50 });

  it('logs every kind of write with user, role, address, action, target and result', async () => {
    const admin = await signIn(app, 'admin');
    const org = (await db('organisations').where('code', 'SZ-JSJ').first()) as { id: number };
    const created = await admin.post('/api/users').send({ username: 'log.me', display_name: '审计', role: 'city_staff', organisation_id: org.id, password: 'Gusu-Canal-2027' });
    expect(created.status).toBe(201);
    expect(await lastLog()).toMatchObject({ username: 'admin', role: 'sysadmin', action: 'users.create', target_type: 'user', target_id: String(created.body.id), result: 'ok', status: 201, method: 'POST', path: '/api/users' });
    expect((await lastLog()).ip).toMatch(/127\.0\.0\.1|::1/);

    const writes: Array<[() => Promise<request.Response>, string]> = [
      [() => admin.put(`/api/users/${created.body.id}`).send({ display_name: '审计2', phone: null, role: 'city_staff', organisation_id: org.id }), 'users.update'],
      // Unlocking is the security administrator's (docs/security.md "Separation of powers").
      [async () => (await signIn(app, 'security')).post(`/api/users/${created.body.id}/unlock`), 'users.unlock'],
      [() => admin.post(`/api/users/${created.body.id}/password`).send({ password: 'Tiger-Hill-Pagoda-9' }), 'users.reset_password'],
      [() => admin.post('/api/organisations').send({ code: 'ENT-NEW-1', name: '新物业公司', kind: 'enterprise', district_code: '320508' }), 'organisations.create'],
      [() => admin.post('/api/auth/logout'), 'auth.logout'],
    ];
    for (const [write, action] of writes) {
      const before = (await lastLog()).id;
      const res = await write();
      expect(res.status).toBeLessThan(300);
      const row = await lastLog();
      expect(row.id).toBeGreaterThan(before);
      expect(row).toMatchObject({ action, result: 'ok' });
    }
    const update = await db('operation_log').where('action', 'users.update').first();
    expect(update.detail).toMatchObject({ before: { display_name: '审计' }, after: { display_name: '审计2' } });
  });

  it('logs denied attempts: no session, wrong role, wrong password', async () => {
    await request(app).post('/api/users').send({});
    expect(await waitForLog((r) => r.path === '/api/users' && r.status === 401)).toMatchObject({ result: 'denied', user_id: null });

    const enterprise = await signIn(app, 'dongwu.ent');
    await enterprise.get('/api/operation-logs');
    expect(await waitForLog((r) => r.path === '/api/operation-logs' && r.username === 'dongwu.ent')).toMatchObject({ result: 'denied', status: 403, role: 'enterprise' });

    await request(app).post('/api/auth/login').send({ username: 'city.leader', password: 'wrong-1234' });
    expect(await lastLog()).toMatchObject({ action: 'auth.login', username: 'city.leader', result: 'denied', status: 401 });
  });

  it('logs a failed write (rejected input) as failed, and writes nothing else', async () => {
    const admin = await signIn(app, 'admin');
    const users = await db('users').count({ n: '*' }).first();
    const res = await admin.post('/api/users').send({ username: 'x' });
    expect(res.status).toBe(400);
    expect(await waitForLog((r) => r.path === '/api/users' && r.status === 400)).toMatchObject({ result: 'failed', username: 'admin' });
    expect(await db('users').count({ n: '*' }).first()).toEqual(users);
  });

  it('is append-only: the database refuses updates and deletes', async () => {
    const row = await lastLog();
    await expect(db('operation_log').where('id', row.id).update({ result: 'ok' })).rejects.toThrow(/append-only/);
    await expect(db('operation_log').where('id', row.id).delete()).rejects.toThrow(/append-only/);
  });

  it('is readable by the audit administrator alone, filtered and paged', async () => {
    const auditor = await signIn(app, 'auditor');
    expect((await (await signIn(app, 'admin')).get('/api/operation-logs')).status).toBe(403);
    const res = await auditor.get('/api/operation-logs').query({ filter: JSON.stringify({ result: 'denied' }), sort: '["id","DESC"]', range: '[0,9]' });
    expect(res.status).toBe(200);
    expect(res.body.length).toBeGreaterThan(0);
    expect(res.body.every((r: { result: string }) => r.result === 'denied')).toBe(true);
    expect(res.headers['content-range']).toMatch(/^operation-logs 0-\d+\/\d+$/);
  });
});
