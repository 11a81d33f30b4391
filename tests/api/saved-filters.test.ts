import type { Express } from 'express';
import type { Knex } from 'knex';
import { SAVED_FILTERS_PER_LIST } from '../../db/saved-filters';
import { signIn, testApp } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';
import { waitFor } from '../helpers/wait';

/** Saved filters: the owner's only, checked against the list's own schema, bounded per list. */
describe('saved filters', () => {
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

  it('keeps a user’s named filters of a list, replaces one saved again under its name, and deletes it', async () => {
    const gusu = await signIn(app, 'gusu.staff');
    const saved = await gusu.post('/api/saved-filters').send({ list: 'cases', name: '姑苏区不予', filter: { district_code: '320508', result: 'rejected' } });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ list_key: 'cases', name: '姑苏区不予', filter: { district_code: '320508', result: 'rejected' } });
    const again = await gusu.post('/api/saved-filters').send({ list: 'cases', name: '姑苏区不予', filter: { result: 'rejected', started_from: '2026-11-01' } });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(saved.body.id);
    await gusu
      .post('/api/saved-filters')
      .send({ list: 'inbox/todo', name: '超期', filter: { overdue: true } })
      .expect(201);
    const listed = await gusu.get('/api/saved-filters').query({ list: 'cases' });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([expect.objectContaining({ id: saved.body.id, filter: { result: 'rejected', started_from: '2026-11-01' } })]);
    expect((await gusu.delete(`/api/saved-filters/${saved.body.id}`)).status).toBe(200);
    expect((await gusu.get('/api/saved-filters').query({ list: 'cases' })).body).toEqual([]);
  });

  it('refuses a filter its list would not accept, naming the field', async () => {
    const gusu = await signIn(app, 'gusu.staff');
    const wrong = await gusu.post('/api/saved-filters').send({ list: 'cases', name: '坏的', filter: { result: 'maybe' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details).toEqual([expect.objectContaining({ field: 'body.filter.result' })]);
    const unknown = await gusu.post('/api/saved-filters').send({ list: 'cases', name: '坏的', filter: { password: 'x' } });
    expect(unknown.status).toBe(400);
    expect((await gusu.post('/api/saved-filters').send({ list: 'nope', name: 'x', filter: {} })).status).toBe(400);
    expect((await gusu.post('/api/saved-filters').send({ list: 'cases', name: '', filter: {} })).status).toBe(400);
    expect(await db('saved_filters').where('name', '坏的').count({ n: '*' }).first()).toEqual({ n: 0 });
  });

  it('never shows or deletes another user’s filter, and logs the attempt as denied', async () => {
    const gusu = await signIn(app, 'gusu.staff');
    const mine = await gusu.post('/api/saved-filters').send({ list: 'inbox/done', name: '本月', filter: { q: '备案' } });
    const other = await signIn(app, 'city.staff');
    expect((await other.get('/api/saved-filters').query({ list: 'inbox/done' })).body).toEqual([]);
    const denied = await other.delete(`/api/saved-filters/${mine.body.id}`);
    expect(denied.status).toBe(404);
    expect(await db('saved_filters').where('id', mine.body.id).first()).toBeTruthy();
    // The denial is logged by the safety net just after the answer.
    const logged = await waitFor('the denied delete in the log', async () => db('operation_log').where({ action: 'saved-filters.delete', result: 'denied' }).orderBy('id', 'desc').first(), { timeoutMs: 5_000, everyMs: 50 });
    expect(logged).toMatchObject({ username: 'city.staff', target_type: 'saved_filter', target_id: String(mine.body.id) });
    // A list the role may not open cannot hold its filters either.
    expect((await other.post('/api/saved-filters').send({ list: 'operation-logs', name: 'x', filter: {} })).status).toBe(403);
  });

  it(`keeps at most ${SAVED_FILTERS_PER_LIST} per list`, async () => {
    const ent = await signIn(app, 'dongwu.ent');
    for (let i = 0; i < SAVED_FILTERS_PER_LIST; i++)
      await ent
        .post('/api/saved-filters')
        .send({ list: 'inbox/started', name: `筛选${i}`, filter: { q: String(i) } })
        .expect(201);
    const over = await ent.post('/api/saved-filters').send({ list: 'inbox/started', name: '再一个', filter: {} });
    expect(over.status).toBe(409);
    // Saving one of the names again still replaces it.
    expect((await ent.post('/api/saved-filters').send({ list: 'inbox/started', name: '筛选0', filter: { q: 'x' } })).status).toBe(201);
  });
});
