import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Express } from 'express';
import type { Knex } from 'knex';
import request, { type Response } from 'supertest';
import { IMPORT_LIMITS } from '../../db/registries/import-limits';
import { ImportBusy, parseWorkers, parseXlsxOffThread, stopParseWorkers } from '../../db/registries/xlsx-pool';
import { signIn, testApp } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';
import { buildXlsx, buildZip, rowXml, SHEET_HEAD, SHEET_TAIL, sheetOf, type CellSpec } from './xlsx-builder';

/**
 * Security finding: a ~200 KB .xlsx that unzips to 200 MB stalled the API for seconds and took
 * 1.5 GB; a corrupt one answered 500. The import must refuse such files with 400/413 in the
 * error format, in bounded memory, off the request loop, and write nothing.
 */
const GUSU = '320508';
const HEADERS = ['项目代码', '项目名称', '坐落', '所属区县代码', '物业性质', '管理方式'];
const MB = 1024 * 1024;

/** One ~3.7 KB row of a valid project, repeated: 200 MB of it deflates to a few hundred KB. */
const BOMB_ROW = rowXml(2, ['XM-BOMB-0001', '炸弹小区', '苏州市姑苏区炸弹路1号', GUSU, '居住-多层', '业主委员会自管', '填'.repeat(1200)]);
const BOMB_BYTES = 200_000_000;
function* bombSheet(): Iterable<Buffer> {
  const block = Buffer.from(BOMB_ROW.repeat(Math.ceil(65536 / BOMB_ROW.length)));
  yield Buffer.from(SHEET_HEAD + rowXml(1, HEADERS));
  for (let i = 0; i < Math.ceil(BOMB_BYTES / block.length); i++) yield block;
  yield Buffer.from(SHEET_TAIL);
}

interface Watched {
  res: Response;
  ms: number;
  /** Peak growth of the process's resident memory (API, parse workers and test together) while the request ran. */
  rssGrowthMb: number;
  /** The worst event-loop delay of the process while the request ran. */
  maxLoopDelayMs: number;
  /** Another request sent once the upload was being parsed, and how long it took. */
  probe?: { status: number; ms: number; whileParsing: boolean };
}

describe('registry import: zip bombs, corrupt files and size limits', () => {
  let db: Knex;
  let app: Express;
  let close: () => Promise<void>;
  let gusu: Awaited<ReturnType<typeof signIn>>;
  let honestBomb: Buffer;
  let lyingBomb: Buffer;
  let slowLyingBomb: Buffer;
  const figures: Record<string, unknown> = {};

  const counts = async () => ({
    projects: Number(((await db('property_projects').count({ n: '*' }).first()) as { n: number }).n),
    changes: Number(((await db('registry_changes').count({ n: '*' }).first()) as { n: number }).n),
  });

  /** Posts a file as gusu.staff while sampling memory and loop delay; optionally probes another route during the parse. */
  async function upload(file: Buffer | string, opts: { probe?: () => request.Test; probeWhen?: 'at-once' | 'while-parsing'; contentType?: string } = {}): Promise<Watched> {
    const base = process.memoryUsage().rss;
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const started = performance.now();
    let done = false;
    const pending = gusu
      .post('/api/projects/import')
      .set('Content-Type', opts.contentType ?? 'application/octet-stream')
      .send(file)
      .then((res) => {
        done = true;
        return res;
      });
    let probe: Watched['probe'];
    if (opts.probe) {
      // Send the other request with the upload, or once a worker is reading the upload.
      if (opts.probeWhen === 'while-parsing') while (!done && parseWorkers().busy === 0) await new Promise((r) => setTimeout(r, 5));
      const t = performance.now();
      const other = await opts.probe();
      probe = { status: other.status, ms: Math.round(performance.now() - t), whileParsing: !done && parseWorkers().busy > 0 };
    }
    const res = await pending;
    const ms = Math.round(performance.now() - started);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    loop.disable();
    return { res, ms, rssGrowthMb: Math.round((peak - base) / MB), maxLoopDelayMs: Math.round(loop.max / 1e6), probe };
  }

  function expectRefused(w: Watched, status: 400 | 413, field: string, reason: RegExp) {
    expect({ status: w.res.status, code: w.res.body.error?.code }).toEqual({ status, code: status === 413 ? 'payload_too_large' : 'invalid_file' });
    expect(w.res.body.error.message).toEqual(expect.any(String));
    expect(w.res.body.error.details).toEqual([{ field, reason: expect.stringMatching(reason) }]);
  }

  beforeAll(async () => {
    ({ db } = await freshTestDatabase());
    const t = testApp(db);
    app = t.app;
    close = () => t.temporal.close();
    gusu = await signIn(app, 'gusu.staff');
    // The same 200 MB sheet, its size told truly, told as 64 KB, and told as 30 MB (under the
    // ratio limit, so the worker inflates and parses 30 MB before the lie shows).
    honestBomb = await buildXlsx({ sheet: bombSheet });
    lyingBomb = await buildXlsx({ sheet: bombSheet, sheetDeclaredSize: 64 * 1024 });
    slowLyingBomb = await buildXlsx({ sheet: bombSheet, sheetDeclaredSize: 30_000_000 });
  }, 120_000);

  afterAll(async () => {
    console.log(`xlsx import security figures: ${JSON.stringify(figures, null, 1)}`);
    await stopParseWorkers();
    await close();
    await db.destroy();
  });

  it('refuses a zip bomb (200 MB of sheet XML in a few hundred KB) with 413 from its zip directory, in bounded memory, serving a request sent with it', async () => {
    expect(honestBomb.length).toBeLessThan(600 * 1024);
    const before = await counts();
    const w = await upload(honestBomb, { probe: () => request(app).get('/healthz'), probeWhen: 'at-once' });
    figures.honestBomb = { fileKb: Math.round(honestBomb.length / 1024), ms: w.ms, rssGrowthMb: w.rssGrowthMb, maxLoopDelayMs: w.maxLoopDelayMs, healthz: w.probe };
    expectRefused(w, 413, 'body', /unzips to more than 128 MiB/);
    expect(w.rssGrowthMb).toBeLessThan(300);
    expect(w.probe).toMatchObject({ status: 200 });
    expect(await counts()).toEqual(before);
  });

  it('refuses a bomb whose zip directory lies about its sizes with 400 as soon as it inflates past them', async () => {
    const before = await counts();
    const w = await upload(lyingBomb);
    figures.lyingBomb = { fileKb: Math.round(lyingBomb.length / 1024), declaredKb: 64, ms: w.ms, rssGrowthMb: w.rssGrowthMb, maxLoopDelayMs: w.maxLoopDelayMs };
    expectRefused(w, 400, 'body', /sheet1\.xml inflates to another size than the zip declares/);
    expect(w.rssGrowthMb).toBeLessThan(300);
    expect(await counts()).toEqual(before);
  });

  it('keeps serving other users while a worker reads a lying bomb for seconds: a registry list answers quickly meanwhile', async () => {
    const before = await counts();
    const w = await upload(slowLyingBomb, { probe: () => gusu.get('/api/projects').query({ range: '[0,9]' }), probeWhen: 'while-parsing' });
    figures.slowLyingBomb = { fileKb: Math.round(slowLyingBomb.length / 1024), declaredMb: 30, ms: w.ms, rssGrowthMb: w.rssGrowthMb, maxLoopDelayMs: w.maxLoopDelayMs, projectsList: w.probe };
    expectRefused(w, 400, 'body', /inflates to another size than the zip declares/);
    expect(w.probe).toMatchObject({ status: 200, whileParsing: true });
    expect(w.rssGrowthMb).toBeLessThan(300);
    expect(await counts()).toEqual(before);
  });

  it('refuses an entry compressed far beyond any real sheet (a bomb under the size limit) with 400, before inflating it', async () => {
    const sheet = function* (): Iterable<Buffer> {
      yield Buffer.from(SHEET_HEAD);
      const block = Buffer.alloc(MB, '<row r="2"/>');
      for (let i = 0; i < 64; i++) yield block;
      yield Buffer.from(SHEET_TAIL);
    };
    const w = await upload(await buildXlsx({ sheet }));
    expectRefused(w, 400, 'body', /sheet1\.xml is compressed \d+×, more than 200×/);
  });

  it('refuses a zip with more entries than a workbook has with 400', async () => {
    const parts = Array.from({ length: IMPORT_LIMITS.zipEntries + 1 }, (_, i) => ({ name: `xl/media/image${i}.png`, data: 'x', store: true }));
    const w = await upload(await buildZip([{ name: 'xl/workbook.xml', data: '<workbook/>' }, ...parts]));
    expectRefused(w, 400, 'body', /1002 entries, more than the 1000/);
  });

  it('answers 400, never 500, to a corrupt .xlsx, a non-zip, an old .xls, a zip without a workbook and a sheet of broken XML', async () => {
    const before = await counts();
    const garbage = Buffer.alloc(4096);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) % 251;
    const cases: Array<[string, Buffer, RegExp]> = [
      ['corrupt', Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), garbage]), /not a valid \.xlsx file: its zip directory cannot be read/],
      ['non-zip', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), garbage]), /neither an \.xlsx workbook nor a UTF-8 CSV/],
      ['old .xls', Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), garbage]), /Excel 97–2003/],
      ['zip without a workbook', await buildZip([{ name: 'readme.txt', data: 'hello' }]), /not an Excel workbook/],
      ['broken sheet XML', await buildXlsx({ sheet: `${SHEET_HEAD}<row r="1"><c r="A1" t="inlineStr"><is><t>项目代码</t></is></c></row><row r="2"></rows>${SHEET_TAIL}` }), /sheet1\.xml is not well-formed XML/],
    ];
    // A truncated workbook: the first half of a valid one.
    const valid = await buildXlsx({ sheet: sheetOf([HEADERS, ['XM-TRUNC-1', '截断苑', '某路', GUSU, '居住-多层', '业主委员会自管']]) });
    cases.push(['truncated', valid.subarray(0, Math.floor(valid.length / 2)), /not a valid \.xlsx file/]);
    for (const [what, file, reason] of cases) {
      const w = await upload(file);
      expect({ what, status: w.res.status }).toEqual({ what, status: 400 });
      expectRefused(w, 400, 'body', reason);
    }
    expect(await counts()).toEqual(before);
  });

  it('refuses more rows than the limit (413, .xlsx and CSV) and more header columns than the limit (413)', async () => {
    const before = await counts();
    const row = (i: number): CellSpec[] => [`XM-ROWS-${i}`, `小区${i}`, `苏州市姑苏区某路${i}号`, GUSU, '居住-多层', '业主委员会自管'];
    const rows = Array.from({ length: IMPORT_LIMITS.rows + 1 }, (_, i) => row(i));
    const xlsx = await upload(await buildXlsx({ sheet: sheetOf([HEADERS, ...rows]) }));
    figures.rowsLimit = { rows: rows.length, ms: xlsx.ms, rssGrowthMb: xlsx.rssGrowthMb };
    expectRefused(xlsx, 413, 'body.rows', /more than 50000 rows/);

    const csv = [HEADERS.join(','), ...rows.map((r) => r.join(','))].join('\n');
    expectRefused(await upload(csv, { contentType: 'text/csv' }), 413, 'body.rows', /more than 50000 rows/);

    const wide = [...HEADERS, ...Array.from({ length: IMPORT_LIMITS.columns }, (_, i) => `备注${i}`)];
    expectRefused(await upload(await buildXlsx({ sheet: sheetOf([wide, row(1)]) })), 413, 'body.columns', /more than 256 columns/);
    expectRefused(await upload(`${wide.join(',')}\n${row(1).join(',')}\n`, { contentType: 'text/csv' }), 413, 'body.columns', /more than 256 columns/);
    expect(await counts()).toEqual(before);
  });

  it('still imports valid workbooks: shared strings stored after the sheet, inline strings, numbers, dates', async () => {
    const strings = ['姑苏共享苑', '居住-多层'];
    const file = await buildXlsx({
      sheetFirst: true,
      sharedStrings: strings,
      sheet: sheetOf([
        [...HEADERS, '停车位总数', '地面停车位', '地下停车位'],
        ['XM-SEC-0001', { shared: 0 }, '苏州市姑苏区安全路1号', GUSU, { shared: 1 }, '业主委员会自管', 12, 5, 7],
        [],
        ['XM-SEC-0002', '姑苏内联苑', '苏州市姑苏区安全路2号', GUSU, '居住-高层', '业主委员会自管', null, null, null],
      ]),
    });
    const w = await upload(file);
    expect(w.res.status).toBe(200);
    expect(w.res.body).toMatchObject({ rows: 2, created: 2, rejected: [], committed: true });
    const one = await db('property_projects').where('code', 'XM-SEC-0001').first();
    expect(one).toMatchObject({ name: '姑苏共享苑', nature: 'residential_multi_storey', parking_total: 12, district_code: GUSU });
    expect(await db('property_projects').where('code', 'XM-SEC-0002').first()).toMatchObject({ name: '姑苏内联苑', nature: 'residential_high_rise' });

    // A date cell (a serial number with a date format in styles.xml) updates an enterprise by its credit code.
    const city = await signIn(app, 'city.staff');
    const { id, credit_code: code } = (await db('enterprises').orderBy('id').first('id', 'credit_code')) as { id: number; credit_code: string };
    const dated = await buildXlsx({
      sheet: sheetOf([
        ['统一社会信用代码', '成立日期'],
        [code, { dateSerial: 45366 }],
      ]),
    });
    const res = await city.post('/api/enterprises/import').set('Content-Type', 'application/octet-stream').send(dated);
    expect(res.body).toMatchObject({ rows: 1, updated: 1, rejected: [], committed: true });
    const row = (await db('enterprises').where('id', id).first(db.raw("DATE_FORMAT(established_on, '%Y-%m-%d') as d"))) as { d: string };
    expect(row.d).toBe('2024-03-15');
    expect(parseWorkers().workers).toBeLessThanOrEqual(IMPORT_LIMITS.concurrentParses);
  });

  it('the parse workers: a time limit and a heap cap answer 413, a full queue 503, and the pool recovers', async () => {
    const small = await buildXlsx({ sheet: sheetOf([HEADERS, ['XM-POOL-1', '池苑', '某路', GUSU, '居住-多层', '业主委员会自管']]) });
    // A worker busy past the time limit is stopped; the file is refused as too large.
    await expect(parseXlsxOffThread(slowLyingBomb, { ...IMPORT_LIMITS, parseMillis: 300 })).rejects.toMatchObject({ status: 413, field: 'body', reason: 'took longer than 0.3 s to read' });
    // A worker out of its V8 heap (here a heap too small even to load the reader) is stopped the same way.
    await stopParseWorkers();
    await expect(parseXlsxOffThread(small, { ...IMPORT_LIMITS, workerHeapMb: 8 })).rejects.toMatchObject({ status: 413, reason: 'needs more memory to read than an import may use' });
    expect(parseWorkers().workers).toBe(0);
    // One parse running and no room to wait: the next one is turned away (503 over HTTP).
    const limits = { ...IMPORT_LIMITS, concurrentParses: 1, waitingParses: 0 };
    const running = parseXlsxOffThread(slowLyingBomb, limits).catch((err: Error) => err);
    await new Promise((r) => setTimeout(r, 50));
    await expect(parseXlsxOffThread(small, limits)).rejects.toBeInstanceOf(ImportBusy);
    expect(await running).toMatchObject({ status: 400 });
    // And the pool still reads files.
    expect(await parseXlsxOffThread(small)).toMatchObject({ headers: HEADERS, rows: [{ rowNumber: 2 }] });
    await stopParseWorkers();
  });
});
