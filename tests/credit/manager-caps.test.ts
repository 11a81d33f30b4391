import type { Express } from 'express';
import type { Knex } from 'knex';
import { applyFinalCreditChange } from '../../db/registries/approvals';
import { intakeRecord } from '../../db/credit/records';
import { beijingToday } from '../../lib/credit/days';
import { signIn, testApp } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';

/**
 * Project managers' caps (C6, docs/credit.md) on the demo database: 赵磊, 东吴's project manager,
 * reaches the default cap of 12 points from his own deductions and his project's share; he is
 * suspended and cannot be named manager of a project; a retraining alone does not reinstate him,
 * a passed exam after it does.
 */
describe('project-manager caps', () => {
  let db: Knex;
  let app: Express;
  let close: () => Promise<void>;
  let zhao: { id: number; enterprise_id: number; project_id: number };
  let otherProject: number;
  const today = beijingToday();
  let n = 0;

  beforeAll(async () => {
    ({ db } = await freshTestDatabase());
    const t = testApp(db);
    app = t.app;
    close = () => t.temporal.close();
    zhao = (await db('enterprise_staff').where({ name: '赵磊', role: 'project_manager' }).first('id', 'enterprise_id', 'project_id')) as typeof zhao;
    otherProject = ((await db('property_projects').where('enterprise_id', zhao.enterprise_id).whereNot('id', zhao.project_id).first('id')) as { id: number }).id;
    // His points are this test's: the demo's random records against him and his project go.
    await db('credit_events').where('staff_id', zhao.id).orWhere('project_id', zhao.project_id).update({ status: 'cancelled' });
  });
  afterAll(async () => {
    await close();
    await db.destroy();
  });

  const own = async (city: Awaited<ReturnType<typeof signIn>>, points: number) => {
    const res = await city
      .post('/api/credit-events')
      .send({ enterprise_id: zhao.enterprise_id, staff_id: zhao.id, category: 'daily_service', points: -points, occurred_on: today, description: `项目经理未履职（测试${++n}）`, status: 'final' });
    expect(res.status).toBe(201);
  };
  const standing = async (city: Awaited<ReturnType<typeof signIn>>) => (await city.get(`/api/credit/managers/${zhao.id}`)).body as { points: number; cap: number; suspension: { points: number } | null };

  it('suspends a manager at the cap from his own deductions and his project’s share, and keeps him off new projects until retrained and examined', async () => {
    const city = await signIn(app, 'city.staff');
    await own(city, 6);
    await own(city, 4);
    expect(await standing(city)).toMatchObject({ points: 10, cap: 12, suspension: null });
    // A project record whose item gives the manager half (B-PF-01, 业主投诉经查实): 3 points → 1.5 his, once final.
    const officer = ((await db('users').where('username', 'gusu.staff').first('id')) as { id: number }).id;
    const record = await db.transaction((trx) =>
      intakeRecord(trx, {
        source: 'complaint_system',
        sourceRef: `cap-${process.pid}`,
        itemCode: 'B-PF-01',
        enterpriseId: zhao.enterprise_id,
        projectId: zhao.project_id,
        points: 3,
        occurredOn: today,
        description: '投诉查实',
        evidence: [{ name: '调查笔录' }],
        recordedBy: officer,
      }),
    );
    expect((await standing(city)).points).toBe(10);
    await applyFinalCreditChange(db, { caseRef: `CAP-TEST-${process.pid}`, eventId: record.id, finalPoints: -3 });
    const suspended = await standing(city);
    expect(suspended).toMatchObject({ points: 11.5, suspension: null });
    await own(city, 1);
    expect(await standing(city)).toMatchObject({ points: 12.5, suspension: { points: 12.5 } });
    // Rechecking writes nothing new.
    await own(city, 1);
    expect(await db('credit_manager_suspensions').where('staff_id', zhao.id).count({ n: '*' }).first()).toEqual({ n: 1 });

    const person = (await city.get(`/api/staff/${zhao.id}`)).body as Record<string, unknown>;
    const named = await city.put(`/api/staff/${zhao.id}`).send({ ...person, project_id: otherProject });
    expect(named.status).toBe(403);
    expect(named.body.error.message).toContain('credit cap');

    const training = { staff_id: zhao.id, kind: 'training', title: '项目经理再培训', held_on: today, hours: 16, result: 'attended' };
    expect((await city.post('/api/trainings').send(training)).status).toBe(201);
    expect((await standing(city)).suspension).not.toBeNull();
    expect((await city.post('/api/trainings').send({ ...training, kind: 'exam', title: '项目经理岗位考核', score: 58, result: 'failed' })).status).toBe(201);
    expect((await standing(city)).suspension).not.toBeNull();
    expect((await city.post('/api/trainings').send({ ...training, kind: 'exam', title: '项目经理岗位补考', score: 86, result: 'passed' })).status).toBe(201);
    expect((await standing(city)).suspension).toBeNull();
    expect(await db('credit_manager_suspensions').where('staff_id', zhao.id).first('reinstated_on', 'training_id', 'exam_id')).toMatchObject({ training_id: expect.any(Number), exam_id: expect.any(Number) });

    const again = (await city.get(`/api/staff/${zhao.id}`)).body as Record<string, unknown>;
    expect((await city.put(`/api/staff/${zhao.id}`).send({ ...again, project_id: otherProject })).status).toBe(200);
    // Outside his enterprise's scope, his points are not to be read.
    expect((await (await signIn(app, 'hengtai.ent')).get(`/api/credit/managers/${zhao.id}`)).status).toBe(404);
  });
});
