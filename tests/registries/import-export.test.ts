import ExcelJS from 'exceljs';
import type { Express } from 'express';
import type { Knex } from 'knex';
import type { Response } from 'supertest';
import { signIn, testApp } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';

const GUSU = '320508';

/** Collects a binary response body (supertest leaves unknown types unparsed). */
const binary = (res: Response, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

async function readBack(bytes: Buffer): Promise<{ headers: string[]; rows: Array<Record<string, unknown>> }> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0];
  const headers = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
  const rows: Array<Record<string, unknown>> = [];
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    rows.push(Object.fromEntries(headers.map((h, i) => [h, row.getCell(i + 1).value])));
  });
  return { headers, rows };
}

async function workbookOf(headers: string[], rows: unknown[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('导入');
  sheet.addRow(headers);
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

describe('registry export and import', () => {
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

  it('exports the current filter of the caller’s scope as a readable .xlsx with Chinese headers', async () => {
    const gusu = await signIn(app, 'gusu.staff');
    const filter = { nature: 'residential_multi_storey' };
    const res = await gusu
      .get('/api/projects/export')
      .query({ filter: JSON.stringify(filter), sort: '["code","ASC"]' })
      .buffer(true)
      .parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const { headers, rows } = await readBack(res.body as Buffer);
    expect(headers).toEqual(expect.arrayContaining(['编号', '项目代码', '项目名称', '物业性质', '停车位总数', '物业服务企业信用代码', '区县']));
    const expected = (await db('property_projects').where({ district_code: GUSU, nature: 'residential_multi_storey' }).orderBy('code').pluck('code')) as string[];
    expect(expected.length).toBeGreaterThan(5);
    expect(rows.map((r) => r['项目代码'])).toEqual(expected);
    expect(new Set(rows.map((r) => r['物业性质']))).toEqual(new Set(['居住-多层']));
    const pingjiang = rows.find((r) => r['项目名称'] === '平江新村')!;
    const dongwuCode = (await db('enterprises').where('name', '苏州东吴物业管理有限公司').first('credit_code')).credit_code;
    expect(pingjiang['物业服务企业信用代码']).toBe(dongwuCode);
  });

  it('imports a sheet in the export’s layout: creates and updates by natural key, reports nothing rejected', async () => {
    const gusu = await signIn(app, 'gusu.staff');
    const dongwuCode = (await db('enterprises').where('name', '苏州东吴物业管理有限公司').first('credit_code')).credit_code as string;
    const file = await workbookOf(
      ['项目代码', '项目名称', '坐落', '所属区县代码', '物业性质', '管理方式', '物业服务企业信用代码', '停车位总数', '地面停车位', '地下停车位', '消防报警系统'],
      [
        ['XM-IMP-0001', '导入新苑', '苏州市姑苏区导入路1号', GUSU, '居住-多层', '委托物业服务企业管理', dongwuCode, 30, 10, 20, '是'],
        ['XM3205080002', '改名后的小区', '苏州市姑苏区某路2号', GUSU, '居住-高层', '委托物业服务企业管理', dongwuCode, null, null, null, '否'],
      ],
    );
    const before2 = await db('property_projects').where('code', 'XM3205080002').first();
    const res = await gusu.post('/api/projects/import').set('Content-Type', 'application/octet-stream').send(file);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rows: 2, created: 1, updated: 1, rejected: [], committed: true });
    const created = await db('property_projects').where('code', 'XM-IMP-0001').first();
    expect(created).toMatchObject({ name: '导入新苑', parking_total: 30, fire_alarm_system: 1, district_code: GUSU });
    const updated = await db('property_projects').where('code', 'XM3205080002').first();
    expect(updated.name).toBe('改名后的小区');
    // Columns the sheet left out keep their values.
    expect(updated.households).toBe(before2.households);
    expect(updated.approved).toBe(0);
    const history = await db('registry_changes').where({ entity: 'project', entity_id: created.id }).first();
    expect(history).toMatchObject({ action: 'import', username: 'gusu.staff' });
  });

  it('rejects a file with bad rows with row, field and reason, and writes nothing of it', async () => {
    const gusu = await signIn(app, 'gusu.staff');
    const counts = async () => ({
      projects: Number(((await db('property_projects').count({ n: '*' }).first()) as { n: number }).n),
      enterprises: Number(((await db('enterprises').count({ n: '*' }).first()) as { n: number }).n),
      organisations: Number(((await db('organisations').count({ n: '*' }).first()) as { n: number }).n),
      changes: Number(((await db('registry_changes').count({ n: '*' }).first()) as { n: number }).n),
    });
    const before = await counts();
    const csv = [
      '项目代码,项目名称,坐落,所属区县代码,物业性质,管理方式,停车位总数,地面停车位,地下停车位',
      'XM-IMP-0101,好数据苑,苏州市姑苏区好路1号,320508,居住-多层,业主委员会自管,10,4,6',
      'XM-IMP-0102,坏性质苑,苏州市姑苏区坏路2号,320508,城堡,业主委员会自管,,,',
      'XM-IMP-0103,车位不符苑,"苏州市姑苏区坏路3号,南门",320508,居住-高层,业主委员会自管,10,1,1',
      'XM-IMP-0104,外区苑,苏州市虎丘区某路4号,320505,居住-高层,业主委员会自管,,,',
      'XM-IMP-0101,重复苑,苏州市姑苏区好路1号,320508,居住-多层,业主委员会自管,,,',
    ].join('\r\n');
    const res = await gusu.post('/api/projects/import').set('Content-Type', 'text/csv').send(`\uFEFF${csv}`);
    expect(res.status).toBe(200);
    expect(res.body.committed).toBe(false);
    expect(res.body.rejected).toEqual(
      expect.arrayContaining([
        { row: 3, field: 'nature', reason: expect.any(String) },
        { row: 4, field: 'parking_total', reason: expect.stringContaining('above-ground') },
        { row: 5, field: 'row', reason: expect.stringContaining('district') },
        { row: 6, field: 'code', reason: 'appears twice in the file' },
      ]),
    );
    expect(res.body.rejected).toHaveLength(4);
    expect(await counts()).toEqual(before);
    expect(await db('property_projects').where('code', 'XM-IMP-0101').first()).toBeUndefined();
  });

  it('imports enterprises (with their organisations) and staff by credit code and ID number; a dry run writes nothing', async () => {
    const city = await signIn(app, 'city.staff');
    const enterprises = await workbookOf(['统一社会信用代码', '企业名称', '企业类型', '法定代表人', '注册区县代码', '资质等级'], [['91320508MA1QA0003B', '苏州导入物业有限公司', '物业服务企业', '导入人', GUSU, '三级']]);
    const dry = await city.post('/api/enterprises/import?dry_run=true').set('Content-Type', 'application/octet-stream').send(enterprises);
    expect(dry.body).toMatchObject({ created: 1, committed: false, rejected: [] });
    expect(await db('enterprises').where('credit_code', '91320508MA1QA0003B').first()).toBeUndefined();
    const real = await city.post('/api/enterprises/import').set('Content-Type', 'application/octet-stream').send(enterprises);
    expect(real.body).toMatchObject({ created: 1, committed: true });
    const ent = await db('enterprises').where('credit_code', '91320508MA1QA0003B').first();
    expect(ent.qualification_level).toBe('level_3');
    expect(await db('organisations').where('id', ent.id).first()).toMatchObject({ kind: 'enterprise', name: '苏州导入物业有限公司' });

    const staff = await workbookOf(
      ['所属企业信用代码', '身份证号', '姓名', '人员类别'],
      [
        ['91320508MA1QA0003B', '320508198002024567', '导入甲', '项目经理'],
        ['91320508MA1QA0003B', '320508198002024560', '校验错', '项目经理'],
        ['91320599MA1QA0009X', '320505197505057893', '无此企业', '项目经理'],
      ],
    );
    const rejected = await city.post('/api/staff/import').set('Content-Type', 'application/octet-stream').send(staff);
    expect(rejected.body.committed).toBe(false);
    expect(rejected.body.rejected).toEqual([
      { row: 3, field: 'id_number', reason: 'check character does not match' },
      { row: 4, field: 'enterprise_id', reason: expect.stringContaining('91320599MA1QA0009X') },
    ]);
    expect(await db('enterprise_staff').where('enterprise_id', ent.id).first()).toBeUndefined();
  });

  it('refuses an enterprise’s import of another enterprise’s staff, row by row', async () => {
    const dongwu = await signIn(app, 'dongwu.ent');
    const hengtaiCode = (await db('enterprises').where('name', '苏州工业园区恒泰物业服务有限公司').first('credit_code')).credit_code;
    const csv = `所属企业信用代码,身份证号,姓名,人员类别\n${hengtaiCode},320505197505057893,冒名,管理和技术人员\n`;
    const res = await dongwu.post('/api/staff/import').set('Content-Type', 'text/csv').send(csv);
    expect(res.body.committed).toBe(false);
    expect(res.body.rejected).toHaveLength(1);
    expect(res.body.rejected[0]).toMatchObject({ row: 2, reason: expect.stringContaining('own staff') });
  });

  it('answers 400 to a sheet without the key column', async () => {
    const city = await signIn(app, 'city.staff');
    const res = await city.post('/api/projects/import').set('Content-Type', 'text/csv').send('项目名称\n某小区\n');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('项目代码');
  });
});
