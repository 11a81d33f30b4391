import type { Express } from 'express';
import type { Knex } from 'knex';
import { signIn, testApp } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';

const GUSU = '320508';
const HUQIU = '320505';

/** The registries' REST API per role: scope, write rules, history, the approved flag, double registration. */
describe('registries API', () => {
  let db: Knex;
  let app: Express;
  let close: () => Promise<void>;
  const orgId = async (code: string) => ((await db('organisations').where('code', code).first('id')) as { id: number }).id;
  const projectId = async (code: string) => ((await db('property_projects').where('code', code).first('id')) as { id: number }).id;
  const total = (res: { headers: Record<string, string> }) => Number(/\/(\d+)$/.exec(res.headers['content-range'])![1]);

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

  it('lists projects with filters, sorting and pages in SQL, confined to a district user’s district', async () => {
    const gusu = await signIn(app, 'gusu.staff');
    const res = await gusu.get('/api/projects').query({ range: '[0,9]', sort: '["name","ASC"]', filter: JSON.stringify({ nature: 'residential_multi_storey' }) });
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(10);
    expect(new Set(res.body.map((p: { district_code: string }) => p.district_code))).toEqual(new Set([GUSU]));
    expect(new Set(res.body.map((p: { nature: string }) => p.nature))).toEqual(new Set(['residential_multi_storey']));
    const names = res.body.map((p: { name: string }) => p.name);
    expect([...names].sort((a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(names);
    const inDb = await db('property_projects').where({ district_code: GUSU, nature: 'residential_multi_storey' }).count({ n: '*' }).first();
    expect(total(res)).toBe(Number((inDb as { n: number }).n));

    const search = await gusu.get('/api/projects').query({ filter: JSON.stringify({ q: '平江新村' }) });
    expect(search.body.map((p: { name: string }) => p.name)).toContain('平江新村');
  });

  it('does not let a district user read or edit another district’s project', async () => {
    const gusu = await signIn(app, 'gusu.staff');
    const huqiuProject = (await db('property_projects').where('district_code', HUQIU).first()) as { id: number };
    expect((await gusu.get(`/api/projects/${huqiuProject.id}`)).status).toBe(404);
    const filtered = await gusu.get('/api/projects').query({ filter: JSON.stringify({ district_code: HUQIU }) });
    expect(filtered.body).toEqual([]);
    const huqiu = await signIn(app, 'huqiu.staff');
    const record = (await huqiu.get(`/api/projects/${huqiuProject.id}`)).body;
    expect(record.district_code).toBe(HUQIU);
    const write = await gusu.put(`/api/projects/${huqiuProject.id}`).send({ ...record, name: '越权修改' });
    expect(write.status).toBe(404);
    // Nor may it move one of its own projects into another district.
    const own = (await gusu.get(`/api/projects/${await projectId('XM3205080002')}`)).body;
    const move = await gusu.put(`/api/projects/${own.id}`).send({ ...own, district_code: HUQIU, street_code: null, community_code: null });
    expect(move.status).toBe(403);
    expect((await db('property_projects').where('id', own.id).first()).district_code).toBe(GUSU);
  });

  it('lets an enterprise see and edit only its own records', async () => {
    const dongwu = await signIn(app, 'dongwu.ent');
    const dongwuId = await orgId('ENT-91320508MA1DONGWU');
    const hengtaiId = await orgId('ENT-91320576MA1HENGTAI');
    const projects = await dongwu.get('/api/projects').query({ range: '[0,99]' });
    expect(projects.body.length).toBeGreaterThan(3);
    expect(new Set(projects.body.map((p: { enterprise_id: number }) => p.enterprise_id))).toEqual(new Set([dongwuId]));
    expect(projects.body.some((p: { district_code: string }) => p.district_code === GUSU)).toBe(true);

    const mine = (await dongwu.get(`/api/enterprises/${dongwuId}`)).body;
    expect(mine.name).toBe('苏州东吴物业管理有限公司');
    expect((await dongwu.get(`/api/enterprises/${hengtaiId}`)).status).toBe(404);
    const hengtai = (await signIn(app, 'city.staff').then((a) => a.get(`/api/enterprises/${hengtaiId}`))).body;
    expect((await dongwu.put(`/api/enterprises/${hengtaiId}`).send(hengtai)).status).toBe(404);

    // Its own base data yes; its own qualification no (that is the qualification approval's).
    const phoneEdit = await dongwu.put(`/api/enterprises/${dongwuId}`).send({ ...mine, phone: '0512-65239999' });
    expect(phoneEdit.status).toBe(200);
    expect(phoneEdit.body.phone).toBe('0512-65239999');
    expect((await db('organisations').where('id', dongwuId).first()).phone).toBe('0512-65239999');
    const upgrade = await dongwu.put(`/api/enterprises/${dongwuId}`).send({ ...phoneEdit.body, qualification_level: 'level_1', qualification_valid_until: '2099-12-31' });
    expect(upgrade.status).toBe(403);
    expect(upgrade.body.error.details[0].field).toBe('body.qualification_valid_until');

    // Staff: its own yes, another enterprise's no.
    const staff = await dongwu.get('/api/staff').query({ range: '[0,199]' });
    expect(new Set(staff.body.map((s: { enterprise_id: number }) => s.enterprise_id))).toEqual(new Set([dongwuId]));
    const foreign = (await db('enterprise_staff').where('enterprise_id', hengtaiId).first()) as { id: number };
    expect((await dongwu.get(`/api/staff/${foreign.id}`)).status).toBe(404);
    const hire = await dongwu.post('/api/staff').send({ enterprise_id: hengtaiId, name: '钱多多', id_number: '320502199001011234', role: 'technical' });
    expect(hire.status).toBe(403);
    const ownHire = await dongwu.post('/api/staff').send({ enterprise_id: dongwuId, name: '钱多多', id_number: '320502199001011234', role: 'technical' });
    expect(ownHire.status).toBe(201);
  });

  it('keeps who, when, before and after of every change, and an edit clears the approved flag until reviewed', async () => {
    const gusu = await signIn(app, 'gusu.staff');
    const id = await projectId('XM3205080003');
    await db('property_projects').where('id', id).update({ approved: 1 });
    const before = (await gusu.get(`/api/projects/${id}`)).body;
    expect(before.approved).toBe(true);

    const edit = await gusu.put(`/api/projects/${id}`).send({ ...before, night_repair_phone: '13912345678', households: before.households + 1 });
    expect(edit.status).toBe(200);
    expect(edit.body.approved).toBe(false);
    expect(edit.body.version).toBe(before.version + 1);

    const history = await gusu.get('/api/registry-changes').query({ filter: JSON.stringify({ entity: 'project', entity_id: id }) });
    expect(history.status).toBe(200);
    const [change] = history.body;
    expect(change.action).toBe('update');
    expect(change.username).toBe('gusu.staff');
    expect(change.changed_fields).toEqual(expect.arrayContaining(['night_repair_phone', 'households', 'approved']));
    expect(change.before.night_repair_phone).toBe(before.night_repair_phone);
    expect(change.after.night_repair_phone).toBe('13912345678');
    expect(change.before.approved).toBe(true);
    expect(change.after.approved).toBe(false);
    expect(new Date(change.at).getTime()).toBeGreaterThan(Date.now() - 600_000);

    // A save that changes nothing writes no history and keeps the flag.
    await gusu.post(`/api/projects/${id}/review`).expect(200);
    const reviewed = (await gusu.get(`/api/projects/${id}`)).body;
    expect(reviewed.approved).toBe(true);
    expect((await gusu.put(`/api/projects/${id}`).send(reviewed)).body.approved).toBe(true);
    const after = await gusu.get('/api/registry-changes').query({ filter: JSON.stringify({ entity: 'project', entity_id: id }) });
    expect(after.body.map((c: { action: string }) => c.action)).toEqual(['review', 'update']);

    // A stale version is refused rather than silently overwriting someone else's edit.
    const stale = await gusu.put(`/api/projects/${id}`).send({ ...before, name: '过期的修改' });
    expect(stale.status).toBe(409);

    // Another district cannot read this record's history either.
    const huqiu = await signIn(app, 'huqiu.staff');
    expect((await huqiu.get('/api/registry-changes').query({ filter: JSON.stringify({ entity: 'project', entity_id: id }) })).status).toBe(404);
  });

  it('answers 400 with the field and reason for bad registry input', async () => {
    const city = await signIn(app, 'city.staff');
    const res = await city.post('/api/projects').send({
      code: 'XM-BAD-1',
      name: '坏数据小区',
      address: '某路1号',
      district_code: GUSU,
      nature: 'villa',
      management_mode: 'entrusted',
      parking_total: 10,
      parking_above: 3,
      parking_below: 4,
      postcode: '21500',
    });
    expect(res.status).toBe(400);
    const fields = res.body.error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['body.nature', 'body.postcode']));
    const enterprise = await city.post('/api/enterprises').send({ name: '某公司', kind: 'property_service', credit_code: '91320508MA1XXXXXX7', legal_representative: '张三', district_code: GUSU });
    expect(enterprise.status).toBe(400);
    expect(enterprise.body.error.details).toEqual([expect.objectContaining({ field: 'body.credit_code' })]);
    const street = await city.post('/api/projects').send({ code: 'XM-BAD-2', name: '错街道', address: '某路2号', district_code: GUSU, street_code: `${HUQIU}001`, nature: 'public_utility', management_mode: 'self_managed' });
    expect(street.status).toBe(400);
    expect(street.body.error.details[0].field).toBe('body.street_code');
    expect(await db('property_projects').whereIn('code', ['XM-BAD-1', 'XM-BAD-2']).first()).toBeUndefined();
  });

  it('creates an enterprise together with its organisation, so its users are scoped to it', async () => {
    const gusu = await signIn(app, 'gusu.staff');
    const res = await gusu.post('/api/enterprises').send({
      name: '苏州测试物业服务有限公司',
      kind: 'property_service',
      credit_code: '91320508MA1QA00015',
      legal_representative: '周测',
      district_code: GUSU,
      street_code: `${GUSU}002`,
    });
    expect(res.status).toBe(201);
    const org = await db('organisations').where('id', res.body.id).first();
    expect(org).toMatchObject({ code: 'ENT-91320508MA1QA00015', kind: 'enterprise', district_code: GUSU, name: '苏州测试物业服务有限公司' });
    expect(res.body.qualification_level).toBe('none');
    const elsewhere = await gusu.post('/api/enterprises').send({ name: '外区公司', kind: 'property_service', credit_code: '91320505MA1QA0002W', legal_representative: '吴某', district_code: HUQIU });
    expect(elsewhere.status).toBe(403);
  });

  it('flags a person registered at two enterprises, in lists and in the dedicated query', async () => {
    const city = await signIn(app, 'city.staff');
    const dongwuId = await orgId('ENT-91320508MA1DONGWU');
    const shishanId = await orgId('ENT-91320505MA1SHISHAN');
    const person = { name: '双挂职', id_number: '320503198507152319', role: 'professional' };
    const first = await city.post('/api/staff').send({ ...person, enterprise_id: dongwuId });
    expect(first.status).toBe(201);
    expect(first.body.duplicate_registration).toBe(false);
    const second = await city.post('/api/staff').send({ ...person, enterprise_id: shishanId });
    expect(second.body.duplicate_registration).toBe(true);
    expect((await city.get(`/api/staff/${first.body.id}`)).body.duplicate_registration).toBe(true);

    const flagged = await city.get('/api/staff').query({ filter: JSON.stringify({ duplicate_registration: true, id_number: person.id_number }) });
    expect(flagged.body).toHaveLength(2);
    const dupes = await city.get('/api/staff-duplicates').query({ filter: JSON.stringify({ q: person.id_number }) });
    // The list shows the number masked (docs/personal-data.md); the search by the whole number finds it.
    expect(dupes.body).toEqual([expect.objectContaining({ id_number: `${person.id_number.slice(0, 4)}**********${person.id_number.slice(-4)}`, enterprises: 2 })]);
    // The district of one of the two enterprises sees the conflict; the enterprise itself only its flag.
    const huqiu = await signIn(app, 'huqiu.staff');
    expect((await huqiu.get('/api/staff-duplicates').query({ filter: JSON.stringify({ q: person.id_number }) })).body).toHaveLength(1);
    expect((await (await signIn(app, 'dongwu.ent')).get('/api/staff-duplicates')).status).toBe(403);

    // Leaving one enterprise clears the flag on both rows.
    const left = await city.put(`/api/staff/${second.body.id}`).send({ ...second.body, active: false, left_on: null });
    expect(left.body.duplicate_registration).toBe(false);
    expect((await city.get(`/api/staff/${first.body.id}`)).body.duplicate_registration).toBe(false);
  });

  it('lets only credit writers record credit events, within their district, and keeps scores current', async () => {
    const gusu = await signIn(app, 'gusu.staff');
    const dongwuId = await orgId('ENT-91320508MA1DONGWU');
    const project = await projectId('XM3205080001');
    const today = new Date().toISOString().slice(0, 10);
    const score = async () =>
      Number(
        (
          (await db('credit_scores')
            .where({ subject_type: 'enterprise', subject_id: dongwuId, year: Number(today.slice(0, 4)) })
            .first()) as { score: string } | undefined
        )?.score ?? 100,
      );
    const before = await score();
    const event = { enterprise_id: dongwuId, project_id: project, category: 'complaint', points: -2.5, occurred_on: today, description: '测试投诉', status: 'final' };
    const res = await gusu.post('/api/credit-events').send(event);
    expect(res.status).toBe(201);
    expect(res.body.district_code).toBe(GUSU);
    expect(await score()).toBeCloseTo(before - 2.5);
    expect((await (await signIn(app, 'dongwu.ent')).post('/api/credit-events').send(event)).status).toBe(403);
    const huqiuProject = (await db('property_projects').where('district_code', HUQIU).whereNotNull('enterprise_id').first()) as { id: number; enterprise_id: number };
    const outside = await gusu.post('/api/credit-events').send({ ...event, enterprise_id: huqiuProject.enterprise_id, project_id: huqiuProject.id });
    expect(outside.status).toBe(403);
    const listed = await (await signIn(app, 'dongwu.ent')).get('/api/credit-events').query({ range: '[0,499]' });
    expect(new Set(listed.body.map((e: { enterprise_id: number }) => e.enterprise_id))).toEqual(new Set([dongwuId]));
  });

  it('lets an owners’ committee edit its own office and members but not its filing data', async () => {
    const oc = await signIn(app, 'pingjiang.oc');
    const id = await orgId('OC-320508001-PJXC');
    const record = (await oc.get(`/api/committees/${id}`)).body;
    expect(record.members.length).toBeGreaterThan(3);
    const res = await oc.put(`/api/committees/${id}`).send({ ...record, office_address: '平江新村33幢101室', members: [...record.members, { name: '新委员', position: 'member', officer: false }] });
    expect(res.status).toBe(200);
    expect(res.body.members).toHaveLength(record.members.length + 1);
    const filing = await oc.put(`/api/committees/${id}`).send({ ...res.body, filing_no: 'FAKE-1' });
    expect(filing.status).toBe(403);
    const others = await oc.get('/api/committees').query({ range: '[0,99]' });
    expect(others.body.map((c: { id: number }) => c.id)).toEqual([id]);
  });

  it('answers 403 to roles without registry permissions', async () => {
    const publicUser = await signIn(app, 'public.zhang');
    expect((await publicUser.get('/api/projects')).status).toBe(403);
    const leader = await signIn(app, 'city.leader');
    expect((await leader.get('/api/projects')).status).toBe(200);
    expect((await leader.post('/api/projects').send({})).status).toBe(403);
  });
});
