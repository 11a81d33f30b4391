import type TestAgent from 'supertest/lib/agent';
import { waitFor } from '../helpers/wait';
import { bpmn, caseRow, decide, flow, historyKinds, openTaskAt, openTasks, publish, startCase, startEngine, userTask, waitForStatus, type Engine } from './harness';

/**
 * Every element of the supported BPMN subset, run by the real case workflow on the real
 * Temporal dev server, observed through MySQL (the read model the inbox and case view use).
 */
const timer = (kind: 'timeDuration' | 'timeCycle' | 'timeDate', value: string) => `<bpmn:timerEventDefinition><bpmn:${kind}>${value}</bpmn:${kind}></bpmn:timerEventDefinition>`;
const svc = (id: string, type: string, headers: Record<string, string> = {}, tag = 'serviceTask') =>
  `<bpmn:${tag} id="${id}" name="${id}"><bpmn:extensionElements><zeebe:taskDefinition type="${type}" /><zeebe:taskHeaders>${Object.entries(headers)
    .map(([k, v]) => `<zeebe:header key="${k}" value="${v.replace(/"/g, '&quot;')}" />`)
    .join('')}</zeebe:taskHeaders></bpmn:extensionElements></bpmn:${tag}>`;
const end = (id: string, result: string, terminate = false) =>
  `<bpmn:endEvent id="${id}"><bpmn:extensionElements><zeebe:properties><zeebe:property name="result" value="${result}" /></zeebe:properties></bpmn:extensionElements>${terminate ? '<bpmn:terminateEventDefinition />' : ''}</bpmn:endEvent>`;

describe('BPMN elements on the real engine', () => {
  let engine: Engine;
  let admin: TestAgent;

  beforeAll(async () => {
    engine = await startEngine();
    admin = await engine.as('admin');
    await publish(
      engine.db,
      bpmn(
        't-paths',
        [
          '<bpmn:startEvent id="start" />',
          svc('note', 'case-note', { note: '="hello " + caseNumber' }),
          svc('route', 'set-variables', { route: '=if amount > 100 then "big" else "small"' }),
          '<bpmn:exclusiveGateway id="gw" default="toSmall" />',
          '<bpmn:parallelGateway id="fork" />',
          userTask('review', 'assignee="admin"', '<zeebe:taskSchedule dueDate="PT1H" />'),
          `<bpmn:intermediateCatchEvent id="wait">${timer('timeDuration', 'PT1S')}</bpmn:intermediateCatchEvent>`,
          '<bpmn:parallelGateway id="join" />',
          svc('tell', 'notify-applicant', { message: 'done' }, 'sendTask'),
          end('endBig', 'big', true),
          end('endSmall', 'small'),
          flow('f1', 'start', 'note'),
          flow('f2', 'note', 'route'),
          flow('f3', 'route', 'gw'),
          flow('toBig', 'gw', 'fork', '=route = "big"'),
          flow('toSmall', 'gw', 'endSmall'),
          flow('f4', 'fork', 'review'),
          flow('f5', 'fork', 'wait'),
          flow('f6', 'review', 'join'),
          flow('f7', 'wait', 'join'),
          flow('f8', 'join', 'tell'),
          flow('f9', 'tell', 'endBig'),
        ].join('\n'),
      ),
    );
  });
  afterAll(() => engine.stop());

  it('runs service tasks, an exclusive gateway (condition and default), a parallel fork and join with a timer, a send task and a terminate end', async () => {
    const big = await startCase(admin, 't-paths', { amount: 500 });
    const [review] = await openTaskAt(engine.db, big.id, 'review');
    const row = await engine.db('case_tasks').where('id', review.id).first('due_at', 'created_at');
    expect(row.due_at.getTime() - row.created_at.getTime()).toBe(3600_000);
    await waitFor('the intermediate timer', async () => (await historyKinds(engine.db, big.id)).includes('timer_fired'));
    // The join waits for the user task too.
    expect((await caseRow(engine.db, big.id)).status).toBe('running');
    await decide(admin, review.id, 'approve');
    await waitForStatus(engine.db, big.id, 'completed');
    const done = await caseRow(engine.db, big.id);
    expect(done.result).toBe('big');
    expect(JSON.parse(done.variables)).toMatchObject({ amount: 500, route: 'big', applicantNotified: true, outcome: 'approve' });
    const history = await engine.db('case_history').where('case_id', big.id).orderBy('seq').select('kind', 'node_id', 'comment');
    expect(history.map((h: { kind: string }) => h.kind)).toEqual(expect.arrayContaining(['service_completed', 'timer_started', 'timer_fired', 'task_completed', 'message_sent', 'terminated_by_end']));
    expect(history.find((h: { node_id: string }) => h.node_id === 'note').comment).toBe(`hello ${big.number}`);
    expect(history.filter((h: { kind: string; node_id: string }) => h.kind === 'node_passed' && h.node_id === 'join')).toHaveLength(1);

    const small = await startCase(admin, 't-paths', { amount: 5 });
    await waitForStatus(engine.db, small.id, 'completed');
    expect((await caseRow(engine.db, small.id)).result).toBe('small');
    expect(await openTasks(engine.db, small.id)).toEqual([]);
  });

  it('ends every branch at a terminate end event', async () => {
    await publish(
      engine.db,
      bpmn(
        't-terminate',
        [
          '<bpmn:startEvent id="start" />',
          '<bpmn:parallelGateway id="fork" />',
          userTask('x', 'assignee="admin"'),
          userTask('y', 'assignee="admin"'),
          end('stopAll', 'stopped', true),
          end('plain', 'plain'),
          flow('f1', 'start', 'fork'),
          flow('f2', 'fork', 'x'),
          flow('f3', 'fork', 'y'),
          flow('f4', 'x', 'stopAll'),
          flow('f5', 'y', 'plain'),
        ].join('\n'),
      ),
    );
    const c = await startCase(admin, 't-terminate');
    const [x] = await openTaskAt(engine.db, c.id, 'x');
    await openTaskAt(engine.db, c.id, 'y');
    const snapshot = await decide(admin, x.id, 'approve');
    expect(snapshot).toMatchObject({ status: 'completed', result: 'stopped', openTasks: [] });
    const y = await engine.db('case_tasks').where({ case_id: c.id, node_id: 'y' }).first('status');
    expect(y.status).toBe('cancelled');
  });

  it('waits at a message catch event and a receive task; messages arriving early are kept', async () => {
    await publish(
      engine.db,
      bpmn(
        't-messages',
        [
          '<bpmn:startEvent id="start" />',
          '<bpmn:intermediateCatchEvent id="deposit"><bpmn:messageEventDefinition messageRef="msgDeposit" /></bpmn:intermediateCatchEvent>',
          '<bpmn:receiveTask id="reply" messageRef="msgReply" />',
          end('done', 'approved'),
          flow('f1', 'start', 'deposit'),
          flow('f2', 'deposit', 'reply'),
          flow('f3', 'reply', 'done'),
        ].join('\n'),
        '<bpmn:message id="msgDeposit" name="deposit-paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=&quot;DEP-&quot; + caseNumber" /></bpmn:extensionElements></bpmn:message>\n<bpmn:message id="msgReply" name="sms-reply" />',
      ),
    );
    const c = await startCase(admin, 't-messages');
    await waitFor('the case to wait for the deposit', async () => (await historyKinds(engine.db, c.id)).includes('message_awaited'));
    // The SMS reply comes first: the case keeps it until it reaches the receive task.
    expect((await admin.post(`/api/cases/${c.id}/messages`).send({ name: 'sms-reply', variables: { reply: '1' } })).status).toBe(200);
    expect((await caseRow(engine.db, c.id)).status).toBe('running');
    expect((await admin.post('/api/messages').send({ name: 'deposit-paid', correlationKey: 'nobody', variables: {} })).status).toBe(404);
    const res = await admin.post('/api/messages').send({ name: 'deposit-paid', correlationKey: `DEP-${c.number}`, variables: { depositPaid: 5000 } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ delivered: [c.id] });
    await waitForStatus(engine.db, c.id, 'completed');
    expect(JSON.parse((await caseRow(engine.db, c.id)).variables)).toMatchObject({ depositPaid: 5000, reply: '1' });
    const kinds = await historyKinds(engine.db, c.id);
    expect(kinds.filter((k) => k === 'message_consumed')).toHaveLength(2);
    // Only sysadmins deliver outside events.
    expect((await (await engine.as('city.staff')).post(`/api/cases/${c.id}/messages`).send({ name: 'x' })).status).toBe(403);
  });

  it('fires a repeating reminder (non-interrupting R2/PT1S) that texts the holder, and keeps the task open', async () => {
    await publish(
      engine.db,
      bpmn(
        't-remind',
        [
          '<bpmn:startEvent id="start" />',
          userTask('review', 'assignee="city.staff"'),
          `<bpmn:boundaryEvent id="nag" attachedToRef="review" cancelActivity="false">${timer('timeCycle', 'R2/PT1S')}</bpmn:boundaryEvent>`,
          end('done', 'approved'),
          flow('f1', 'start', 'review'),
          flow('f2', 'review', 'done'),
        ].join('\n'),
      ),
    );
    const c = await startCase(admin, 't-remind');
    const [review] = await openTaskAt(engine.db, c.id, 'review');
    await waitFor('two reminders', async () => (await historyKinds(engine.db, c.id)).filter((k) => k === 'sms_sent').length === 2);
    const fired = await engine.db('case_history').where({ case_id: c.id, kind: 'timer_fired' }).select('node_id', 'data');
    expect(fired).toHaveLength(2);
    expect(fired.every((f: { node_id: string }) => f.node_id === 'nag')).toBe(true);
    const sms = await engine.db('case_history').where({ case_id: c.id, kind: 'sms_sent' }).first('data');
    expect(JSON.parse(sms.data).recipients).toEqual([{ userId: expect.any(Number), phone: '13800000002' }]);
    expect((await engine.db('case_tasks').where('id', review.id).first('status')).status).toBe('open');
    await decide(await engine.as('city.staff'), review.id, 'approve');
    await waitForStatus(engine.db, c.id, 'completed');
  });

  it('escalates when an interrupting timer fires: the task times out and the escalation path starts', async () => {
    await publish(
      engine.db,
      bpmn(
        't-escalate',
        [
          '<bpmn:startEvent id="start" />',
          userTask('review', 'candidateGroups="city_staff"'),
          `<bpmn:boundaryEvent id="late" attachedToRef="review">${timer('timeDuration', 'PT2S')}</bpmn:boundaryEvent>`,
          userTask('leader', 'candidateGroups="city_leader"'),
          end('done', 'approved'),
          flow('f1', 'start', 'review'),
          flow('f2', 'review', 'done'),
          flow('f3', 'late', 'leader'),
          flow('f4', 'leader', 'done'),
        ].join('\n'),
      ),
    );
    const c = await startCase(admin, 't-escalate');
    const [review] = await openTaskAt(engine.db, c.id, 'review');
    const [leader] = await openTaskAt(engine.db, c.id, 'leader');
    expect((await engine.db('case_tasks').where('id', review.id).first('status')).status).toBe('timed_out');
    const fired = await engine.db('case_history').where({ case_id: c.id, kind: 'timer_fired' }).first('node_id', 'data');
    expect(fired.node_id).toBe('late');
    expect(JSON.parse(fired.data)).toMatchObject({ action: 'escalate' });
    const lead = await engine.as('city.leader');
    expect((await lead.post(`/api/tasks/${leader.id}/claim`).send({})).status).toBe(200);
    await decide(lead, leader.id, 'approve');
    await waitForStatus(engine.db, c.id, 'completed');
  });

  it('decides automatically when an interrupting timer carries an autoOutcome', async () => {
    await publish(
      engine.db,
      bpmn(
        't-auto',
        [
          '<bpmn:startEvent id="start" />',
          userTask('review', 'candidateGroups="city_staff"'),
          `<bpmn:boundaryEvent id="deemed" attachedToRef="review"><bpmn:extensionElements><zeebe:properties><zeebe:property name="autoOutcome" value="approve" /></zeebe:properties></bpmn:extensionElements>${timer('timeDuration', 'PT1S')}</bpmn:boundaryEvent>`,
          end('done', 'approved'),
          flow('f1', 'start', 'review'),
          flow('f2', 'review', 'done'),
        ].join('\n'),
      ),
    );
    const c = await startCase(admin, 't-auto');
    await waitForStatus(engine.db, c.id, 'completed');
    expect(JSON.parse((await caseRow(engine.db, c.id)).variables).outcome).toBe('approve');
    const fired = await engine.db('case_history').where({ case_id: c.id, kind: 'timer_fired' }).first('outcome', 'data');
    expect(fired.outcome).toBe('approve');
    expect(JSON.parse(fired.data).action).toBe('auto-decide');
  });

  describe('countersign (multi-instance user task)', () => {
    const countersign = (key: string, completion?: string) =>
      bpmn(
        key,
        [
          '<bpmn:startEvent id="start" />',
          `<bpmn:userTask id="sign" name="会签"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="=signer" /></bpmn:extensionElements><bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=signers" inputElement="signer" /></bpmn:extensionElements>${
            completion ? `<bpmn:completionCondition xsi:type="bpmn:tFormalExpression">${completion.replace(/>/g, '&gt;')}</bpmn:completionCondition>` : ''
          }</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>`,
          end('done', 'approved'),
          flow('f1', 'start', 'sign'),
          flow('f2', 'sign', 'done'),
        ].join('\n'),
      );
    const signers = ['city.staff', 'city.leader', 'centre'];

    beforeAll(async () => {
      await publish(engine.db, countersign('t-sign-all'));
      await publish(engine.db, countersign('t-sign-any', '=nrOfApprovals >= 1'));
      await publish(engine.db, countersign('t-sign-ratio', '=nrOfApprovals / nrOfInstances >= 2/3'));
    });

    const tasksBySigner = async (caseId: number) => {
      const rows = await openTaskAt(engine.db, caseId, 'sign', 3);
      const users = await engine
        .db('users')
        .whereIn(
          'id',
          rows.map((r) => r.assignee_id!),
        )
        .select('id', 'username');
      return Object.fromEntries(rows.map((r) => [users.find((u: { id: number }) => u.id === r.assignee_id).username, r.id])) as Record<string, number>;
    };

    it('all must approve (会签): every approval completes it, one rejection rejects the case', async () => {
      const ok = await startCase(admin, 't-sign-all', { signers });
      const tasks = await tasksBySigner(ok.id);
      for (const s of signers) await decide(await engine.as(s), tasks[s], 'approve');
      await waitForStatus(engine.db, ok.id, 'completed');
      expect((await caseRow(engine.db, ok.id)).result).toBe('approved');

      const no = await startCase(admin, 't-sign-all', { signers });
      const t2 = await tasksBySigner(no.id);
      await decide(await engine.as('city.staff'), t2['city.staff'], 'approve');
      expect((await caseRow(engine.db, no.id)).status).toBe('running');
      await decide(await engine.as('city.leader'), t2['city.leader'], 'reject', { comment: '不同意' });
      await waitForStatus(engine.db, no.id, 'completed');
      expect((await caseRow(engine.db, no.id)).result).toBe('rejected');
      expect((await engine.db('case_tasks').where('id', t2.centre).first('status')).status).toBe('cancelled');
    });

    it('any one (或签): the first approval completes it and closes the others', async () => {
      const c = await startCase(admin, 't-sign-any', { signers });
      const tasks = await tasksBySigner(c.id);
      await decide(await engine.as('centre'), tasks.centre, 'reject');
      expect((await caseRow(engine.db, c.id)).status).toBe('running');
      await decide(await engine.as('city.leader'), tasks['city.leader'], 'approve');
      await waitForStatus(engine.db, c.id, 'completed');
      expect((await caseRow(engine.db, c.id)).result).toBe('approved');
      expect((await engine.db('case_tasks').where('id', tasks['city.staff']).first('status')).status).toBe('cancelled');
    });

    it('a ratio (2/3) as FEEL completion condition', async () => {
      const c = await startCase(admin, 't-sign-ratio', { signers });
      const tasks = await tasksBySigner(c.id);
      await decide(await engine.as('city.staff'), tasks['city.staff'], 'approve');
      await decide(await engine.as('centre'), tasks.centre, 'reject');
      expect((await caseRow(engine.db, c.id)).status).toBe('running');
      await decide(await engine.as('city.leader'), tasks['city.leader'], 'approve');
      await waitForStatus(engine.db, c.id, 'completed');
      expect((await caseRow(engine.db, c.id)).result).toBe('approved');
      const summary = await engine.db('case_history').where({ case_id: c.id, kind: 'countersign_completed' }).first('data');
      expect(JSON.parse(summary.data)).toEqual({ approvals: 2, rejections: 1, instances: 3 });
    });
  });
});
