import request from 'supertest';
import { rateCycle } from '../../db/credit/ratings';
import { beijingToday } from '../../lib/credit/days';
import { waitFor } from '../helpers/wait';
import { decide, historyOf, openTaskAt, recordHistory, startPlatform, waitForEnd, type Platform } from './harness';

/**
 * 信用评定结果公示 (C5, docs/credit.md) on the real engine: last year rated, its publication
 * started by the city, reviewed and approved, in publicity (the public sees the lists), then
 * published; nothing is public before the leader approved it, and a year is published once.
 */
describe('credit rating publication', () => {
  let p: Platform;
  const last = Number(beijingToday().slice(0, 4)) - 1;

  beforeAll(async () => {
    p = await startPlatform('credit-publication');
    await rateCycle(p.db, last);
  });
  afterAll(async () => {
    await p?.stop();
  });

  const publicRating = () => request(p.app).get(`/api/public/credit/ratings/${last}`);

  it('takes a rated year through review, approval and publicity to publication', async () => {
    expect((await publicRating()).status).toBe(404);
    expect((await (await p.as('dongwu.ent')).post(`/api/credit/publications/${last}`).send({})).status).toBe(403);
    const started = await (await p.as('city.staff')).post(`/api/credit/publications/${last}`).send({});
    expect(started.status).toBe(201);
    const caseId = started.body.caseId as number;
    expect((await (await p.as('city.staff')).post(`/api/credit/publications/${last}`).send({})).status).toBe(409);

    await decide(p, caseId, 'bureauReview', 'city.staff', { outcome: 'approve', comment: '评定结果核对无误' });
    // Still the bureau's until the leader approves.
    expect((await publicRating()).status).toBe(404);
    await decide(p, caseId, 'leaderApproval', 'city.leader', { outcome: 'approve', comment: '同意公示' });
    const inPublicity = await waitFor('the publicity', async () => {
      const res = await publicRating();
      return res.status === 200 ? res.body : null;
    });
    expect(inPublicity).toMatchObject({ year: last, status: 'publicity', publicityFrom: beijingToday() });
    const rated = (await p.db('credit_annual_ratings').where({ subject_type: 'enterprise', year: last, grade: 'AAA' }).count({ n: '*' }).first()) as { n: number | string };
    expect(inPublicity.red).toHaveLength(Number(rated.n));
    expect(inPublicity.red.every((r: { grade: string }) => r.grade === 'AAA')).toBe(true);
    expect(inPublicity.black.every((r: { grade: string }) => r.grade === 'C')).toBe(true);
    // The seven days of publicity are not waited for here: the administrator's move stands in for the timer.
    await waitFor('the publicity step to be recorded', async () => (await historyOf(p.db, caseId)).some((h) => h.node_id === 'openPublicity') || null);
    expect((await (await p.as('admin')).post(`/api/cases/${caseId}/move`).send({ toNodeId: 'objections', comment: '测试：公示期满' })).status).toBe(200);
    await openTaskAt(p.db, caseId, 'objections');
    await decide(p, caseId, 'objections', 'city.staff', { outcome: 'approve', comment: '公示期内无异议' });
    expect((await waitForEnd(p.db, caseId)).result).toBe('approved');
    const published = await publicRating();
    expect(published.body).toMatchObject({ status: 'published', publishedOn: beijingToday() });
    expect((await (await p.as('city.staff')).get(`/api/credit/publications/${last}`)).body).toMatchObject({ status: 'published', caseId });
    expect((await (await p.as('city.staff')).post(`/api/credit/publications/${last}`).send({})).status).toBe(409);
    await recordHistory(p, 'credit-publication', ((await p.db('cases').where('id', caseId).first('workflow_id')) as { workflow_id: string }).workflow_id, 'published');
  });
});
