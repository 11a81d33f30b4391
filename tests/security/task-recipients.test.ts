import { WorkflowUpdateFailedError } from '@temporalio/client';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { publishShippedProcesses } from '../../lib/processes/shipped';
import { taskCommandUpdate, type UserRef } from '../../workflows/case/contract';
import { testApp } from '../helpers/api';
import { bpmn, flow, openTaskAt, publish, startCase, startEngine, userId, userTask, type Engine } from '../engine/harness';

/**
 * Separation of duties (findings 2, 3, 7): a task goes only to someone who could hold it, a copy
 * only to those who may read the case — refused by the API and, for a direct workflow update,
 * by the workflow's validator; reminders (each an SMS) and guesses are rate-limited.
 */
describe('who may receive a task or a copy, and the per-target limits', () => {
  let engine: Engine;
  let ent: TestAgent;
  let gusu: TestAgent;
  let caseId: number;
  let taskId: number;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    engine = await startEngine({ sms: true });
    await publishShippedProcesses(engine.db);
    for (const u of ['dongwu.ent', 'dongwu.pm', 'hengtai.ent', 'sip.staff', 'public.zhang', 'expert.li', 'city.staff', 'city.leader', 'gusu.staff', 'pingjiang.street']) ids[u] = await userId(engine.db, u);
    ent = await engine.as('dongwu.ent');
    gusu = await engine.as('gusu.staff');
    const c = await startCase(ent, 'sample-approval', { area: 80 });
    caseId = c.id;
    [{ id: taskId }] = await openTaskAt(engine.db, caseId, 'districtReview');
    expect((await gusu.post(`/api/tasks/${taskId}/claim`).send({})).status).toBe(200);
  });
  afterAll(() => engine.stop());

  const WRONG_TASK_RECIPIENTS = [
    ['dongwu.ent', /started this case/],
    ['dongwu.pm', /applicant organisation/],
    ['hengtai.ent', /could not hold this task/],
    ['sip.staff', /could not hold this task/],
    ['public.zhang', /could not hold this task/],
    ['expert.li', /could not hold this task/],
  ] as const;

  it.each(['transfer', 'delegate', 'add-signer'])('%s refuses the applicant, its organisation, another enterprise, another district, the public and experts', async (action) => {
    const matrix: string[] = [];
    for (const [username, reason] of WRONG_TASK_RECIPIENTS) {
      const res = await gusu.post(`/api/tasks/${taskId}/${action}`).send({ to: ids[username] });
      matrix.push(`${action} → ${username}: ${res.status}`);
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'invalid_recipient', details: [{ field: 'body.to', reason: expect.stringMatching(reason) }] });
    }
    console.log(matrix.join('\n'));
    // Nothing moved: gusu still holds the task alone.
    expect(await engine.db('case_tasks').where('case_id', caseId).where('status', 'open').select('assignee_id')).toEqual([{ assignee_id: ids['gusu.staff'] }]);
  });

  it('copies only to staff whose area covers the case and to the applicant organisation', async () => {
    for (const username of ['hengtai.ent', 'sip.staff', 'public.zhang', 'expert.li']) {
      const res = await gusu.post(`/api/tasks/${taskId}/copy`).send({ to: [ids['city.leader'], ids[username]] });
      expect(res.status).toBe(422);
      expect(res.body.error.details).toEqual([{ field: 'body.to.1', reason: expect.stringMatching(/may not read this case/) }]);
    }
    expect(await engine.db('case_copies').where('case_id', caseId).count({ n: '*' }).first()).toEqual({ n: 0 });
    const hengtai = await engine.as('hengtai.ent');
    expect((await hengtai.get(`/api/cases/${caseId}`)).status).toBe(404);
    expect((await gusu.post(`/api/tasks/${taskId}/copy`).send({ to: [ids['dongwu.pm'], ids['pingjiang.street'], ids['city.leader']] })).status).toBe(200);
  });

  it('the workflow validator refuses a wrong recipient sent straight to the workflow', async () => {
    const wf = (await engine.db('cases').where('id', caseId).first('workflow_id')).workflow_id as string;
    const task = (await engine.db('case_tasks').where('id', taskId).first('task_key')).task_key as string;
    const handle = (await engine.temporal.get()).workflow.getHandle(wf);
    const actor = { userId: ids['gusu.staff'], username: 'gusu.staff', displayName: '陈志强', role: 'district_staff' };
    const dongwuOrg = (await engine.db('users').where('id', ids['dongwu.ent']).first('organisation_id')).organisation_id as number;
    const applicant: UserRef = { userId: ids['dongwu.ent'], username: 'dongwu.ent', displayName: '孙伟', role: 'enterprise', organisationId: dongwuOrg, districtCode: '320508', streetCode: null };
    const refused = async (command: unknown) => {
      const err = await handle.executeUpdate(taskCommandUpdate, { args: [command as never] }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      return String((err as WorkflowUpdateFailedError).cause?.message);
    };
    expect(await refused({ kind: 'transfer', taskKey: task, actor, to: applicant })).toMatch(/started this case/);
    expect(await refused({ kind: 'copy', taskKey: task, actor, to: [{ ...applicant, userId: ids['hengtai.ent'], organisationId: 999 }] })).toMatch(/may not read this case/);
    // A recipient without role and organisation (an update shaped before the rule) is refused too.
    expect(await refused({ kind: 'delegate', taskKey: task, actor, to: { userId: ids['city.staff'], username: 'city.staff', displayName: '王建国' } })).toMatch(/role and organisation are required/);
    expect(await engine.db('case_tasks').where('id', taskId).first('assignee_id')).toEqual({ assignee_id: ids['gusu.staff'] });
  });

  it('lets only the roles a process names start it; a process naming none is for staff only', async () => {
    const pub = await engine.as('public.zhang');
    const refused = await pub.post('/api/cases').send({ processKey: 'sample-approval', formData: { area: 10 } });
    expect(refused.status).toBe(403);
    expect((await pub.get('/api/processes/startable')).body.map((p: { key: string }) => p.key)).not.toContain('sample-approval');
    // A process without starterRoles: staff may start it, an enterprise and the public may not.
    await publish(engine.db, bpmn('t-no-starters', `<bpmn:startEvent id="s"/>${userTask('t', 'candidateGroups="district_staff"')}<bpmn:endEvent id="e"/>${flow('f1', 's', 't')}${flow('f2', 't', 'e')}`));
    expect((await pub.post('/api/cases').send({ processKey: 't-no-starters' })).status).toBe(403);
    expect((await ent.post('/api/cases').send({ processKey: 't-no-starters' })).status).toBe(403);
    const byStaff = await gusu.post('/api/cases').send({ processKey: 't-no-starters' });
    expect(byStaff.status).toBe(201);
    expect((await ent.get('/api/processes/startable')).body.map((p: { key: string }) => p.key)).toEqual(expect.arrayContaining(['sample-approval']));
  });

  it('limits reminders per task, sign-in failures per name and per address, and public look-ups per case and per address (429 with Retry-After)', async () => {
    const { app: limited, temporal } = testApp(engine.db, { config: { RATE_LIMITS: 'on', APPROVALS_TASK_QUEUE: engine.taskQueue, CASE_SMS_TASK_QUEUE: `${engine.taskQueue}-sms` } });
    try {
      const cookie = String((await request(limited).post('/api/auth/login').send({ username: 'dongwu.ent', password: 'Demo@2026' })).headers['set-cookie'][0]).split(';')[0];
      const remind = () => request(limited).post(`/api/tasks/${taskId}/remind`).set('Cookie', cookie).send({ comment: '请尽快' });
      const reminders = await Promise.all(Array.from({ length: 6 }, () => remind()));
      const statuses = reminders.map((r) => r.status).sort();
      if (!statuses.includes(200)) console.log(reminders.map((r) => `${r.status} ${JSON.stringify(r.body)}`).join('\n'));
      expect(statuses.filter((s) => s === 200).length).toBe(1);
      expect(statuses.filter((s) => s === 429).length).toBe(5);
      const blocked = reminders.find((r) => r.status === 429)!;
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      expect(blocked.body.error).toMatchObject({ code: 'rate_limited', details: [{ field: 'remind-task' }] });
      const texts = engine.smsSent.filter((m) => m.text.includes('催办'));
      expect(texts.length).toBe(1);

      const login = (username: string) => request(limited).post('/api/auth/login').send({ username, password: 'Wrong-password-1' });
      const forName: number[] = [];
      for (let i = 0; i < 11; i++) forName.push((await login('ghost.user')).status);
      expect(forName.slice(0, 10).every((s) => s === 401)).toBe(true);
      expect(forName[10]).toBe(429);
      let byAddress: request.Response | null = null;
      for (let i = 0; i < 25 && !byAddress; i++) {
        const res = await login(`ghost-${i}`);
        if (res.status === 429) byAddress = res;
      }
      expect(byAddress?.body.error.details[0].field).toBe('login-ip');
      expect(Number(byAddress?.headers['retry-after'])).toBeGreaterThan(0);

      const c = (await engine.db('cases').where('id', caseId).first('number', 'check_code')) as { number: string; check_code: string };
      const lookup = (number: string, code: string) =>
        request(limited)
          .get(`/api/public/cases/${encodeURIComponent(number)}`)
          .query({ checkCode: code });
      for (let i = 0; i < 10; i++) expect((await lookup(c.number, `WRONG${i}`)).status).toBe(404);
      const right = await lookup(c.number, c.check_code);
      expect(right.status).toBe(429);
      expect(right.body.error.details[0].field).toBe('lookup-case');
      let perAddress: request.Response | null = null;
      for (let i = 0; i < 12 && !perAddress; i++) {
        const res = await lookup(`SP-2026-${String(900000 + i)}`, 'ABCDEF');
        if (res.status === 429) perAddress = res;
      }
      expect(perAddress?.body.error.details[0].field).toBe('lookup-ip');
      await new Promise((r) => setTimeout(r, 300));
      const denied = await engine.db('operation_log').where({ status: 429, result: 'denied' }).count({ n: '*' }).first();
      expect(Number(denied?.n)).toBeGreaterThanOrEqual(3);
    } finally {
      await temporal.close();
    }
  });
});
