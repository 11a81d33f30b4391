import ExcelJS from 'exceljs';
import type { Express } from 'express';
import type { Knex } from 'knex';
import type { LazyTemporalClient } from '../../lib/temporal/client';
import { normalisePhone } from '../../lib/sms/phone';
import { signIn, testApp } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';
import { startSmsHarness, type SmsHarness } from './harness';
import { waitFor } from '../helpers/wait';

/** The SMS API (M2–M5) over the real app, with the SMS worker carrying out the notices. */
describe('SMS API', () => {
  let db: Knex;
  let h: SmsHarness;
  let app: Express;
  let temporal: LazyTemporalClient;

  beforeAll(async () => {
    ({ db } = await freshTestDatabase());
    h = await startSmsHarness(db, { name: 'api' });
    ({ app, temporal } = testApp(db, { config: { SMS_TASK_QUEUE: h.smsQueue } }));
  });

  afterAll(async () => {
    await temporal?.close();
    await h?.stop();
    await db?.destroy();
  });

  const userId = async (username: string) => (await db('users').where('username', username).first('id')).id as number;
  const noticeDone = (id: number) =>
    waitFor(`notice ${id} done`, async () => {
      const n = await db('sms_notices').where('id', id).first();
      return n.status === 'done' ? n : null;
    });

  it('shows categories to everyone signed in, and lets only SMS managers change them', async () => {
    const owner = await signIn(app, 'public.zhang');
    const list = await owner.get('/api/sms/categories');
    expect(list.status).toBe(200);
    expect(list.headers['content-range']).toBe('sms/categories 0-4/5');
    expect(list.body.map((c: { code: string }) => c.code)).toEqual(['policy', 'credit', 'approval', 'inspection', 'emergency']);

    expect((await (await signIn(app, 'gusu.staff')).post('/api/sms/categories').send({ code: 'x', name: 'x' })).status).toBe(403);
    const staff = await signIn(app, 'city.staff');
    const bad = await staff.post('/api/sms/categories').send({ code: 'Bad Code', name: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['body.code', 'body.name']);
    const created = await staff.post('/api/sms/categories').send({ code: 'repair', name: '维修通知' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: 'repair', name: '维修通知', active: 1 });
    expect((await staff.post('/api/sms/categories').send({ code: 'repair', name: '重复' })).status).toBe(409);
    const renamed = await staff.put(`/api/sms/categories/${created.body.id}`).send({ code: 'repair', name: '维修与养护通知', active: false });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: '维修与养护通知', active: 0 });
    const logged = await db('operation_log').whereIn('action', ['sms.category_create', 'sms.category_update']).pluck('action');
    expect(logged).toEqual(expect.arrayContaining(['sms.category_create', 'sms.category_update']));
  });

  it('lets each user choose the categories they receive', async () => {
    const owner = await signIn(app, 'public.zhang');
    const ids = (await db('sms_categories').whereIn('code', ['policy', 'emergency']).orderBy('id').pluck('id')) as number[];
    const put = await owner.put('/api/sms/subscriptions/me').send({ categoryIds: ids });
    expect(put.status).toBe(200);
    expect(put.body.categoryIds).toEqual(ids);
    expect(put.body.categories.filter((c: { subscribed: boolean }) => c.subscribed).map((c: { code: string }) => c.code)).toEqual(['policy', 'emergency']);
    const narrowed = await owner.put('/api/sms/subscriptions/me').send({ categoryIds: [ids[1]] });
    expect(narrowed.body.categoryIds).toEqual([ids[1]]);
    expect((await owner.get('/api/sms/subscriptions/me')).body.categoryIds).toEqual([ids[1]]);

    const inactive = (await db('sms_categories').where('active', false).first('id')).id;
    const unknown = await owner.put('/api/sms/subscriptions/me').send({ categoryIds: [inactive, 9999] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details).toHaveLength(2);
    const malformed = await owner.put('/api/sms/subscriptions/me').send({ categoryIds: 'all' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details[0].field).toBe('body.categoryIds');
  });

  it('sends a category notice to every subscriber once, one SMS per phone, and counts it per modem and day', async () => {
    const category = (await db('sms_categories').where('code', 'credit').first('id')).id as number;
    const subscribers = ['city.leader', 'dongwu.ent', 'hengtai.ent', 'dongwu.pm', 'pingjiang.oc'];
    for (const username of subscribers) {
      const res = await (await signIn(app, username)).put('/api/sms/subscriptions/me').send({ categoryIds: [category] });
      expect(res.status).toBe(200);
    }
    // The project manager uses the enterprise account's phone (written the international way): one SMS.
    const shared = (await db('users').where('username', 'dongwu.ent').first('phone')).phone as string;
    await db('users')
      .where('username', 'dongwu.pm')
      .update({ phone: `+86${shared}` });

    const staff = await signIn(app, 'city.staff');
    const text = '【信用评价】贵单位本季度信用预扣2分，请于7日内登录平台查看并可提出申诉。';
    const res = await staff.post('/api/sms/notices').send({ text, target: { kind: 'category', categoryId: category } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'scheduled', target: { kind: 'category', categoryId: category }, district_code: null });
    const notice = await noticeDone(res.body.id);
    expect(notice).toMatchObject({ recipient_count: 4, sent_count: 4, failed_count: 0 });

    const phones = (await db('users').whereIn('username', subscribers).pluck('phone')) as string[];
    for (const phone of new Set(phones.map(normalisePhone))) {
      expect(h.sim.network.receivedBy(phone).map((m) => m.text)).toEqual([text]);
    }
  });

  it('shows the message log, statistics and modem health to those allowed', async () => {
    const leader = await signIn(app, 'city.leader');
    await waitFor('every notice message delivered', async () => {
      const open = await db('sms_messages').whereNotNull('notice_id').whereNot('status', 'delivered').first('id');
      return !open;
    });
    const log = await leader.get('/api/sms/messages').query({ filter: JSON.stringify({ status: 'delivered' }), range: JSON.stringify([0, 9]) });
    expect(log.status).toBe(200);
    expect(log.headers['content-range']).toBe('sms/messages 0-3/4');
    expect(log.body[0]).toMatchObject({ status: 'delivered', attempts: 1, part_count: 1 });
    const detail = await leader.get(`/api/sms/messages/${log.body[0].id}`);
    expect(detail.body.attempts).toEqual([expect.objectContaining({ status: 'succeeded', parts: [expect.objectContaining({ state: 'delivered', report_status: 0 })] })]);

    const stats = await leader.get('/api/sms/stats');
    expect(stats.status).toBe(200);
    expect(stats.body.totals).toMatchObject({ sent: 4, delivered: 4, failed: 0, inbound: 0 });
    const modems = new Set(stats.body.rows.map((r: { modem_imei: string }) => r.modem_imei));
    expect([...modems].every((imei) => h.sim.modems.some((m) => m.imei === imei))).toBe(true);
    const badRange = await leader.get('/api/sms/stats').query({ from: '2026-05-02', to: '2026-05-01' });
    expect(badRange.status).toBe(400);
    expect(badRange.body.error.details[0].field).toBe('query.from');

    const health = await leader.get('/api/sms/modems');
    expect(health.body).toHaveLength(3);
    expect(health.body.every((m: { status: string }) => m.status === 'ready')).toBe(true);

    for (const username of ['gusu.staff', 'dongwu.ent', 'public.zhang']) {
      expect((await (await signIn(app, username)).get('/api/sms/messages')).status).toBe(403);
    }

    // The log as a ledger: the same filter, numbers masked; clear only with pii:export, and logged.
    const ledger = async (agent: Awaited<ReturnType<typeof signIn>>, personal?: string) => {
      const res = await agent
        .get('/api/sms/messages/export')
        .query({ filter: JSON.stringify({ status: 'delivered' }), ...(personal ? { personal } : {}) })
        .buffer(true)
        .parse((r, done) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => done(null, Buffer.concat(chunks)));
        });
      if (res.status !== 200) return { status: res.status, phones: [] as string[], statuses: [] as string[] };
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(res.body as ArrayBuffer);
      const sheet = workbook.worksheets[0]!;
      const rows = Array.from({ length: sheet.rowCount - 1 }, (_, i) => sheet.getRow(i + 2));
      return { status: res.status, phones: rows.map((r) => String(r.getCell(2).value)), statuses: rows.map((r) => String(r.getCell(4).value)) };
    };
    const masked = await ledger(leader);
    expect(masked.status).toBe(200);
    expect(masked.statuses).toEqual(['已送达', '已送达', '已送达', '已送达']);
    expect(masked.phones.every((p) => /^\d{3}\*{4}\d{4}$/.test(p))).toBe(true);
    expect((await ledger(leader, 'clear')).status).toBe(403);
    const clear = await ledger(await signIn(app, 'city.staff'), 'clear');
    expect(clear.status).toBe(200);
    expect(clear.phones.every((p) => /^\+?\d{11,}$/.test(p.replace(/\s/g, '')))).toBe(true);
    const logged = await db('operation_log').where({ action: 'sms.messages_export', result: 'ok' }).orderBy('id', 'desc').first();
    expect(typeof logged.detail === 'string' ? JSON.parse(logged.detail) : logged.detail).toMatchObject({ filter: { status: 'delivered', personal: 'clear' }, rows: 4 });
  });

  it('keeps a district user’s notice within the district', async () => {
    const gusu = await signIn(app, 'gusu.staff');
    const res = await gusu.post('/api/sms/notices').send({ text: '姑苏区物业企业：本周五前报送消防设施自查表。', target: { kind: 'role', role: 'enterprise' } });
    expect(res.status).toBe(201);
    expect(res.body.district_code).toBe('320508');
    await noticeDone(res.body.id);
    const reached = await db('sms_messages').where('notice_id', res.body.id).pluck('user_id');
    expect(reached).toEqual([await userId('dongwu.ent')]); // not hengtai.ent, whose company is in the park
    const outside = await db('organisations').where('code', 'ENT-91320576MA1HENGTAI').first('id');
    const denied = await gusu.post('/api/sms/notices').send({ text: '测试', target: { kind: 'organisation', organisationId: outside.id } });
    expect(denied.status).toBe(403);
    // The district sees its own notices only.
    const mine = await gusu.get('/api/sms/notices');
    expect(mine.body.map((n: { id: number }) => n.id)).toEqual([res.body.id]);
  });

  it('schedules a notice for later and cancels it before it goes out', async () => {
    const staff = await signIn(app, 'city.staff');
    const sendAt = new Date(Date.now() + 3_600_000).toISOString();
    const res = await staff.post('/api/sms/notices').send({ text: '明晚20时起小区停电检修。', target: { kind: 'users', userIds: [await userId('public.zhang')] }, sendAt });
    expect(res.status).toBe(201);
    expect(new Date(res.body.send_at).toISOString()).toBe(sendAt);
    const cancel = await staff.post(`/api/sms/notices/${res.body.id}/cancel`);
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe('cancelled');
    const result = await (await temporal.get()).workflow.getHandle(res.body.workflow_id).result();
    expect(result).toEqual({ status: 'cancelled', sent: 0, failed: 0 });
    expect(await db('sms_messages').where('notice_id', res.body.id).first()).toBeUndefined();
    expect((await staff.post(`/api/sms/notices/${res.body.id}/cancel`)).status).toBe(409);
  });

  it('rejects bad notices with the field and the reason', async () => {
    const staff = await signIn(app, 'city.staff');
    const bad = await staff.post('/api/sms/notices').send({ text: '', target: { kind: 'everyone' }, sendAt: '2020-01-01T00:00:00Z' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['body.sendAt', 'body.target.kind', 'body.text']);
    const tooLong = await staff.post('/api/sms/notices').send({ text: '长'.repeat(700), target: { kind: 'users', userIds: [1] } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.details[0].field).toBe('body.text');
    const inactive = (await db('sms_categories').where('active', false).first('id')).id;
    expect((await staff.post('/api/sms/notices').send({ text: 'x', target: { kind: 'category', categoryId: inactive } })).status).toBe(422);
    expect((await (await signIn(app, 'dongwu.ent')).post('/api/sms/notices').send({ text: 'x', target: { kind: 'users', userIds: [1] } })).status).toBe(403);
  });
});
