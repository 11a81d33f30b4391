import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { DEMO_PASSWORD } from '../../db/seeds/demo';
import { apiTestbed, demoLoginBody, signIn } from '../helpers/api';

/**
 * Cross-site request forgery (finding 6) and the operation log of denied attempts (finding 9):
 * a foreign Origin, a cross-site Fetch Metadata header, simple content types on JSON routes,
 * an upload without X-Requested-With; reads and writes refused by scope logged as denied; an
 * attempt whose client hung up is still logged.
 */
describe('cross-site requests and the audit of denied attempts', () => {
  let db: Knex;
  let app: Express;
  let bed: Awaited<ReturnType<typeof apiTestbed>>;

  beforeAll(async () => {
    bed = await apiTestbed();
    ({ db, app } = bed);
  });
  afterAll(() => bed.stop());

  const cookieOf = async (username: string) => {
    const res = await request(app)
      .post('/api/auth/login')
      .send(await demoLoginBody(username, DEMO_PASSWORD));
    return String(res.headers['set-cookie'][0]).split(';')[0];
  };

  it('refuses a state change from a foreign origin, by Origin, Referer or Fetch Metadata', async () => {
    const cookie = await cookieOf('admin');
    const org = (await db('organisations').where('code', 'PUBLIC').first('id')).id as number;
    const body = { display_name: '跨站', phone: null, role: 'public', organisation_id: org, active: true, username: 'csrf.victim', password: 'Cross-Site-Attempt-2027' };
    const foreign = await request(app).post('/api/users').set('Cookie', cookie).set('Origin', 'https://evil.example').send(body);
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe('cross_site_request');
    const byReferer = await request(app).post('/api/users').set('Cookie', cookie).set('Referer', 'https://evil.example/page').send(body);
    expect(byReferer.status).toBe(403);
    const bySite = await request(app).put('/api/users/1').set('Cookie', cookie).set('Sec-Fetch-Site', 'cross-site').send(body);
    expect(bySite.status).toBe(403);
    expect(await db('users').where('username', 'csrf.victim').first('id')).toBeUndefined();
    // The same request from the site itself goes through.
    const host = '127.0.0.1:3000';
    const own = await request(app).post('/api/users').set('Cookie', cookie).set('Host', host).set('Origin', `http://${host}`).set('Sec-Fetch-Site', 'same-origin').send(body);
    expect(own.status).toBe(201);
    const logged = await db('operation_log').where({ path: '/api/users', status: 403, result: 'denied' }).count({ n: '*' }).first();
    expect(Number(logged?.n)).toBeGreaterThanOrEqual(2);
  });

  it('refuses text/plain, form-encoded and multipart bodies on JSON routes, and uploads without X-Requested-With', async () => {
    const cookie = await cookieOf('dongwu.ent');
    const plain = await request(app).post('/api/auth/logout').set('Cookie', cookie).set('Content-Type', 'text/plain').send('x');
    expect(plain.status).toBe(415);
    const form = await request(app).post('/api/auth/logout').set('Cookie', cookie).type('form').send({ a: '1' });
    expect(form.status).toBe(415);
    const multipart = await request(app).post('/api/cases').set('Cookie', cookie).field('processKey', 'qualification');
    expect(multipart.status).toBe(415);
    expect(multipart.body.error.details[0].field).toBe('headers.content-type');
    const upload = await request(app).post('/api/files').query({ name: 'a.txt' }).set('Cookie', cookie).set('Content-Type', 'text/plain').send('hello');
    expect(upload.status).toBe(403);
    expect(upload.body.error.message).toMatch(/X-Requested-With/);
    const withHeader = await request(app).post('/api/files').query({ name: 'a.txt' }).set('Cookie', cookie).set('Content-Type', 'text/plain').set('X-Requested-With', 'fetch').send('hello');
    expect(withHeader.status).toBe(201);
    // The session survived the refused logouts.
    expect((await request(app).get('/api/auth/me').set('Cookie', cookie)).status).toBe(200);
  });

  it('logs reads and writes refused by scope as denied, with user, address and target', async () => {
    const huqiu = await signIn(app, 'huqiu.staff');
    const gusuProject = (await db('property_projects').where('district_code', '320508').first('id')).id as number;
    const read = await huqiu.get(`/api/projects/${gusuProject}`);
    expect(read.status).toBe(404);
    const missing = await huqiu.get('/api/projects/99999999');
    expect(missing.status).toBe(404);
    // A complete, valid record (as its own district reads it), so only the scope can refuse it.
    const own = (await (await signIn(app, 'gusu.staff')).get(`/api/projects/${gusuProject}`)).body as Record<string, unknown>;
    const { id: _id, ...record } = own;
    const write = await huqiu.put(`/api/projects/${gusuProject}`).send({ ...record, name: '越权修改' });
    if (write.status === 400) console.log(JSON.stringify(write.body));
    expect([403, 404]).toContain(write.status);
    const hengtai = await signIn(app, 'hengtai.ent');
    const dongwuOrg = (await db('organisations').where('code', 'ENT-91320508MA1DONGWU').first('id')).id as number;
    expect((await hengtai.get(`/api/organisations/${dongwuOrg}`)).status).toBe(404);

    // Give the response-finish log writes a moment.
    await new Promise((r) => setTimeout(r, 300));
    const rows = await db('operation_log').where('result', 'denied').whereIn('username', ['huqiu.staff', 'hengtai.ent']).select('username', 'method', 'target_type', 'target_id', 'ip', 'status');
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ username: 'huqiu.staff', method: 'GET', target_type: 'projects', target_id: String(gusuProject), status: 404, ip: expect.stringMatching(/\S/) }),
        expect.objectContaining({ username: 'huqiu.staff', method: 'PUT', target_id: String(gusuProject) }),
        expect.objectContaining({ username: 'hengtai.ent', method: 'GET', target_type: 'organisation', target_id: String(dongwuOrg) }),
      ]),
    );
    // A record that does not exist is not a denied attempt.
    expect(rows.find((r) => r.target_id === '99999999')).toBeUndefined();
  });

  it('still logs an attempt whose client hung up before the answer', async () => {
    const cookie = await cookieOf('hengtai.ent');
    const before = Number((await db('operation_log').where({ username: 'hengtai.ent', method: 'POST', path: '/api/users' }).count({ n: '*' }).first())?.n);
    // Send the request and hang up at once; the server finishes, and logs, without a socket.
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => {
      const body = JSON.stringify({ username: 'x.y', password: 'whatever' });
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/users', headers: { Cookie: cookie, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } });
      req.on('error', () => resolve());
      req.end(body, () => {
        req.destroy();
        resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 500));
    server.close();
    await new Promise((r) => setTimeout(r, 800));
    const after = Number((await db('operation_log').where({ username: 'hengtai.ent', method: 'POST', path: '/api/users' }).count({ n: '*' }).first())?.n);
    expect(after).toBe(before + 1);
  });
});
