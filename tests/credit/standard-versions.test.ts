import type { Express } from 'express';
import type { Knex } from 'knex';
import { intakeRecord } from '../../db/credit/records';
import { scoresAt } from '../../db/credit/scores';
import { applyFinalCreditChange } from '../../db/registries/approvals';
import { DEMO_STANDARD } from '../../db/seeds/credit-standard-demo';
import { beijingToday } from '../../lib/credit/days';
import { signIn, testApp } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';

/**
 * A new standard version (C1, docs/credit.md): published from today with a base of 90
 * (Lianyungang) and a new item, it scores today's records; yesterday's keep version 1, its
 * items and its base of 80. Hand-computed: 90 − 2 = 88 (AAA) today, 80 (AA) yesterday.
 */
describe('credit standard versions', () => {
  let db: Knex;
  let app: Express;
  let close: () => Promise<void>;
  const today = beijingToday();
  const day = (offset: number) => new Date(Date.parse(`${today}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);

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

  it('scores a record under the version in force on its day, and the score under today’s', async () => {
    const city = await signIn(app, 'city.staff');
    const v1 = ((await db('credit_standards').where('version', 1).first('id')) as { id: number }).id;
    const content = {
      ...DEMO_STANDARD,
      name: '信用评价标准（第二版）',
      model: { ...DEMO_STANDARD.model, base: 90 },
      items: [...DEMO_STANDARD.items, { ...DEMO_STANDARD.items[0], code: 'B-BI-09', name: '未按期报送年度报告', pointsMin: 2, pointsMax: 2 }],
    };
    const draft = await city.post('/api/credit/standards').send(content);
    const published = await city.post(`/api/credit/standards/${draft.body.id}/publish`).send({ effectiveFrom: today });
    expect(published.body).toMatchObject({ version: 2, effectiveFrom: today });

    // An enterprise with no records of its own: only this test's count.
    const enterprise = ((await db('enterprises').where('kind', 'property_service').whereNotIn('id', db('credit_events').select('enterprise_id')).first('id')) as { id: number }).id;
    const officer = ((await db('users').where('username', 'city.staff').first('id')) as { id: number }).id;
    const take = (itemCode: string, occurredOn: string, ref: string) =>
      db.transaction((trx) => intakeRecord(trx, { source: 'manual', sourceRef: `v-${ref}`, itemCode, enterpriseId: enterprise, occurredOn, description: '版本测试', evidence: [{ name: '材料' }], recordedBy: officer }));
    await expect(take('B-BI-09', day(-1), 'a')).rejects.toMatchObject({ status: 422, field: 'itemCode' });
    await expect(take('B-BI-09', day(1), 'b')).rejects.toMatchObject({ status: 422, field: 'occurredOn' });
    const yesterday = await take('B-PF-02', day(-1), 'c');
    const now = await take('B-BI-09', today, 'd');
    expect(await db('credit_events').whereIn('id', [yesterday.id, now.id]).orderBy('id').pluck('standard_id')).toEqual([v1, draft.body.id]);

    await applyFinalCreditChange(db, { caseRef: `V-${process.pid}`, eventId: now.id, finalPoints: -2 });
    const scoreOn = async (d: string) => (await scoresAt(db, 'enterprise', [enterprise], d)).get(enterprise)!;
    expect(await scoreOn(today)).toMatchObject({ base: 90, score: 88, grade: 'AAA', standardId: draft.body.id });
    expect(await scoreOn(day(-1))).toMatchObject({ base: 80, score: 80, grade: 'AA', standardId: v1 });
  });
});
