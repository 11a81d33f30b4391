import type { Express } from 'express';
import type { Knex } from 'knex';
import type TestAgent from 'supertest/lib/agent';
import { publishShippedProcesses } from '../../lib/processes/shipped';
import { signIn, testApp } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';
import { waitFor } from '../helpers/wait';

/**
 * Process lifecycle (docs/process-engine.md, "Process lifecycle"): a process the designer
 * publishes is a draft, offered to nobody and refused at start, until a system administrator
 * enables it; disabling takes it out of use again; the shipped processes are enabled; only a
 * publisher changes status and category, each change and each refusal in the operation log.
 */
const KEY = 'lifecycle-filing';
const XML = (taskName: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${KEY}" name="生命周期测试备案" isExecutable="true">
    <bpmn:extensionElements><zeebe:properties><zeebe:property name="starterRoles" value="enterprise" /></zeebe:properties></bpmn:extensionElements>
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="review" name="${taskName}"><bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="city_staff" /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>`;

describe('process lifecycle', () => {
  let db: Knex;
  let app: Express;
  let close: () => Promise<void>;
  let admin: TestAgent;
  let applicant: TestAgent;

  beforeAll(async () => {
    ({ db } = await freshTestDatabase());
    // A queue of this file's own: the cases started here wait there, picked up by no other file's worker.
    const t = testApp(db, { config: { APPROVALS_TASK_QUEUE: `lifecycle-${process.pid}-${Date.now()}` } });
    app = t.app;
    close = () => t.temporal.close();
    await publishShippedProcesses(db);
    admin = await signIn(app, 'admin');
    applicant = await signIn(app, 'dongwu.ent');
  });
  afterAll(async () => {
    await close();
    await db.destroy();
  });

  const startableKeys = async () => ((await applicant.get('/api/processes/startable')).body as Array<{ key: string }>).map((p) => p.key);
  const start = () => applicant.post('/api/cases').send({ processKey: KEY, formData: {} });
  const listed = async (filter: Record<string, string>) =>
    ((await admin.get(`/api/processes?filter=${encodeURIComponent(JSON.stringify(filter))}`)).body as Array<{ process_key: string; status: string; category: string | null }>).map((p) => p.process_key);

  it('enables the shipped processes, each with its category', async () => {
    const rows = (await admin.get('/api/processes')).body as Array<{ process_key: string; status: string; category: string | null }>;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.status === 'enabled')).toBe(true);
    expect(rows.find((r) => r.process_key === 'qualification')).toMatchObject({ category: 'qualification' });
    expect(rows.find((r) => r.process_key === 'contract-filing')).toMatchObject({ category: 'filing' });
    expect(await startableKeys()).toContain('contract-filing');
  });

  it('keeps a newly published process a draft: not offered and not startable', async () => {
    const published = await admin.post('/api/processes').send({ xml: XML('审核') });
    expect(published.status).toBe(201);
    expect(published.body).toMatchObject({ processKey: KEY, version: 1, status: 'draft' });
    expect((await admin.get(`/api/processes/${KEY}`)).body).toMatchObject({ status: 'draft', category: null });
    expect(await startableKeys()).not.toContain(KEY);
    const refused = await start();
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'process_not_enabled', details: [{ field: 'body.processKey', reason: 'is draft' }] });
    expect(await db('cases').where('process_key', KEY).count({ n: '*' }).first()).toMatchObject({ n: 0 });
    expect(await listed({ status: 'draft' })).toEqual([KEY]);
  });

  it('offers an enabled process and starts it; a new version keeps the status; disabling hides it again', async () => {
    const enabled = await admin.put(`/api/processes/${KEY}/settings`).send({ status: 'enabled', category: 'filing' });
    expect(enabled.status).toBe(200);
    expect(enabled.body).toEqual({ processKey: KEY, status: 'enabled', category: 'filing' });
    const log = await db('operation_log').where({ action: 'processes.settings', target_id: KEY }).orderBy('id', 'desc').first();
    expect(log).toMatchObject({ username: 'admin', result: 'ok', target_type: 'process' });
    expect(typeof log.detail === 'string' ? JSON.parse(log.detail) : log.detail).toEqual({ before: { status: 'draft', category: null }, after: { status: 'enabled', category: 'filing' } });

    const offered = ((await applicant.get('/api/processes/startable')).body as Array<{ key: string; category: string }>).find((p) => p.key === KEY);
    expect(offered).toMatchObject({ category: 'filing' });
    expect((await start()).status).toBe(201);
    expect(await listed({ status: 'enabled', category: 'filing' })).toEqual(expect.arrayContaining([KEY, 'contract-filing', 'committee-filing']));
    expect((await listed({ category: 'credit' })).sort()).toEqual(['credit-appeal', 'credit-deduction', 'credit-publication']);

    // Publishing again (the designer's next version) keeps the process in use.
    const v2 = await admin.post('/api/processes').send({ xml: XML('复核') });
    expect(v2.body).toMatchObject({ version: 2, status: 'enabled' });

    expect((await admin.put(`/api/processes/${KEY}/settings`).send({ status: 'disabled' })).body).toMatchObject({ status: 'disabled', category: 'filing' });
    expect(await startableKeys()).not.toContain(KEY);
    const refused = await start();
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/disabled/);
  });

  it('refuses bad settings with the field and the reason', async () => {
    const url = `/api/processes/${KEY}/settings`;
    const badStatus = await admin.put(url).send({ status: 'published' });
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.details).toEqual([{ field: 'body.status', reason: expect.stringContaining('draft, enabled, disabled') }]);
    const badCategory = await admin.put(url).send({ category: '备案类' });
    expect(badCategory.status).toBe(400);
    expect(badCategory.body.error.details[0].field).toBe('body.category');
    // Starter roles belong to the diagram (the designer publishes them as a version), not here.
    const starters = await admin.put(url).send({ starterRoles: ['public'] });
    expect(starters.status).toBe(400);
    expect(starters.body.error.details[0]).toMatchObject({ field: 'body', reason: expect.stringContaining('starterRoles') });
    expect((await admin.put(url).send({})).status).toBe(400);
    expect((await admin.put('/api/processes/no-such-process/settings').send({ status: 'enabled' })).status).toBe(404);
    expect((await admin.get(`/api/processes?filter=${encodeURIComponent(JSON.stringify({ status: 'gone' }))}`)).status).toBe(400);
  });

  it('lets only a publisher change them, and logs the refusal', async () => {
    const staff = await signIn(app, 'city.staff');
    // The bureau's staff read processes but do not publish them.
    expect((await staff.get(`/api/processes/${KEY}`)).status).toBe(200);
    const refused = await staff.put(`/api/processes/${KEY}/settings`).send({ status: 'enabled' });
    expect(refused.status).toBe(403);
    const denied = await waitFor('the denied attempt in the log', () =>
      db('operation_log')
        .where({ username: 'city.staff', method: 'PUT', path: `/api/processes/${KEY}/settings`, result: 'denied' })
        .first('status', 'role', 'action'),
    );
    expect(denied).toMatchObject({ status: 403, role: 'city_staff', action: 'processes.settings' });
    expect((await admin.get(`/api/processes/${KEY}`)).body.status).toBe('disabled');
  });
});
