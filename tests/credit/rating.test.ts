import { ratingRun, rateCycle } from '../../db/credit/ratings';
import { refreshScores, scoresAt } from '../../db/credit/scores';
import { beijingToday } from '../../lib/credit/days';
import { ensureCreditRatingSchedule } from '../../lib/credit/schedule';
import { startEngine, type Engine } from '../engine/harness';
import { waitFor } from '../helpers/wait';

/**
 * The annual rating (docs/credit.md, "The annual rating") on the demo database and a real
 * Temporal server: last year's cycle rated with hand-computed figures, the running score reset
 * for this year, a run repeated without doubling anything, and the year-end Schedule running it.
 */
describe('the annual credit rating', () => {
  let e: Engine;
  let dongwu: number;
  const today = beijingToday();
  const year = Number(today.slice(0, 4));
  const last = year - 1;
  const scheduleId = `credit-annual-rating-test-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    e = await startEngine();
    dongwu = (await e.db('organisations').where('code', 'ENT-91320508MA1DONGWU').first('id')).id;
    // 东吴's records are this test's: last year a deduction of 5 and praise of 3, this year a deduction of 2.
    await e.db('credit_events').where('enterprise_id', dongwu).update({ status: 'cancelled' });
    const row = (points: number, occurredOn: string, validUntil: string, tag: string) => ({
      enterprise_id: dongwu,
      district_code: '320508',
      category: points < 0 ? 'complaint' : 'praise',
      points,
      source: 'manual',
      source_ref: `rating-${tag}-${process.pid}`,
      occurred_on: occurredOn,
      valid_until: validUntil,
      description: `年度评定测试 ${tag}`,
      status: 'final',
    });
    await e.db('credit_events').insert([row(-5, `${last}-03-01`, `${year}-02-28`, 'a'), row(3, `${last}-06-01`, `${year}-05-31`, 'b'), row(-2, `${year}-01-10`, `${year + 1}-01-09`, 'c')]);
  });
  afterAll(async () => {
    const client = await e?.temporal.get();
    await client?.schedule
      .getHandle(scheduleId)
      .delete()
      .catch(() => undefined);
    await e?.stop();
  });

  it('rates last year’s cycle for every enterprise, resets the running score, and doubles nothing when run again', async () => {
    const first = await rateCycle(e.db, last);
    const enterprises = Number(((await e.db('enterprises').where('kind', 'property_service').count({ n: '*' }).first()) as { n: number | string }).n);
    expect(first).toMatchObject({ year: last, ratedOn: `${last}-12-31`, enterprises, reset: true });
    // 80 + 3 − 5 = 78: grade A, archived with the cycle's running score.
    expect(await e.db('credit_annual_ratings').where({ subject_type: 'enterprise', subject_id: dongwu, year: last }).first('score', 'grade', 'records')).toEqual({ score: '78.00', grade: 'A', records: 2 });
    expect(await e.db('credit_scores').where({ subject_type: 'enterprise', subject_id: dongwu, year: last }).first('score')).toEqual({ score: '78.00' });
    // This year starts again from the base: only this year's deduction counts (80 − 2).
    expect(await e.db('credit_scores').where({ subject_type: 'enterprise', subject_id: dongwu, year }).first('score')).toEqual({ score: '78.00' });
    expect((await scoresAt(e.db, 'enterprise', [dongwu], today)).get(dongwu)!.counted).toHaveLength(1);

    const rows = async () => Number(((await e.db('credit_annual_ratings').where('year', last).count({ n: '*' }).first()) as { n: number | string }).n);
    const before = await rows();
    expect(before).toBe(first.enterprises + first.staff);
    const again = await rateCycle(e.db, last);
    expect(again).toEqual(first);
    expect(await rows()).toBe(before);
    expect(await ratingRun(e.db, last)).toMatchObject({ year: last, enterprises, runs: 2, grades: first.grades });
    // The cycle in progress cannot be rated yet.
    await expect(rateCycle(e.db, year)).rejects.toThrow(/can be rated from the day after/);
  });

  it('is a Temporal Schedule at the year’s end whose run rates the cycle that just ended', async () => {
    const client = await e.temporal.get();
    const opts = { timezone: 'Asia/Shanghai', taskQueue: e.taskQueue, scheduleId };
    expect(await ensureCreditRatingSchedule(client, { ...opts, cron: '30 1 1 1 *' })).toBe('created');
    expect(await ensureCreditRatingSchedule(client, { ...opts, cron: '30 1 1 1 *' })).toBe('updated');
    const schedule = client.schedule.getHandle(scheduleId);
    expect((await schedule.describe()).action).toMatchObject({ workflowType: 'creditRatingWorkflow', taskQueue: e.taskQueue });
    const runsBefore = (await ratingRun(e.db, last))?.runs ?? 0;
    // A record changed since the last rating: the scheduled run takes it into the archive.
    await e.db('credit_events').where('source_ref', `rating-b-${process.pid}`).update({ status: 'cancelled' });
    await refreshScores(e.db, { enterpriseIds: [dongwu], staffIds: [] });
    await schedule.trigger();
    const workflowId = await waitFor('the scheduled rating to start', async () => (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId);
    const result = (await client.workflow.getHandle(workflowId).result()) as { year: number; enterprises: number };
    expect(result.year).toBe(last);
    expect(await e.db('credit_annual_ratings').where({ subject_type: 'enterprise', subject_id: dongwu, year: last }).first('score', 'grade')).toEqual({ score: '75.00', grade: 'A' });
    expect((await ratingRun(e.db, last))!.runs).toBe(runsBefore + 1);
    expect(await ensureCreditRatingSchedule(client, { ...opts, cron: 'off' })).toBe('deleted');
  });

  it('is run again for a year by the city from the API, and read by the bureau', async () => {
    const city = await e.as('city.staff');
    const runsBefore = (await ratingRun(e.db, last))!.runs;
    const started = await city.post(`/api/credit/ratings/${last}`).send({});
    expect(started.status).toBe(202);
    await (await e.temporal.get()).workflow.getHandle(started.body.workflowId).result();
    const read = await (await e.as('gusu.staff')).get(`/api/credit/ratings/${last}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ year: last, runs: runsBefore + 1 });
    expect((await (await e.as('gusu.staff')).post(`/api/credit/ratings/${last}`).send({})).status).toBe(403);
    const early = await city.post(`/api/credit/ratings/${year}`).send({});
    expect(early.status).toBe(422);
    expect(early.body.error.details[0].field).toBe('params.year');
    expect((await city.get(`/api/credit/ratings/${year + 50}`)).status).toBe(404);
  });

  it('recomputes every running score on demand, writing what the records give', async () => {
    await e.db('credit_scores').where({ subject_type: 'enterprise', subject_id: dongwu, year }).update({ score: 1, grade: 'C' });
    const started = await (await e.as('city.staff')).post('/api/credit/scores/recompute').send({});
    expect(started.status).toBe(202);
    const done = (await (await e.temporal.get()).workflow.getHandle(started.body.workflowId).result()) as { enterprises: number };
    expect(done.enterprises).toBeGreaterThan(0);
    expect(await e.db('credit_scores').where({ subject_type: 'enterprise', subject_id: dongwu, year }).first('score', 'grade')).toEqual({ score: '78.00', grade: 'A' });
    expect((await (await e.as('gusu.staff')).post('/api/credit/scores/recompute').send({})).status).toBe(403);
  });
});
