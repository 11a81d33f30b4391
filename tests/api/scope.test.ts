import type { Express } from 'express';
import type { Knex } from 'knex';
import { testApp, signIn } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';

const GUSU = '320508';
const HUQIU = '320505';

describe('role and organisation scope', () => {
  let db: Knex;
  let app: Express;
  let close: () => Promise<void>;
  const orgId = async (code: string) => ((await db('organisations').where('code', code).first()) as { id: number }).id;

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

  it('shows a district user only organisations of its own district', async () => {
    const gusu = await signIn(app, 'gusu.staff');
    const res = await gusu.get('/api/organisations').query({ range: '[0,499]' });
    expect(res.status).toBe(200);
    expect(res.body.length).toBeGreaterThan(3);
    expect(new Set(res.body.map((o: { district_code: string }) => o.district_code))).toEqual(new Set([GUSU]));
    const [, total] = /\/(\d+)$/.exec(res.headers['content-range'])!;
    expect(Number(total)).toBe(res.body.length);
  });

  it('does not let a district user read another district’s record, even by id or filter', async () => {
    const gusu = await signIn(app, 'gusu.staff');
    const huqiuBureau = await orgId(`DB-${HUQIU}`);
    expect((await gusu.get(`/api/organisations/${huqiuBureau}`)).status).toBe(404);
    const filtered = await gusu.get('/api/organisations').query({ filter: JSON.stringify({ district_code: HUQIU }) });
    expect(filtered.status).toBe(200);
    expect(filtered.body).toEqual([]);
    const byIds = await gusu.get('/api/organisations').query({ filter: JSON.stringify({ id: [huqiuBureau] }) });
    expect(byIds.body).toEqual([]);
    const huqiuUser = (await db('users').where('username', 'huqiu.staff').first()).id;
    expect((await gusu.get(`/api/users/${huqiuUser}`)).status).toBe(404);
  });

  it('lets the other district see its own record', async () => {
    const huqiu = await signIn(app, 'huqiu.staff');
    expect((await huqiu.get(`/api/organisations/${await orgId(`DB-${HUQIU}`)}`)).status).toBe(200);
  });

  it('confines a street office to its street and an enterprise to itself', async () => {
    const street = await signIn(app, 'pingjiang.street');
    const streetOrgs = (await street.get('/api/organisations').query({ range: '[0,499]' })).body as Array<{ street_code: string }>;
    expect(streetOrgs.length).toBeGreaterThan(0);
    expect(new Set(streetOrgs.map((o) => o.street_code))).toEqual(new Set([`${GUSU}001`]));

    const enterprise = await signIn(app, 'dongwu.ent');
    const own = (await enterprise.get('/api/organisations')).body as Array<{ code: string }>;
    expect(own.map((o) => o.code)).toEqual(['ENT-91320508MA1DONGWU']);
    expect((await enterprise.get(`/api/organisations/${await orgId('ENT-91320576MA1HENGTAI')}`)).status).toBe(404);
  });

  it('lets city staff see every district', async () => {
    const city = await signIn(app, 'city.staff');
    const res = await city.get('/api/organisations').query({ range: '[0,499]', filter: JSON.stringify({ kind: 'district_bureau' }) });
    expect(res.body).toHaveLength(10);
  });

  it('answers 403 to a role without the permission and 401 to no one', async () => {
    const publicUser = await signIn(app, 'public.zhang');
    expect((await publicUser.get('/api/organisations')).status).toBe(403);
    const enterprise = await signIn(app, 'dongwu.ent');
    expect((await enterprise.get('/api/users')).status).toBe(403);
    expect((await enterprise.get('/api/operation-logs')).status).toBe(403);
    const gusu = await signIn(app, 'gusu.staff');
    const write = await gusu.post('/api/organisations').send({ code: 'X-1', name: '某公司', kind: 'enterprise' });
    expect(write.status).toBe(403);
    expect(write.body.error.code).toBe('forbidden');
  });

  it('scopes user lists the same way as organisations', async () => {
    const gusu = await signIn(app, 'gusu.staff');
    const users = (await gusu.get('/api/users').query({ range: '[0,99]' })).body as Array<{ username: string; district_code: string }>;
    expect(users.map((u) => u.username).sort()).toEqual(['dongwu.ent', 'dongwu.pm', 'gusu.staff', 'chengtou.dev', 'pingjiang.oc', 'pingjiang.street'].sort());
  });
});
