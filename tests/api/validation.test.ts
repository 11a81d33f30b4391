import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { testApp, signIn } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';

describe('input validation and the error format', () => {
  let db: Knex;
  let app: Express;
  let close: () => Promise<void>;
  let admin: Awaited<ReturnType<typeof signIn>>;

  beforeAll(async () => {
    ({ db } = await freshTestDatabase());
    const t = testApp(db);
    app = t.app;
    close = () => t.temporal.close();
    admin = await signIn(app, 'admin');
  });
  afterAll(async () => {
    await close();
    await db.destroy();
  });

  const orgId = async () => ((await db('organisations').where('code', 'SZ-JSJ').first()) as { id: number }).id;

  it('answers 400 with each bad field and its reason', async () => {
    const res = await admin.post('/api/users').send({ username: 'A B', display_name: '', role: 'emperor', organisation_id: 'x', password: 'short', phone: '123' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.requestId).toEqual(expect.any(String));
    const fields = res.body.error.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(['body.display_name', 'body.organisation_id', 'body.password', 'body.phone', 'body.role', 'body.username'].sort());
    for (const d of res.body.error.details) expect(d.reason).toEqual(expect.any(String));
    expect(await db('users').where('username', 'A B').first()).toBeUndefined();
  });

  it('answers 400 to malformed JSON instead of crashing', async () => {
    const res = await admin.post('/api/users').set('content-type', 'application/json').send('{"username": ');
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ field: 'body', reason: 'malformed JSON' }]);
  });

  it('validates list parameters: sort column, page size, filter keys', async () => {
    const badSort = await admin.get('/api/users').query({ sort: '["password_hash","ASC"]' });
    expect(badSort.status).toBe(400);
    expect(badSort.body.error.details[0].field).toMatch(/^query\.sort/);
    const notJson = await admin.get('/api/users').query({ range: '[0,' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.details[0]).toEqual({ field: 'query.range', reason: 'range must be JSON' });
    const huge = await admin.get('/api/users').query({ range: '[0,100000]' });
    expect(huge.status).toBe(400);
    const unknownFilter = await admin.get('/api/users').query({ filter: '{"password_hash":"x"}' });
    expect(unknownFilter.status).toBe(400);
  });

  it('pages and sorts in SQL, reporting the total in Content-Range', async () => {
    const res = await admin.get('/api/users').query({ sort: '["username","DESC"]', range: '[2,5]' });
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(4);
    const total = await db('users').count({ n: '*' }).first();
    expect(res.headers['content-range']).toBe(`users 2-5/${total!.n}`);
    const all = (await db('users').orderBy('username', 'desc')).map((u: { username: string }) => u.username);
    expect(res.body.map((u: { username: string }) => u.username)).toEqual(all.slice(2, 6));
  });

  it('distinguishes 401, 403, 404 and 409', async () => {
    expect((await request(app).get('/api/users')).status).toBe(401);
    expect((await (await signIn(app, 'dongwu.ent')).get('/api/users')).status).toBe(403);
    expect((await admin.get('/api/users/999999')).status).toBe(404);
    expect((await admin.get('/api/users/abc')).status).toBe(400);
    expect((await admin.get('/api/no-such-thing')).status).toBe(404);
    const body = { username: 'dup.user', display_name: '重复', role: 'city_staff', organisation_id: await orgId(), password: 'Gusu-Canal-2027', phone: null };
    expect((await admin.post('/api/users').send(body)).status).toBe(201);
    const dup = await admin.post('/api/users').send(body);
    expect(dup.status).toBe(409);
    expect(dup.body.error.details).toEqual([{ field: 'body.username', reason: 'already exists' }]);
    const dupOrg = await admin.post('/api/organisations').send({ code: 'SZ-JSJ', name: '重复机构', kind: 'city_bureau' });
    expect(dupOrg.status).toBe(409);
  });

  it('answers 422 for a reference to a missing record and writes nothing', async () => {
    const res = await admin.post('/api/users').send({ username: 'orphan', display_name: '孤儿', role: 'city_staff', organisation_id: 987654, password: 'Gusu-Canal-2027' });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([{ field: 'body.organisation_id', reason: 'does not exist' }]);
    expect(await db('users').where('username', 'orphan').first()).toBeUndefined();
  });

  it('publishes an OpenAPI document generated from the same schemas', async () => {
    const res = await request(app).get('/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const createUser = res.body.paths['/api/users'].post;
    const schema = createUser.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(expect.arrayContaining(['username', 'password', 'role', 'organisation_id']));
    expect(schema.properties.role.enum).toContain('district_staff');
    expect(res.body.paths['/api/users/{id}'].get).toBeDefined();
    const docs = await request(app).get('/api/docs/');
    expect(docs.status).toBe(200);
    expect(docs.text).toMatch(/swagger-ui/i);
  });
});
