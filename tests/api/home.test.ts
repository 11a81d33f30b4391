import type { Express } from 'express';
import type { Knex } from 'knex';
import { insertMessageOnce } from '../../db/sms/messages';
import { signIn, testApp } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';

/** 工作台's figures: the scope's cases in progress by process, and the caller's own texts. */
describe('home figures', () => {
  let db: Knex;
  let app: Express;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db } = await freshTestDatabase());
    const t = testApp(db);
    app = t.app;
    close = () => t.temporal.close();
    const org = (await db('organisations').where('code', 'ENT-91320508MA1DONGWU').first('id')) as { id: number };
    const starter = (await db('users').where('username', 'dongwu.ent').first('id')) as { id: number };
    if (!(await db('processes').where('process_key', 'qualification').first())) await db('processes').insert({ process_key: 'qualification', name: '物业服务企业资质核定', status: 'enabled', updated_at: new Date() });
    const rows = [
      ['320508', 'qualification', 'running'],
      ['320508', 'qualification', 'supplement'],
      ['320508', 'contract-filing', 'running'],
      ['320508', 'contract-filing', 'completed'],
      ['320505', 'qualification', 'running'],
      ['320505', 'qualification', 'incident'],
    ];
    await db('cases').insert(
      rows.map(([district, processKey, status], i) => ({
        number: `HOME-${i}`,
        workflow_id: `home-${i}`,
        process_key: processKey,
        process_version: 1,
        title: `工作台测试${i}`,
        status,
        applicant_organisation_id: org.id,
        district_code: district,
        started_by: starter.id,
        check_code: 'ABCDEF',
        started_at: new Date(),
        updated_at: new Date(),
      })),
    );
  });
  afterAll(async () => {
    await close();
    await db.destroy();
  });

  const byKey = (rows: Array<{ process_key: string }>) => Object.fromEntries(rows.map((r) => [r.process_key, r]));

  it('counts the cases in progress in the caller’s scope by process, with the process’s name', async () => {
    const district = await (await signIn(app, 'gusu.staff')).get('/api/home/backlog');
    expect(district.status).toBe(200);
    expect(district.body.complete).toBe(true);
    expect(byKey(district.body.rows)).toEqual({
      qualification: expect.objectContaining({ open: 2, supplement: 1, incident: 0, process_name: expect.stringMatching(/资质/) }),
      'contract-filing': expect.objectContaining({ open: 1, supplement: 0 }),
    });
    const city = await (await signIn(app, 'city.staff')).get('/api/home/backlog');
    expect(byKey(city.body.rows).qualification).toMatchObject({ open: 4, incident: 1 });
    // The public has no scope: no figures at all.
    expect((await (await signIn(app, 'public.zhang')).get('/api/home/backlog')).body.rows).toEqual([]);
  });

  it('lists the caller’s own latest texts, newest first, and nobody else’s', async () => {
    const gusu = (await db('users').where('username', 'gusu.staff').first('id')) as { id: number };
    const other = (await db('users').where('username', 'city.staff').first('id')) as { id: number };
    for (const [i, userId] of [gusu.id, other.id, gusu.id].entries())
      await insertMessageOnce(db, { idempotencyKey: `home-${i}`, phone: '13800000000', text: `通知${i}`, encoding: 'ucs2', partCount: 1, userId, noticeId: null, topicId: null, sendAt: null });
    const mine = await (await signIn(app, 'gusu.staff')).get('/api/home/messages');
    expect(mine.status).toBe(200);
    expect(mine.body.map((m: { text: string }) => m.text)).toEqual(['通知2', '通知0']);
  });
});
