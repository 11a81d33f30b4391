import type { Express } from 'express';
import type { Knex } from 'knex';
import { intakeRecord, IntakeRefused, type IntakeSource } from '../../db/credit/records';
import { scoresAt } from '../../db/credit/scores';
import { DEMO_STANDARD } from '../../db/seeds/credit-standard-demo';
import { applyFinalCreditChange } from '../../db/registries/approvals';
import { beijingToday } from '../../lib/credit/days';
import { signIn, testApp } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';
import { waitFor } from '../helpers/wait';
import { readPdf } from '../approvals/pdf-text';

/**
 * Credit standards and the record intake (C1, C2; docs/credit.md) on the demo database, whose
 * standard version 1 (db/seeds/credit-standard-demo.ts) is in force from 1 January three years back.
 */
describe('credit standards and records', () => {
  let db: Knex;
  let app: Express;
  let close: () => Promise<void>;
  let dongwu: number;
  let gusuProject: number;
  let huqiuProject: { id: number; enterprise_id: number };
  const today = beijingToday();

  beforeAll(async () => {
    ({ db } = await freshTestDatabase());
    const t = testApp(db);
    app = t.app;
    close = () => t.temporal.close();
    dongwu = ((await db('organisations').where('code', 'ENT-91320508MA1DONGWU').first('id')) as { id: number }).id;
    gusuProject = ((await db('property_projects').where({ code: 'XM3205080001' }).first('id')) as { id: number }).id;
    huqiuProject = (await db('property_projects').where('district_code', '320505').whereNotNull('enterprise_id').first('id', 'enterprise_id')) as { id: number; enterprise_id: number };
  });
  afterAll(async () => {
    await close();
    await db.destroy();
  });

  const denials = async (action: string) => Number(((await db('operation_log').where({ action, result: 'denied' }).count({ n: '*' }).first()) as { n: number | string }).n);
  /** The log row of a refusal is written as the answer leaves (api/audit/operation-log.ts): wait for it. */
  const deniedLogged = (action: string, count: number) => waitFor(`${count} denied ${action}`, async () => ((await denials(action)) >= count ? true : null));

  it('lets only the city draft and publish a standard; a published version never changes and applies from its day on', async () => {
    const city = await signIn(app, 'city.staff');
    const gusu = await signIn(app, 'gusu.staff');
    const listed = await gusu.get('/api/credit/standards');
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([expect.objectContaining({ version: 1, status: 'published', items: DEMO_STANDARD.items.length })]);

    const content = { ...DEMO_STANDARD, name: '2027版信用评价标准', items: [...DEMO_STANDARD.items, { ...DEMO_STANDARD.items[0], code: 'B-BI-09', name: '未按期报送年度报告' }] };
    const before = await denials('credit.standards.create');
    expect((await gusu.post('/api/credit/standards').send(content)).status).toBe(403);
    await deniedLogged('credit.standards.create', before + 1);

    const draft = await city.post('/api/credit/standards').send(content);
    expect(draft.status).toBe(201);
    expect(draft.body).toMatchObject({ status: 'draft', version: null, items: expect.arrayContaining([expect.objectContaining({ code: 'B-BI-09' })]) });
    // A draft is the city's working copy: a district neither lists nor reads it.
    expect((await gusu.get('/api/credit/standards')).body).toHaveLength(1);
    expect((await gusu.get(`/api/credit/standards/${draft.body.id}`)).status).toBe(404);

    // Bad content is refused with the field and the reason.
    const wrong = await city.put(`/api/credit/standards/${draft.body.id}`).send({ ...content, items: [{ ...content.items[0], pointsMin: 9, pointsMax: 3 }] });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details).toEqual([{ field: 'body.items.0.pointsMin', reason: 'must not exceed pointsMax' }]);

    // Publishing reaches neither into the past nor before the version in force.
    const past = await city.post(`/api/credit/standards/${draft.body.id}/publish`).send({ effectiveFrom: '2020-01-01' });
    expect(past.status).toBe(422);
    expect(past.body.error.details[0].field).toBe('body.effectiveFrom');
    const next = `${Number(today.slice(0, 4)) + 1}-01-01`;
    const published = await city.post(`/api/credit/standards/${draft.body.id}/publish`).send({ effectiveFrom: next });
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ version: 2, status: 'published', effectiveFrom: next });
    expect((await city.put(`/api/credit/standards/${draft.body.id}`).send(content)).status).toBe(409);
    expect((await city.delete(`/api/credit/standards/${draft.body.id}`)).status).toBe(409);

    // Today the first version is still in force: its items are the ones a record may name.
    const refusal = await gusu.post('/api/credit/records').send({ sourceRef: 'form-v2', itemCode: 'B-BI-09', enterpriseId: dongwu, projectId: gusuProject, occurredOn: today, description: '未报送', evidence: [{ name: '检查记录.pdf' }] });
    expect(refusal.status).toBe(422);
    expect(refusal.body.error.details).toEqual([{ field: 'body.itemCode', reason: `the standard in force on ${today} (version 1) has no item B-BI-09` }]);
  });

  it('takes a district officer’s record with evidence once, within the district, the points the item allows', async () => {
    const gusu = await signIn(app, 'gusu.staff');
    const entry = { sourceRef: 'form-0001', itemCode: 'B-PF-01', enterpriseId: dongwu, projectId: gusuProject, points: 2, occurredOn: today, description: '业主投诉电梯维修不及时，经查属实', evidence: [{ name: '调查笔录.pdf' }] };
    const first = await gusu.post('/api/credit/records').send(entry);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ created: true, status: 'pending', districtCode: '320508', points: 2 });
    const row = await db('credit_events').where('id', first.body.id).first();
    expect(row).toMatchObject({ points: '-2.00', status: 'pending', source: 'manual', veto: 0, recorded_by: expect.any(Number) });
    // The same form again (a double click) is the same record.
    const again = await gusu.post('/api/credit/records').send(entry);
    expect(again.body).toMatchObject({ id: first.body.id, created: false });

    for (const [change, field] of [
      [{ points: 4 }, 'body.points'],
      [{ evidence: [] }, 'body.evidence'],
      [{ itemCode: 'B-BI-02' }, 'body.projectId'], // a manager's item, recorded against a project
      [{ itemCode: 'NOPE' }, 'body.itemCode'],
    ] as const) {
      const res = await gusu.post('/api/credit/records').send({ ...entry, ...change, sourceRef: `bad-${field.replace('body.', '')}-${JSON.stringify(change).length}` });
      expect(res.status).toBe(422);
      expect(res.body.error.details[0].field).toBe(field);
    }
    const malformed = await gusu.post('/api/credit/records').send({ ...entry, sourceRef: 'x y', occurredOn: '2026-13-01' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['body.occurredOn', 'body.sourceRef']);

    // A street office records in its own street (平江街道) and nowhere else.
    const pingjiang = await signIn(app, 'pingjiang.street');
    const street = ((await db('organisations').whereIn('id', db('users').where('username', 'pingjiang.street').select('organisation_id')).first('street_code')) as { street_code: string }).street_code;
    const [inStreet, elsewhere] = (await db('property_projects').where({ enterprise_id: dongwu, district_code: '320508' }).orderBy('id').limit(2).pluck('id')) as number[];
    await db('property_projects').where('id', inStreet).update({ street_code: street });
    const other = ((await db('regions').where({ parent_code: '320508', level: 'street' }).whereNot('code', street).first('code')) as { code: string }).code;
    await db('property_projects').where('id', elsewhere).update({ street_code: other });
    expect((await pingjiang.post('/api/credit/records').send({ ...entry, sourceRef: 'form-street', projectId: inStreet })).status).toBe(201);
    const outside = await pingjiang.post('/api/credit/records').send({ ...entry, sourceRef: 'form-street-2', projectId: elsewhere });
    expect(outside.status).toBe(403);
    expect(outside.body.error.message).toContain('its own street');

    // Another district's project is not Gusu's to record; an enterprise records nothing.
    const before = await denials('credit.records.create');
    expect((await gusu.post('/api/credit/records').send({ ...entry, sourceRef: 'form-huqiu', enterpriseId: huqiuProject.enterprise_id, projectId: huqiuProject.id })).status).toBe(403);
    expect((await (await signIn(app, 'dongwu.ent')).post('/api/credit/records').send({ ...entry, sourceRef: 'form-ent' })).status).toBe(403);
    await deniedLogged('credit.records.create', before + 2);
    expect(await db('credit_events').where('source_ref', 'like', '%form-huqiu').first()).toBeUndefined();
  });

  it('takes the platform’s own records from each source once, good ones final at once and scored', async () => {
    // The officer responsible for the source (the inspector of a rectification …): a pre-deduction goes out in someone's name.
    const officer = ((await db('users').where('username', 'gusu.staff').first('id')) as { id: number }).id;
    const at = (source: IntakeSource, sourceRef: string, itemCode: string, extra: Record<string, unknown> = {}) =>
      db.transaction((trx) =>
        intakeRecord(trx, { source, sourceRef, itemCode, enterpriseId: dongwu, projectId: gusuProject, occurredOn: today, description: `${source} ${sourceRef}`, evidence: [{ name: 'platform' }], recordedBy: officer, ...extra }),
      );
    const score = async () => (await scoresAt(db, 'enterprise', [dongwu], today)).get(dongwu)!;
    const before = await score();

    const sources: Array<[IntakeSource, string, string, string]> = [
      ['rectification', 'ZG-2026-0001', 'B-SF-01', 'overdue_rectification'],
      ['self_check', 'ZJ-2026-11', 'B-PF-03', 'self_check'],
      ['complaint_system', 'TS-2026-000123', 'B-PF-01', 'complaint'],
      ['registry_deadline', 'XM3205080001-2026', 'B-BI-01', 'late_update'],
    ];
    for (const [source, ref, item, category] of sources) {
      const made = await at(source, ref, item, item === 'B-SF-01' ? { points: 4 } : item === 'B-PF-01' || item === 'B-BI-01' ? { points: 1 } : {});
      expect(made).toMatchObject({ created: true, status: 'pending' });
      expect(await db('credit_events').where('id', made.id).first('category', 'source')).toEqual({ category, source });
      // Raised again by a retried activity or a sweep run twice: the same record.
      expect(await at(source, ref, item, { points: 4 })).toMatchObject({ id: made.id, created: false });
    }
    // Pre-deductions do not count until final.
    expect((await score()).score).toBe(before.score);

    await expect(at('rectification', 'ZG-2026-0002', 'B-SF-01', { points: 4, recordedBy: null })).rejects.toMatchObject({ status: 422, field: 'recordedBy' });
    // A good record the platform may raise by itself.
    const honour = await at('bureau', 'BZ-2026-007', 'G-HN-02', { recordedBy: null });
    expect(honour).toMatchObject({ status: 'final', points: 3, validUntil: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    const after = await score();
    // Good points are capped: 3 more, unless the cap is already reached.
    expect(after.good).toBeCloseTo(Math.min(before.goodRaw + 3, 40));
    expect(after.score).toBeCloseTo(before.score + (after.good - before.good));
    expect(
      await db('credit_scores')
        .where({ subject_type: 'enterprise', subject_id: dongwu, year: Number(today.slice(0, 4)) })
        .first('score', 'grade'),
    ).toEqual({ score: after.score.toFixed(2), grade: after.grade });
    await expect(at('bureau', 'BZ-2026-008', 'B-PF-02')).rejects.toThrow(IntakeRefused);
    await expect(at('manual', 'X-1', 'B-PF-01', { occurredOn: '2019-05-01', points: 1 })).rejects.toMatchObject({ status: 409, field: 'occurredOn' });
  });

  it('shows an enterprise its own score with the breakdown, and nobody else’s', async () => {
    const ent = await signIn(app, 'dongwu.ent');
    const own = await ent.get(`/api/credit/scores/enterprise/${dongwu}`);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ at: today, base: 80, grade: expect.stringMatching(/^(AAA|AA|A|B|C)$/), standardId: expect.any(Number) });
    expect(typeof own.body.score).toBe('number');
    expect((await ent.get(`/api/credit/scores/enterprise/${huqiuProject.enterprise_id}`)).status).toBe(404);
    expect((await ent.get(`/api/credit/scores/enterprise/${dongwu}`).query({ at: 'yesterday' })).status).toBe(400);

    // The credit report (信用报告): a PDF of the same figures, for the enterprise itself.
    const report = await ent
      .get(`/api/credit/reports/enterprise/${dongwu}`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(report.status).toBe(200);
    expect(report.headers['content-type']).toBe('application/pdf');
    const pdf = readPdf(report.body as Buffer);
    expect(pdf.unmappedCodes).toBe(0);
    for (const text of ['物业服务企业信用报告', '苏州东吴物业管理有限公司', `${own.body.score} 分`, `${own.body.grade}`, '在效信用记录']) expect(pdf.text).toContain(text);
    expect((await ent.get(`/api/credit/reports/enterprise/${huqiuProject.enterprise_id}`)).status).toBe(404);
  });

  it('ranks the enterprises of a cycle city-wide and by district, with the grade distribution and the lists, for the bureau only', async () => {
    const city = await signIn(app, 'city.staff');
    const year = Number(today.slice(0, 4));
    const ranking = await city.get('/api/credit/rankings').query({ limit: 200 });
    expect(ranking.status).toBe(200);
    const rows = ranking.body.rows as Array<{ rank: number; enterpriseId: number; score: number; grade: string; districtCode: string; previousScore: number | null }>;
    const stored = await db('credit_scores').where({ subject_type: 'enterprise', year }).orderBy('score', 'desc').select('subject_id', 'score');
    expect(rows.map((r) => r.score)).toEqual(stored.map((r: { score: string }) => Number(r.score)));
    // Standard competition ranks: equal scores share a rank, the next one skips.
    rows.forEach((r, i) => expect(r.rank).toBe(i === 0 || r.score < rows[i - 1].score ? i + 1 : rows[i - 1].rank));
    expect(Object.values(ranking.body.grades as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(rows.length);
    expect(rows.some((r) => r.previousScore !== null)).toBe(true);
    // A page further down keeps the ranks of the whole list.
    const second = await city.get('/api/credit/rankings').query({ limit: 5, offset: 5 });
    expect(second.body.rows.map((r: { rank: number }) => r.rank)).toEqual(rows.slice(5, 10).map((r) => r.rank));
    const gusu = await city.get('/api/credit/rankings').query({ district_code: '320508', limit: 200 });
    expect(gusu.body.rows.length).toBeGreaterThan(0);
    expect(gusu.body.rows.every((r: { districtCode: string }) => r.districtCode === '320508')).toBe(true);
    expect(gusu.body.rows[0].rank).toBe(1);

    const black = await city.get('/api/credit/lists/black');
    expect(black.status).toBe(200);
    const blackIds = new Set(rows.filter((r) => r.grade === 'C').map((r) => r.enterpriseId));
    expect(new Set(black.body.map((m: { subjectId: number }) => m.subjectId))).toEqual(blackIds);
    expect((await city.get('/api/credit/lists/grey')).status).toBe(400);
    // Before publication, rankings and lists are the bureau's.
    expect((await (await signIn(app, 'dongwu.ent')).get('/api/credit/rankings')).status).toBe(403);
  });

  it('counts a serious record until it is rectified, then not', async () => {
    const gusu = await signIn(app, 'gusu.staff');
    const officer = ((await db('users').where('username', 'gusu.staff').first('id')) as { id: number }).id;
    const score = async () => (await scoresAt(db, 'enterprise', [dongwu], today)).get(dongwu)!.score;
    // 发生安全责任事故: 10–20 points, valid until rectified.
    const serious = await db.transaction((trx) =>
      intakeRecord(trx, {
        source: 'manual',
        sourceRef: `serious-${process.pid}`,
        itemCode: 'B-SF-02',
        enterpriseId: dongwu,
        projectId: gusuProject,
        points: 10,
        occurredOn: today,
        description: '电梯困人事故',
        evidence: [{ name: '事故报告' }],
        recordedBy: officer,
      }),
    );
    expect(serious.validUntil).toBeNull();
    const before = await score();
    await applyFinalCreditChange(db, { caseRef: `SERIOUS-${process.pid}`, eventId: serious.id, finalPoints: -10 });
    expect(await score()).toBeCloseTo(before - 10);

    expect((await gusu.post(`/api/credit/records/${serious.id}/rectified`).send({ rectifiedOn: '2099-01-01' })).status).toBe(422);
    const done = await gusu.post(`/api/credit/records/${serious.id}/rectified`).send({ rectifiedOn: today });
    expect(done.status).toBe(200);
    expect(await score()).toBeCloseTo(before);
    const again = await gusu.post(`/api/credit/records/${serious.id}/rectified`).send({ rectifiedOn: today });
    expect(again.status).toBe(409);
    // A record of fixed validity is not rectified away; another district's is not Gusu's to touch.
    const fixed = (await db('credit_events').where({ enterprise_id: dongwu, status: 'final' }).whereNotNull('valid_until').first('id')) as { id: number };
    expect((await gusu.post(`/api/credit/records/${fixed.id}/rectified`).send({ rectifiedOn: today })).body.error.details[0]).toEqual({ field: 'params.id', reason: 'the record counts for a fixed period, not until rectified' });
    const huqiuRecord = (await db('credit_events').where('district_code', '320505').first('id')) as { id: number };
    expect((await gusu.post(`/api/credit/records/${huqiuRecord.id}/rectified`).send({ rectifiedOn: today })).status).toBe(404);
  });
});
