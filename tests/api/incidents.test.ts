import type TestAgent from 'supertest/lib/agent';
import { bpmn, caseRow, decide, flow, openTaskAt, publish, startCase, startEngine, userTask, waitForStatus, type Engine } from '../engine/harness';
import { waitFor } from '../helpers/wait';

/**
 * Operating cases (docs/process-engine.md "Operating cases (incidents)") on the real engine: a
 * gateway none of whose branches matches stops the case with an incident; administrators find
 * it in GET /api/incidents, retry it, move its token, terminate it, or act on many at once.
 * Everyone else is refused, and the refusal is logged.
 */
const gatewayProcess = (key: string) =>
  bpmn(
    key,
    [
      '<bpmn:startEvent id="start" />',
      '<bpmn:exclusiveGateway id="gw" name="分流" />',
      userTask('review', 'assignee="admin"'),
      '<bpmn:endEvent id="end" />',
      flow('f1', 'start', 'gw'),
      flow('f2', 'gw', 'review', '=route = "a"'),
      flow('f3', 'review', 'end'),
    ].join('\n'),
  );

describe('incidents: list, retry, move, terminate, batch', () => {
  let engine: Engine;
  let admin: TestAgent;

  beforeAll(async () => {
    engine = await startEngine();
    admin = await engine.as('admin');
    await publish(engine.db, gatewayProcess('t-incident'));
    await publish(engine.db, gatewayProcess('t-incident-batch'));
  });
  afterAll(async () => {
    await engine.stop();
  });

  /** A case of the process that stops at the gateway (no branch for route "b"). */
  const stoppedCase = async (processKey = 't-incident') => {
    const c = await startCase(admin, processKey, { route: 'b' });
    await waitForStatus(engine.db, c.id, 'incident');
    return c;
  };
  const listed = async (filter: Record<string, unknown> = {}) => {
    const res = await admin.get('/api/incidents').query({ filter: JSON.stringify(filter), range: '[0,99]' });
    expect(res.status).toBe(200);
    return res.body as Array<{ id: number; number: string; process_key: string; process_name: string; incident_node_id: string | null; incident_message: string | null; incident_at: string | null }>;
  };

  it('lists the case in incident with its message, newest first, filtered by process and message text', async () => {
    const first = await stoppedCase();
    const second = await stoppedCase();
    const rows = await listed({ process_key: 't-incident' });
    expect(rows.map((r) => r.id)).toEqual([second.id, first.id]);
    expect(rows[0]).toMatchObject({ number: second.number, process_key: 't-incident', process_name: 't-incident' });
    expect(rows[0].incident_message).toContain('no branch of gateway gw matched');
    expect((await listed({ q: 'gateway gw' })).map((r) => r.id)).toEqual(expect.arrayContaining([first.id, second.id]));
    expect(await listed({ q: 'nothing like this' })).toEqual([]);
    expect(await listed({ process_key: 'no-such-process' })).toEqual([]);
    // One case's own incident, for its page.
    const one = await admin.get(`/api/cases/${first.id}/incident`);
    expect(one.status).toBe(200);
    expect(one.body.incident.message).toContain('no branch of gateway gw matched');
  });

  // Needs the engine to write the element and time of the incident on the case row.
  it('names the element the case stopped at, and filters by it', async () => {
    const c = await stoppedCase();
    const row = await waitFor('the incident columns', async () => (await engine.db('cases').where('id', c.id).first('incident_node_id', 'incident_at')) as { incident_node_id: string | null; incident_at: Date | null });
    expect(row.incident_node_id).toBe('gw');
    expect(row.incident_at).not.toBeNull();
    expect((await listed({ node_id: 'gw' })).map((r) => r.id)).toContain(c.id);
    expect((await listed({ node_id: 'review' })).map((r) => r.id)).not.toContain(c.id);
    expect((await listed({ process_key: 't-incident' })).find((r) => r.id === c.id)).toMatchObject({ incident_node_id: 'gw', incident_node_name: '分流' });
  });

  it('refuses everyone but the administrator, and logs the refusal', async () => {
    const c = await stoppedCase();
    const staff = await engine.as('city.staff');
    expect((await staff.get('/api/incidents')).status).toBe(403);
    expect((await staff.post(`/api/cases/${c.id}/retry`).send({})).status).toBe(403);
    expect((await staff.post(`/api/cases/${c.id}/move`).send({ toNodeId: 'review' })).status).toBe(403);
    expect((await staff.post('/api/incidents/batch').send({ action: 'retry', ids: [c.id] })).status).toBe(403);
    expect((await staff.get(`/api/cases/${c.id}/elements`)).status).toBe(403);
    const denied = await waitFor('the denials in the log', async () => {
      const rows = (await engine.db('operation_log').where({ username: 'city.staff', result: 'denied', status: 403 }).select('path', 'action')) as Array<{ path: string; action: string }>;
      return rows.length >= 5 ? rows : null;
    });
    expect(denied.map((r) => r.path)).toEqual(expect.arrayContaining(['/api/incidents', `/api/cases/${c.id}/retry`, `/api/cases/${c.id}/move`, '/api/incidents/batch']));
    expect(denied.find((r) => r.path === `/api/cases/${c.id}/retry`)?.action).toBe('cases.retry');
    expect((await caseRow(engine.db, c.id)).status).toBe('incident');
  });

  it('refuses a move to an element the case’s process does not have, or may not be moved to, naming toNodeId', async () => {
    const c = await stoppedCase();
    for (const [toNodeId, reason] of [
      ['nowhere', 'is not an element'],
      ['start', 'is the start event'],
      ['constructor', 'is not an element'],
    ]) {
      const res = await admin.post(`/api/cases/${c.id}/move`).send({ toNodeId });
      expect(res.status).toBe(422);
      expect(res.body.error.details).toEqual([{ field: 'body.toNodeId', reason: expect.stringContaining(reason) }]);
    }
    const missing = await admin.post(`/api/cases/${c.id}/move`).send({});
    expect(missing.status).toBe(400);
    expect(missing.body.error.details[0].field).toBe('body.toNodeId');
    expect((await admin.post('/api/cases/999999/move').send({ toNodeId: 'review' })).status).toBe(404);
    // The elements the UI offers: all of the pinned graph, the start event not movable.
    const elements = await admin.get(`/api/cases/${c.id}/elements`);
    expect(elements.status).toBe(200);
    expect(elements.body.elements).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'gw', name: '分流', movable: true }), expect.objectContaining({ id: 'start', movable: false })]));
    expect((await caseRow(engine.db, c.id)).status).toBe('incident');
  });

  it('terminates a case in incident with a reason, and it leaves the list', async () => {
    const c = await stoppedCase();
    const res = await admin.post(`/api/cases/${c.id}/terminate`).send({ comment: '流程配置错误，终止办理' });
    expect(res.status).toBe(200);
    await waitForStatus(engine.db, c.id, 'terminated');
    expect((await listed()).map((r) => r.id)).not.toContain(c.id);
    const entry = await engine.db('case_history').where({ case_id: c.id, kind: 'terminated' }).first('comment');
    expect(entry.comment).toBe('流程配置错误，终止办理');
  });

  it('terminates every case a filter matches in one batch, answering and logging each', async () => {
    const a = await stoppedCase('t-incident-batch');
    const b = await stoppedCase('t-incident-batch');
    const other = await stoppedCase();

    // Bad batches: no reason, both ids and a filter, neither, an unknown action.
    const noReason = await admin.post('/api/incidents/batch').send({ action: 'terminate', filter: { process_key: 't-incident-batch' } });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details).toEqual([expect.objectContaining({ field: 'body.comment' })]);
    expect((await admin.post('/api/incidents/batch').send({ action: 'retry', ids: [a.id], filter: {} })).body.error.details[0].field).toBe('body.ids');
    expect((await admin.post('/api/incidents/batch').send({ action: 'retry' })).status).toBe(400);
    expect((await admin.post('/api/incidents/batch').send({ action: 'delete', ids: [a.id] })).body.error.details[0].field).toBe('body.action');
    expect((await admin.post('/api/incidents/batch').send({ action: 'retry', filter: { status: 'running' } })).status).toBe(400);

    const res = await admin.post('/api/incidents/batch').send({ action: 'terminate', filter: { process_key: 't-incident-batch' }, comment: '批量终止：流程已停用' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ action: 'terminate', count: 2, ok: 2, failed: 0, more: false });
    expect(res.body.results.map((r: { id: number }) => r.id).sort()).toEqual([a.id, b.id].sort());
    await waitForStatus(engine.db, a.id, 'terminated');
    await waitForStatus(engine.db, b.id, 'terminated');
    expect((await caseRow(engine.db, other.id)).status).toBe('incident');

    const logged = (await engine
      .db('operation_log')
      .where({ action: 'cases.terminate', username: 'admin' })
      .whereIn('target_id', [String(a.id), String(b.id)])
      .select('result', 'detail')) as Array<{ result: string; detail: unknown }>;
    expect(logged).toHaveLength(2);
    expect(logged.every((r) => r.result === 'ok')).toBe(true);
    expect(await engine.db('operation_log').where({ action: 'incidents.batch', result: 'ok' }).count({ n: '*' }).first()).toEqual({ n: 1 });

    // The same cases again, chosen by id: each answers its own refusal, the batch still 200.
    const again = await admin.post('/api/incidents/batch').send({ action: 'terminate', ids: [a.id, 999999], comment: '再次终止' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ count: 2, ok: 0, failed: 2 });
    expect(again.body.results).toEqual([expect.objectContaining({ id: a.id, ok: false, status: 409 }), expect.objectContaining({ id: 999999, ok: false, status: 404 })]);
  });

  // Needs the engine's `modify` update (retry).
  it('retries the element that failed: the gateway runs again and stops again', async () => {
    const c = await stoppedCase();
    const before = await engine.db('case_history').where({ case_id: c.id, kind: 'incident' }).count({ n: '*' }).first();
    const res = await admin.post(`/api/cases/${c.id}/retry`).send({ comment: '重试' });
    expect(res.status).toBe(200);
    await waitFor('a second incident', async () => {
      const after = await engine.db('case_history').where({ case_id: c.id, kind: 'incident' }).count({ n: '*' }).first();
      return Number(after?.n) > Number(before?.n);
    });
    expect((await caseRow(engine.db, c.id)).status).toBe('incident');
    expect(
      await engine
        .db('operation_log')
        .where({ action: 'cases.retry', target_id: String(c.id), result: 'ok' })
        .count({ n: '*' })
        .first(),
    ).toEqual({ n: 1 });
  });

  // Needs the engine's `modify` update (retry) and its refusal of a case not in incident.
  it('batch-retries chosen cases and answers a refusal for one that is not in incident', async () => {
    const stopped = await stoppedCase();
    const running = await startCase(admin, 't-incident', { route: 'a' });
    await openTaskAt(engine.db, running.id, 'review');
    const res = await admin.post('/api/incidents/batch').send({ action: 'retry', ids: [stopped.id, running.id] });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([expect.objectContaining({ id: stopped.id, ok: true }), expect.objectContaining({ id: running.id, ok: false, status: 409, code: 'not_in_incident' })]);
  });

  // Needs the engine's `modify` update (move) and clearing the incident columns.
  it('moves the token to the review task: the incident is resolved and the case goes on to completion', async () => {
    const c = await stoppedCase();
    const res = await admin.post(`/api/cases/${c.id}/move`).send({ toNodeId: 'review', comment: '人工改派至审核' });
    expect(res.status).toBe(200);
    const [review] = await openTaskAt(engine.db, c.id, 'review');
    await waitFor('the incident cleared', async () => {
      const row = (await engine.db('cases').where('id', c.id).first('status', 'incident_message')) as { status: string; incident_message: string | null };
      return row.status !== 'incident' && row.incident_message === null;
    });
    expect((await listed()).map((r) => r.id)).not.toContain(c.id);
    expect(
      await engine
        .db('operation_log')
        .where({ action: 'cases.move', target_id: String(c.id), result: 'ok' })
        .count({ n: '*' })
        .first(),
    ).toEqual({ n: 1 });
    await decide(admin, review.id, 'approve');
    await waitForStatus(engine.db, c.id, 'completed');
  });
});
