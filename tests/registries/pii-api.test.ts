import ExcelJS from 'exceljs';
import type { Express } from 'express';
import type { Knex } from 'knex';
import type { Response } from 'supertest';
import { decryptField, isEncrypted } from '../../lib/crypto/fields';
import { maskIdNumber, maskPhone } from '../../lib/pii';
import { signIn, testApp } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';

/**
 * Personal data in the registries (issue 12, docs/personal-data.md): masked in every answer
 * for every role, unmasked one record at a time under pii:read (logged), exported in clear only
 * under pii:export (logged), encrypted at rest with a blind index that still finds double
 * registrations, and never kept in clear by the change history.
 */
const binary = (res: Response, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

async function sheetRows(bytes: Buffer): Promise<Array<Record<string, unknown>>> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0];
  const headers = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
  const rows: Array<Record<string, unknown>> = [];
  sheet.eachRow((row, n) => {
    if (n > 1) rows.push(Object.fromEntries(headers.map((h, i) => [h, row.getCell(i + 1).value])));
  });
  return rows;
}

const ID_MASK = /^\d{4}\*{10}[\dX]{4}$/;
const MOBILE_MASK = /^1\d{2}\*{4}\d{4}$/;
/** A clear ID number or mobile anywhere in a text. */
const CLEAR_ID = /(?<![\dA-Za-z])\d{17}[\dX](?![\dA-Za-z])/;
const CLEAR_MOBILE = /(?<![\dA-Za-z*])1[3-9]\d{9}(?![\dA-Za-z])/;

/** A valid ID number (GB 11643 check character) from its first 17 digits. */
function idNumber(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

describe('personal data in the registries', () => {
  let db: Knex;
  let app: Express;
  let close: () => Promise<void>;
  let dongwu: number;
  let hengtai: number;
  let shishan: number;
  let zhaoLei: { id: number };
  let committeeId: number;
  const orgId = async (code: string) => ((await db('organisations').where('code', code).first('id')) as { id: number }).id;
  /**
   * The newest operation-log row matching (and, if given, whose detail passes `detailIs`), waiting
   * a little: refusals are logged as the answer leaves, an export once its last byte has (api/audit).
   */
  const lastLog = async (where: Record<string, unknown>, detailIs: (d: Record<string, unknown>) => boolean = () => true) => {
    for (let i = 0; ; i++) {
      const found = (await db('operation_log').where(where).orderBy('id', 'desc').first()) as (Record<string, unknown> & { detail: unknown }) | undefined;
      const row = found && { ...found, detail: (typeof found.detail === 'string' ? JSON.parse(found.detail) : found.detail) as Record<string, unknown> };
      if ((row && detailIs(row.detail ?? {})) || i === 40) return row;
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    ({ db } = await freshTestDatabase());
    const t = testApp(db);
    app = t.app;
    close = () => t.temporal.close();
    dongwu = await orgId('ENT-91320508MA1DONGWU');
    hengtai = await orgId('ENT-91320576MA1HENGTAI');
    shishan = await orgId('ENT-91320505MA1SHISHAN');
    zhaoLei = (await db('enterprise_staff').where({ enterprise_id: dongwu, name: '赵磊', role: 'project_manager' }).first('id')) as { id: number };
    committeeId = await orgId('OC-320508001-PJXC');
  });
  afterAll(async () => {
    await close();
    await db.destroy();
  });

  it('stores ID numbers and phones encrypted: the raw columns show no clear value', async () => {
    const staff = (await db('enterprise_staff').select('id_number', 'mobile', 'id_number_bidx')) as Array<{ id_number: string; mobile: string | null; id_number_bidx: string }>;
    expect(staff.length).toBeGreaterThan(800);
    for (const s of staff) {
      expect(isEncrypted(s.id_number)).toBe(true);
      expect(s.id_number).not.toMatch(CLEAR_ID);
      if (s.mobile !== null) expect(isEncrypted(s.mobile)).toBe(true);
      expect(s.id_number_bidx).toMatch(/^[0-9a-f]{64}$/);
    }
    const members = (await db('committee_members').whereNotNull('phone').pluck('phone')) as string[];
    expect(members.length).toBeGreaterThan(10);
    for (const p of members) expect(isEncrypted(p)).toBe(true);
    // The demo's known numbers (赵磊's mobile, 平江新村's director) appear nowhere in the raw tables.
    const [dump] = (await db.raw("SELECT GROUP_CONCAT(CONCAT_WS('|', id_number, IFNULL(mobile, '')) SEPARATOR ';') AS t FROM enterprise_staff")) as [Array<{ t: string }>];
    expect(dump[0].t).not.toContain('13800000011');
    expect(dump[0].t).not.toMatch(CLEAR_ID);
    const [phones] = (await db.raw("SELECT GROUP_CONCAT(IFNULL(phone, '') SEPARATOR ';') AS t FROM committee_members")) as [Array<{ t: string }>];
    expect(phones[0].t).not.toContain('13800000013');
    expect(phones[0].t).not.toMatch(CLEAR_MOBILE);
    // …and decrypt to what the seed wrote.
    const row = (await db('enterprise_staff').where('id', zhaoLei.id).first('mobile')) as { mobile: string };
    expect(decryptField('enterprise_staff.mobile', row.mobile)).toBe('13800000011');
  });

  it('masks the staff list, a record page and the export for every role that reads them', async () => {
    const readers: Array<[string, boolean]> = [
      ['city.staff', true],
      ['gusu.staff', true],
      ['dongwu.ent', true],
      ['dongwu.pm', true],
      // A committee has no staff of its own: its list is empty, and so masked trivially.
      ['pingjiang.oc', false],
    ];
    for (const [user, seesDongwu] of readers) {
      const agent = await signIn(app, user);
      const list = await agent.get('/api/staff').query({ range: '[0,99]', filter: JSON.stringify(seesDongwu ? { enterprise_id: dongwu } : {}) });
      expect(list.status).toBe(200);
      if (seesDongwu) expect(list.body.length).toBeGreaterThan(5);
      else expect(list.body).toEqual([]);
      for (const s of list.body as Array<{ id_number: string; mobile: string | null }>) {
        expect(s.id_number).toMatch(ID_MASK);
        if (s.mobile !== null) expect(s.mobile).toMatch(MOBILE_MASK);
        expect(s).not.toHaveProperty('id_number_bidx');
        expect(s).not.toHaveProperty('id_number_last4');
      }
      expect(JSON.stringify(list.body)).not.toMatch(CLEAR_ID);

      const page = await agent.get(`/api/staff/${zhaoLei.id}`);
      if (seesDongwu) {
        expect(page.status).toBe(200);
        expect(page.body.mobile).toBe('138****0011');
        expect(page.body.id_number).toMatch(ID_MASK);
      } else expect(page.status).toBe(404);

      const exported = await agent
        .get('/api/staff/export')
        .query({ filter: JSON.stringify({ enterprise_id: dongwu }) })
        .buffer(true)
        .parse(binary);
      expect(exported.status).toBe(200);
      const rows = await sheetRows(exported.body as Buffer);
      if (seesDongwu) expect(rows.length).toBeGreaterThan(5);
      for (const r of rows) {
        expect(String(r['身份证号'])).toMatch(ID_MASK);
        if (r['联系电话'] !== null) expect(String(r['联系电话'])).toMatch(MOBILE_MASK);
      }
      // Every export is logged, with its filter, its row count and whether personal data was masked.
      const log = await lastLog({ username: user, action: 'staff.export' });
      expect(log).toMatchObject({ result: 'ok', target_type: 'staff' });
      expect(log!.detail).toMatchObject({ filter: { enterprise_id: dongwu }, rows: rows.length, personal: 'masked' });
    }
  });

  it('masks committee members’ phones on the committee page, for the committee and the bureau', async () => {
    for (const user of ['pingjiang.oc', 'gusu.staff', 'city.staff', 'dongwu.ent']) {
      const res = await (await signIn(app, user)).get(`/api/committees/${committeeId}`);
      expect(res.status).toBe(200);
      const director = (res.body.members as Array<{ name: string; phone: string }>).find((m) => m.name === '冯秀英')!;
      expect(director.phone).toBe('138****0013');
      for (const m of res.body.members as Array<{ phone: string | null }>) if (m.phone) expect(m.phone).toMatch(/\*/);
      expect(JSON.stringify(res.body.members)).not.toMatch(CLEAR_MOBILE);
    }
  });

  it('unmasks one record for pii:read within scope, logging who, which record and which fields', async () => {
    const gusu = await signIn(app, 'gusu.staff');
    const res = await gusu.post(`/api/staff/${zhaoLei.id}/unmask`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: zhaoLei.id, mobile: '13800000011' });
    expect(res.body.id_number).toMatch(/^\d{17}[\dX]$/);
    const log = await lastLog({ username: 'gusu.staff', action: 'staff.unmask' });
    expect(log).toMatchObject({ result: 'ok', method: 'POST', target_type: 'staff', target_id: String(zhaoLei.id), role: 'district_staff' });
    expect(log!.detail).toEqual({ fields: ['id_number', 'mobile'] });

    const committee = await gusu.post(`/api/committees/${committeeId}/unmask`);
    expect(committee.status).toBe(200);
    expect(committee.body.members).toEqual(expect.arrayContaining([expect.objectContaining({ name: '冯秀英', phone: '13800000013' })]));
    const committeeLog = await lastLog({ username: 'gusu.staff', action: 'committees.unmask' });
    expect(committeeLog!.detail).toMatchObject({ fields: ['members.phone'], members: expect.any(Array) });
  });

  it('refuses an unmasking without pii:read, or beyond the scope, and logs each refusal', async () => {
    for (const user of ['dongwu.ent', 'dongwu.pm', 'pingjiang.oc', 'city.leader']) {
      const agent = await signIn(app, user);
      const res = await agent.post(`/api/staff/${zhaoLei.id}/unmask`);
      expect(res.status).toBe(403);
      expect(JSON.stringify(res.body)).not.toContain('13800000011');
      const log = await lastLog({ username: user, path: `/api/staff/${zhaoLei.id}/unmask` });
      expect(log).toMatchObject({ result: 'denied', status: 403, method: 'POST' });
    }
    // A district's staff reach only their district: another district's person is "not found", logged as denied.
    const huqiu = await signIn(app, 'huqiu.staff');
    const hengtaiPerson = (await db('enterprise_staff').where('enterprise_id', hengtai).first('id')) as { id: number };
    const beyond = await huqiu.post(`/api/staff/${hengtaiPerson.id}/unmask`);
    expect(beyond.status).toBe(404);
    expect(await lastLog({ username: 'huqiu.staff', path: `/api/staff/${hengtaiPerson.id}/unmask` })).toMatchObject({ result: 'denied', status: 404 });
  });

  it('exports personal fields in clear only for pii:export, and logs the denial of anyone else', async () => {
    const city = await signIn(app, 'city.staff');
    const clear = await city
      .get('/api/staff/export')
      .query({ personal: 'clear', filter: JSON.stringify({ enterprise_id: dongwu }) })
      .buffer(true)
      .parse(binary);
    expect(clear.status).toBe(200);
    const rows = await sheetRows(clear.body as Buffer);
    expect(rows.find((r) => r['姓名'] === '赵磊')).toMatchObject({ 联系电话: '13800000011' });
    for (const r of rows) expect(String(r['身份证号'])).toMatch(/^\d{17}[\dX]$/);
    const log = await lastLog({ username: 'city.staff', action: 'staff.export' }, (d) => d.personal === 'clear');
    expect(log!.detail).toMatchObject({ personal: 'clear', rows: rows.length, filter: { enterprise_id: dongwu } });

    for (const user of ['gusu.staff', 'dongwu.ent']) {
      const refused = await (await signIn(app, user)).get('/api/staff/export').query({ personal: 'clear' });
      expect(refused.status).toBe(403);
      expect(await lastLog({ username: user, path: '/api/staff/export', status: 403 })).toMatchObject({ result: 'denied', action: 'staff.export' });
    }
    const bad = await city.get('/api/staff/export').query({ personal: 'plain' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('personal');
  });

  it('still finds a double registration by the blind index, and searches by a whole number or its last four', async () => {
    const city = await signIn(app, 'city.staff');
    const number = idNumber('32050219880808123');
    const person = { name: '盲索引', id_number: number, mobile: '13912345678', role: 'professional' };
    const first = await city.post('/api/staff').send({ ...person, enterprise_id: dongwu });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ id_number: maskIdNumber(number), mobile: maskPhone('13912345678'), duplicate_registration: false });
    const second = await city.post('/api/staff').send({ ...person, enterprise_id: shishan });
    expect(second.status).toBe(201);
    expect(second.body.duplicate_registration).toBe(true);
    expect((await city.get(`/api/staff/${first.body.id}`)).body.duplicate_registration).toBe(true);
    // The per-enterprise uniqueness holds on the index: the same person twice at one enterprise is a conflict.
    expect((await city.post('/api/staff').send({ ...person, enterprise_id: dongwu })).status).toBe(409);

    const byFilter = await city.get('/api/staff').query({ filter: JSON.stringify({ id_number: number }) });
    expect(byFilter.body.map((s: { id: number }) => s.id).sort()).toEqual([first.body.id, second.body.id].sort());
    const bySearch = await city.get('/api/staff').query({ filter: JSON.stringify({ q: number }) });
    expect(bySearch.body).toHaveLength(2);
    const byLast4 = await city.get('/api/staff').query({ range: '[0,499]', filter: JSON.stringify({ q: number.slice(-4) }) });
    expect(byLast4.body.map((s: { id: number }) => s.id)).toEqual(expect.arrayContaining([first.body.id, second.body.id]));
    for (const s of byLast4.body as Array<{ id_number: string }>) expect(s.id_number.endsWith(number.slice(-4))).toBe(true);

    const dupes = await city.get('/api/staff-duplicates').query({ filter: JSON.stringify({ q: number }) });
    expect(dupes.status).toBe(200);
    expect(dupes.body).toEqual([expect.objectContaining({ id_number: maskIdNumber(number), enterprises: 2, name: '盲索引' })]);
    expect(dupes.body[0].id).toMatch(/^[0-9a-f]{64}$/);
    const all = await city.get('/api/staff-duplicates').query({ range: '[0,99]' });
    expect(all.body.length).toBeGreaterThan(1);
    expect(JSON.stringify(all.body)).not.toMatch(CLEAR_ID);
  });

  it('keeps a masked value sent back unchanged, refuses a made-up mask, and keeps no clear value in the history', async () => {
    const gusu = await signIn(app, 'gusu.staff');
    const page = (await gusu.get(`/api/staff/${zhaoLei.id}`)).body;
    const saved = await gusu.put(`/api/staff/${zhaoLei.id}`).send({ ...page, title: '高级物业管理师' });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ title: '高级物业管理师', mobile: '138****0011' });
    const row = (await db('enterprise_staff').where('id', zhaoLei.id).first('mobile', 'id_number')) as { mobile: string; id_number: string };
    expect(decryptField('enterprise_staff.mobile', row.mobile)).toBe('13800000011');
    expect(decryptField('enterprise_staff.id_number', row.id_number)).toMatch(/^\d{17}[\dX]$/);

    const forged = await gusu.put(`/api/staff/${zhaoLei.id}`).send({ ...saved.body, mobile: '139****9999' });
    expect(forged.status).toBe(400);
    expect(forged.body.error.details).toEqual([expect.objectContaining({ field: 'body.mobile' })]);

    // A change of the phone itself: the history names the field, with masked values only.
    const changed = await gusu.put(`/api/staff/${zhaoLei.id}`).send({ ...saved.body, mobile: '13700001111' });
    expect(changed.status).toBe(200);
    const history = await gusu.get('/api/registry-changes').query({ filter: JSON.stringify({ entity: 'staff', entity_id: zhaoLei.id }) });
    expect(history.body[0]).toMatchObject({ changed_fields: expect.arrayContaining(['mobile']), before: { mobile: '138****0011' }, after: { mobile: '137****1111' } });

    // Members edited through the committee page keep their phones too.
    const oc = await signIn(app, 'pingjiang.oc');
    const committee = (await oc.get(`/api/committees/${committeeId}`)).body;
    const members = (committee.members as Array<Record<string, unknown>>).map(({ id: _id, ...m }) => m);
    const put = await oc.put(`/api/committees/${committeeId}`).send({ ...committee, members, office_address: '平江新村32幢101室' });
    expect(put.status).toBe(200);
    const stored = (await db('committee_members').where({ committee_id: committeeId, name: '冯秀英' }).first('phone')) as { phone: string };
    expect(decryptField('committee_members.phone', stored.phone)).toBe('13800000013');

    // Not one history row, of any registry, holds a clear ID number or mobile of staff or members.
    const changes = (await db('registry_changes').whereIn('entity', ['staff', 'committee']).select('before_data', 'after_data')) as Array<{ before_data: string | null; after_data: string | null }>;
    expect(changes.length).toBeGreaterThan(3);
    for (const c of changes) {
      const text = `${c.before_data ?? ''}${c.after_data ?? ''}`;
      expect(text).not.toMatch(CLEAR_ID);
      const snaps = [c.before_data, c.after_data].filter((x): x is string => x !== null).map((x) => JSON.parse(x) as { mobile?: string | null; members?: Array<{ phone: string | null }> });
      for (const s of snaps) {
        if (s.mobile) expect(s.mobile).toMatch(/\*/);
        for (const m of s.members ?? []) if (m.phone) expect(m.phone).toMatch(/\*/);
      }
    }
  });

  it('imports staff by the full ID number, and leaves a masked phone of an exported sheet unchanged', async () => {
    const city = await signIn(app, 'city.staff');
    const credit = ((await db('enterprises').where('id', dongwu).first('credit_code')) as { credit_code: string }).credit_code;
    const number = idNumber('32050819900101002');
    const csv = (mobile: string) => `所属企业信用代码,姓名,身份证号,联系电话,人员类别\n${credit},导入测试,${number},${mobile},管理和技术人员\n`;
    const created = await city.post('/api/staff/import').set('Content-Type', 'text/csv').send(csv('13611112222'));
    expect(created.body).toMatchObject({ created: 1, committed: true, rejected: [] });
    // The masked export of that row, uploaded again, changes nothing.
    const again = await city
      .post('/api/staff/import')
      .set('Content-Type', 'text/csv')
      .send(csv(maskPhone('13611112222')));
    expect(again.body).toMatchObject({ unchanged: 1, committed: true, rejected: [] });
    const row = (await db('enterprise_staff').where({ enterprise_id: dongwu, name: '导入测试' }).first('mobile')) as { mobile: string };
    expect(decryptField('enterprise_staff.mobile', row.mobile)).toBe('13611112222');
    // A masked ID number cannot name a person: the row is refused, naming the field.
    const masked = await city
      .post('/api/staff/import')
      .set('Content-Type', 'text/csv')
      .send(`所属企业信用代码,姓名,身份证号,人员类别\n${credit},掩码,${maskIdNumber(number)},管理和技术人员\n`);
    expect(masked.body.committed).toBe(false);
    expect(masked.body.rejected).toEqual([expect.objectContaining({ row: 2, field: 'id_number' })]);
  });
});
