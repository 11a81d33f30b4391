import request from 'supertest';
import { compileBpmn } from '../../lib/bpmn/compile';
import { bpmn, caseRow, flow, historyKinds, jobWorkerAuth, openTaskAt, publish, startCase, startEngine, userTask, waitForStatus, type Engine } from '../engine/harness';
import { waitFor } from '../helpers/wait';

/**
 * External jobs (docs/process-engine.md, "External jobs") on the real engine: a service task
 * whose type no platform activity does waits for a job worker, which activates it over
 * /api/jobs with its token and completes it, fails it (retried after a back-off, or an
 * incident when no retries are left) or throws a BPMN error. Workers reach only their types.
 */
const job = (id: string, type: string, extra = '') =>
  `<bpmn:serviceTask id="${id}" name="${id}"><bpmn:extensionElements><zeebe:taskDefinition type="${type}" retries="2" /><zeebe:taskHeaders><zeebe:header key="endpoint" value="/check" /></zeebe:taskHeaders>${extra}</bpmn:extensionElements></bpmn:serviceTask>`;

const checkProcess = (key: string, type: string) =>
  bpmn(
    key,
    [
      '<bpmn:startEvent id="start" />',
      job('check', type, '<zeebe:ioMapping><zeebe:input source="=area * 2" target="doubled" /></zeebe:ioMapping>'),
      '<bpmn:exclusiveGateway id="gw" default="f-no" />',
      userTask('review', 'assignee="city.staff"'),
      '<bpmn:endEvent id="end" />',
      '<bpmn:endEvent id="refused"><bpmn:extensionElements><zeebe:properties><zeebe:property name="result" value="rejected" /></zeebe:properties></bpmn:extensionElements></bpmn:endEvent>',
      '<bpmn:boundaryEvent id="not-found" attachedToRef="check"><bpmn:extensionElements><zeebe:ioMapping><zeebe:output source="=errorMessage" target="errorText" /><zeebe:output source="=reason" target="reason" /></zeebe:ioMapping></bpmn:extensionElements><bpmn:errorEventDefinition errorRef="err-nf" /></bpmn:boundaryEvent>',
      flow('f1', 'start', 'check'),
      flow('f2', 'check', 'gw'),
      flow('f-ok', 'gw', 'review', '=registered = true'),
      flow('f-no', 'gw', 'refused'),
      flow('f3', 'review', 'end'),
      flow('f4', 'not-found', 'refused'),
    ].join('\n'),
    '<bpmn:error id="err-nf" name="not found" errorCode="NOT_FOUND" />',
  );

describe('external jobs for job workers', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine();
    await publish(engine.db, checkProcess('t-jobs', 'erp-check'));
    await publish(engine.db, checkProcess('t-jobs-rpa', 'rpa-check'));
    await publish(
      engine.db,
      bpmn(
        't-jobs-listeners',
        [
          '<bpmn:startEvent id="start" />',
          `<bpmn:userTask id="review" name="review"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="city.staff" /><zeebe:executionListeners><zeebe:executionListener eventType="start" type="audit-open" /><zeebe:executionListener eventType="end" type="audit-close" retries="1" /></zeebe:executionListeners></bpmn:extensionElements></bpmn:userTask>`,
          '<bpmn:endEvent id="end" />',
          flow('f1', 'start', 'review'),
          flow('f2', 'review', 'end'),
        ].join('\n'),
      ),
    );
  });
  afterAll(async () => {
    await engine.stop();
  });

  const worker = (name = 'test-worker') => ({
    post: (path: string, body: unknown) =>
      request(engine.app)
        .post(path)
        .set('Authorization', jobWorkerAuth(name))
        .send(body as object),
  });
  /** Activates the case's job (polling until the workflow has opened it). */
  const activate = async (type: string, caseId: number, name = 'test-worker', timeout?: number) =>
    waitFor(`a ${type} job of case ${caseId}`, async () => {
      const res = await worker(name).post('/api/jobs/activate', { type, maxJobsToActivate: 32, ...(timeout ? { timeout } : {}) });
      expect(res.status).toBe(200);
      return (res.body.jobs as Array<Record<string, unknown>>).find((j) => j.caseId === caseId);
    });
  const start = async (key: string, formData: Record<string, unknown>) => startCase(await engine.as('admin'), key, formData);

  it('publishes an unknown type as an external job, with a note instead of a refusal', async () => {
    const result = await compileBpmn(checkProcess('t-jobs-x', 'erp-check'));
    expect(result.ok).toBe(true);
    const node = result.ok ? result.graph.nodes.check : null;
    expect(node).toMatchObject({ kind: 'serviceTask', taskType: 'erp-check', external: true, retries: 2 });
    expect(result.warnings.map((w) => [w.elementId, w.rule])).toContainEqual(['check', 'external-job']);
    // A platform activity's type stays an activity.
    const known = await compileBpmn(checkProcess('t-jobs-y', 'case-note'));
    expect(known.ok && known.graph.nodes.check.kind === 'serviceTask' && known.graph.nodes.check.external).toBe(undefined);
  });

  it('hands the job with its variables and headers to a worker, and its completion drives the gateway', async () => {
    const c = await start('t-jobs', { area: 21 });
    const got = await activate('erp-check', c.id, 'erp');
    expect(got).toMatchObject({ type: 'erp-check', caseNumber: c.number, processKey: 't-jobs', elementId: 'check', retries: 2, worker: 'erp', customHeaders: { endpoint: '/check' } });
    expect(got.variables).toMatchObject({ area: 21, doubled: 42 });
    // Locked: another poll does not get it again.
    const again = await worker().post('/api/jobs/activate', { type: 'erp-check', maxJobsToActivate: 32 });
    expect((again.body.jobs as Array<{ caseId: number }>).some((j) => j.caseId === c.id)).toBe(false);
    // Only the worker holding it completes it.
    expect((await worker().post(`/api/jobs/${got.key}/complete`, { variables: {} })).status).toBe(409);
    const done = await worker('erp').post(`/api/jobs/${got.key}/complete`, { variables: { registered: true, creditScore: 88 } });
    expect(done.status).toBe(204);
    await openTaskAt(engine.db, c.id, 'review');
    expect(JSON.parse((await caseRow(engine.db, c.id)).variables)).toMatchObject({ registered: true, creditScore: 88 });
    expect(await historyKinds(engine.db, c.id)).toEqual(expect.arrayContaining(['job_created', 'job_completed']));
    const row = await engine.db('case_jobs').where({ case_id: c.id }).first();
    expect(row).toMatchObject({ status: 'completed', worker: 'erp', variables: null });
    // Completed: a second report is refused, and nothing changes.
    expect((await worker('erp').post(`/api/jobs/${got.key}/complete`, { variables: { registered: false } })).status).toBe(409);
    const log = await engine
      .db('operation_log')
      .where({ action: 'jobs.complete', target_id: String(got.key) })
      .first('username', 'result');
    expect(log).toMatchObject({ username: 'job-worker:erp', result: 'ok' });
  });

  it('keeps a worker to its own types and refuses without a token', async () => {
    const c = await start('t-jobs-rpa', { area: 1 });
    const got = await activate('rpa-check', c.id);
    // The ERP worker may not poll the RPA type, nor touch its job (404 as if missing, logged as denied).
    expect((await worker('erp').post('/api/jobs/activate', { type: 'rpa-check' })).status).toBe(403);
    expect((await worker('erp').post(`/api/jobs/${got.key}/complete`, { variables: {} })).status).toBe(404);
    await waitFor(
      'the denied attempt in the log',
      async () =>
        (await engine
          .db('operation_log')
          .where({ action: 'jobs.complete', target_id: String(got.key), result: 'denied' })
          .first('id')) as unknown,
    );
    // No token, a wrong token, or a signed-in user's session: 401.
    expect((await request(engine.app).post('/api/jobs/activate').send({ type: 'rpa-check' })).status).toBe(401);
    expect((await request(engine.app).post('/api/jobs/activate').set('Authorization', 'Bearer not-a-worker-token-at-all-000').send({ type: 'rpa-check' })).status).toBe(401);
    expect((await (await engine.as('admin')).post('/api/jobs/activate').send({ type: 'rpa-check' })).status).toBe(401);
    // Bad input names the field.
    const bad = await worker().post('/api/jobs/activate', { type: '', maxJobsToActivate: 1000 });
    expect(bad.status).toBe(400);
    expect((bad.body.error.details as Array<{ field: string }>).map((d) => d.field)).toEqual(expect.arrayContaining(['body.type', 'body.maxJobsToActivate']));
    expect((await worker().post('/api/jobs/abc/complete', {})).status).toBe(400);
    expect((await worker().post('/api/jobs/99999999/complete', {})).status).toBe(404);
    expect((await worker().post(`/api/jobs/${got.key}/complete`, { variables: { 'not a name': 1 } })).status).toBe(400);
    await worker().post(`/api/jobs/${got.key}/complete`, { variables: { registered: false } });
    await waitForStatus(engine.db, c.id, 'completed');
    expect((await caseRow(engine.db, c.id)).result).toBe('rejected');
  });

  it('retries a failed job after its back-off, then stops the case at an incident when no retries are left; an operator’s retry opens a new job', async () => {
    const c = await start('t-jobs', { area: 3 });
    const first = await activate('erp-check', c.id);
    expect((await worker().post(`/api/jobs/${first.key}/fail`, { retries: 1, errorMessage: 'ERP timed out', retryBackOff: 60_000 })).status).toBe(204);
    // Waiting out the back-off: not activatable now.
    const during = await worker().post('/api/jobs/activate', { type: 'erp-check', maxJobsToActivate: 32 });
    expect((during.body.jobs as Array<{ caseId: number }>).some((j) => j.caseId === c.id)).toBe(false);
    await engine
      .db('case_jobs')
      .where({ id: Number(first.key) })
      .update({ available_at: new Date(Date.now() - 1000) });
    const second = await activate('erp-check', c.id);
    expect(second).toMatchObject({ key: first.key, retries: 1 });
    expect((await worker().post(`/api/jobs/${second.key}/fail`, { retries: 0, errorMessage: 'ERP down' })).status).toBe(204);
    await waitForStatus(engine.db, c.id, 'incident');
    const stopped = await engine.db('cases').where('id', c.id).first('incident_node_id', 'incident_message');
    expect(stopped.incident_node_id).toBe('check');
    expect(stopped.incident_message).toContain('ERP down');
    expect(
      await engine
        .db('case_jobs')
        .where({ id: Number(first.key) })
        .first('status'),
    ).toMatchObject({ status: 'failed' });
    const admin = await engine.as('admin');
    expect((await admin.post(`/api/cases/${c.id}/retry`).send({ comment: 'ERP is back' })).status).toBe(200);
    const third = await activate('erp-check', c.id);
    expect(third.key).not.toBe(first.key);
    expect(third.retries).toBe(2);
    await worker().post(`/api/jobs/${third.key}/complete`, { variables: { registered: true } });
    await openTaskAt(engine.db, c.id, 'review');
  });

  it('runs execution listeners as jobs: the start listener before the task opens, the end listener after it is decided', async () => {
    const c = await start('t-jobs-listeners', {});
    const opened = await activate('audit-open', c.id);
    expect(await engine.db('case_tasks').where({ case_id: c.id }).first('id')).toBeUndefined();
    expect((await worker().post(`/api/jobs/${opened.key}/complete`, { variables: { auditId: 'A-1' } })).status).toBe(204);
    const [review] = await openTaskAt(engine.db, c.id, 'review');
    expect((await (await engine.as('city.staff')).post(`/api/tasks/${review.id}/decide`).send({ outcome: 'approve', comment: '同意' })).status).toBe(200);
    const closed = await activate('audit-close', c.id);
    expect(closed).toMatchObject({ retries: 1, elementId: 'review' });
    expect(closed.variables).toMatchObject({ auditId: 'A-1' });
    expect((await worker().post(`/api/jobs/${closed.key}/complete`, {})).status).toBe(204);
    await waitForStatus(engine.db, c.id, 'completed');
  });

  it('lets a job whose lock ran out be activated by another worker', async () => {
    const c = await start('t-jobs', { area: 4 });
    const first = await activate('erp-check', c.id, 'erp', 1000);
    await new Promise((r) => setTimeout(r, 1200));
    const second = await activate('erp-check', c.id, 'test-worker');
    expect(second.key).toBe(first.key);
    expect((await worker('erp').post(`/api/jobs/${first.key}/complete`, {})).status).toBe(409);
    expect((await worker().post(`/api/jobs/${second.key}/complete`, { variables: { registered: true } })).status).toBe(204);
    await openTaskAt(engine.db, c.id, 'review');
  });

  it('throws a BPMN error for the error boundary (its output mappings see errorMessage and the variables), and cancels the job when the case ends first', async () => {
    const c = await start('t-jobs', { area: 5 });
    const got = await activate('erp-check', c.id);
    expect((await worker().post(`/api/jobs/${got.key}/error`, { errorCode: 'NOT_FOUND', errorMessage: 'no such project', variables: { reason: '项目不存在' } })).status).toBe(204);
    await waitForStatus(engine.db, c.id, 'completed');
    expect((await caseRow(engine.db, c.id)).result).toBe('rejected');
    // The boundary's output mappings see the error's message and variables (only their targets reach the case).
    const vars = JSON.parse((await caseRow(engine.db, c.id)).variables);
    expect(vars).toMatchObject({ reason: '项目不存在', errorText: 'no such project' });
    expect(
      await engine
        .db('case_jobs')
        .where({ id: Number(got.key) })
        .first('status'),
    ).toMatchObject({ status: 'error' });

    const ended = await start('t-jobs', { area: 6 });
    const open = await activate('erp-check', ended.id);
    const admin = await engine.as('admin');
    expect((await admin.post(`/api/cases/${ended.id}/terminate`).send({ comment: '申请人撤回' })).status).toBe(200);
    await waitFor('the cancelled job', async () =>
      (await engine
        .db('case_jobs')
        .where({ id: Number(open.key), status: 'cancelled' })
        .first('id'))
        ? true
        : undefined,
    );
    expect((await worker().post(`/api/jobs/${open.key}/complete`, {})).status).toBe(409);
  });
});
