import type TestAgent from 'supertest/lib/agent';
import { bpmn, decide, flow, openTaskAt, openTasks, publish, recordHistory, startCase, startEngine, userTask, waitForStatus, type Engine } from './harness';
import { waitFor } from '../helpers/wait';

/**
 * Message boundary events on a user task (Camunda 8): the message arriving while the task is
 * open. Interrupting: the task closes and the boundary's flows are taken (an applicant withdrawing
 * a filing under review). Non-interrupting: each message starts a path beside the task, which
 * stays open. The subscription row (what POST /api/messages correlates with) is open exactly
 * while the task is.
 */
const messageDef = (id: string, name: string) => `<bpmn:message id="${id}" name="${name}" />`;
const boundary = (id: string, on: string, message: string, interrupting: boolean) =>
  `<bpmn:boundaryEvent id="${id}" attachedToRef="${on}" cancelActivity="${interrupting}"><bpmn:messageEventDefinition messageRef="${message}" /></bpmn:boundaryEvent>`;

describe('message boundary events', () => {
  let engine: Engine;
  let admin: TestAgent;

  beforeAll(async () => {
    engine = await startEngine();
    admin = await engine.as('admin');
    await publish(
      engine.db,
      bpmn(
        't-msg-withdraw',
        [
          '<bpmn:startEvent id="start" />',
          userTask('review', 'assignee="city.staff"'),
          boundary('withdrawn', 'review', 'msg_withdraw', true),
          '<bpmn:endEvent id="end" />',
          '<bpmn:endEvent id="withdrawnEnd"><bpmn:extensionElements><zeebe:properties><zeebe:property name="result" value="withdrawn" /></zeebe:properties></bpmn:extensionElements></bpmn:endEvent>',
          flow('f0', 'start', 'review'),
          flow('f1', 'review', 'end'),
          flow('f2', 'withdrawn', 'withdrawnEnd'),
        ].join('\n'),
        messageDef('msg_withdraw', 'applicant-withdrew'),
      ),
    );
    await publish(
      engine.db,
      bpmn(
        't-msg-notes',
        [
          '<bpmn:startEvent id="start" />',
          userTask('review', 'assignee="city.staff"'),
          boundary('noted', 'review', 'msg_note', false),
          userTask('readNote', 'assignee="gusu.staff"'),
          '<bpmn:endEvent id="end" />',
          '<bpmn:endEvent id="noteEnd" />',
          flow('f0', 'start', 'review'),
          flow('f1', 'review', 'end'),
          flow('f2', 'noted', 'readNote'),
          flow('f3', 'readNote', 'noteEnd'),
        ].join('\n'),
        messageDef('msg_note', 'supplement-note'),
      ),
    );
  });
  afterAll(() => engine.stop());

  const subscription = (caseId: number, nodeId: string) =>
    engine.db('case_message_subscriptions').where({ case_id: caseId, node_id: nodeId }).first('open', 'correlation_key') as Promise<{ open: number; correlation_key: string } | undefined>;
  const subscribed = (caseId: number, nodeId: string) => waitFor(`the subscription of ${nodeId}`, async () => (await subscription(caseId, nodeId))?.open === 1 || undefined);
  const send = async (name: string, correlationKey: string, variables: Record<string, unknown> = {}) => {
    const res = await admin.post('/api/messages').send({ name, correlationKey, variables });
    expect(res.status).toBe(200);
  };

  it('closes the task and leaves by the boundary when the message comes (interrupting)', async () => {
    const c = await startCase(admin, 't-msg-withdraw');
    const [review] = await openTaskAt(engine.db, c.id, 'review');
    await subscribed(c.id, 'withdrawn');
    expect((await subscription(c.id, 'withdrawn'))?.correlation_key).toBe(c.number);
    await send('applicant-withdrew', c.number, { withdrawReason: '已与业主协商解决' });
    await waitForStatus(engine.db, c.id, 'completed');
    const row = await engine.db('cases').where('id', c.id).first('result', 'variables');
    expect(row.result).toBe('withdrawn');
    expect(JSON.parse(row.variables).withdrawReason).toBe('已与业主协商解决');
    expect((await engine.db('case_tasks').where('id', review.id).first('status')).status).toBe('cancelled');
    expect((await subscription(c.id, 'withdrawn'))?.open).toBe(0);
    await (await engine.temporal.get()).workflow.getHandle(c.workflowId).result();
    await recordHistory(engine, c.workflowId, 't-msg-withdraw.interrupting');
  });

  it('closes the subscription when the task is decided first', async () => {
    const c = await startCase(admin, 't-msg-withdraw');
    const [review] = await openTaskAt(engine.db, c.id, 'review');
    await subscribed(c.id, 'withdrawn');
    await decide(await engine.as('city.staff'), review.id, 'approve');
    await waitForStatus(engine.db, c.id, 'completed');
    expect((await engine.db('cases').where('id', c.id).first('result')).result).toBe('approved');
    await waitFor('the closed subscription', async () => (await subscription(c.id, 'withdrawn'))?.open === 0 || undefined);
  });

  it('starts a path beside the task for each message, the task staying open (non-interrupting)', async () => {
    const c = await startCase(admin, 't-msg-notes');
    const [review] = await openTaskAt(engine.db, c.id, 'review');
    await subscribed(c.id, 'noted');
    await send('supplement-note', c.number, { note: '补充照片' });
    await openTaskAt(engine.db, c.id, 'readNote');
    await send('supplement-note', c.number, { note: '补充合同' });
    await openTaskAt(engine.db, c.id, 'readNote', 2);
    expect((await openTasks(engine.db, c.id)).map((t) => t.node_id).sort()).toEqual(['readNote', 'readNote', 'review']);
    await decide(await engine.as('city.staff'), review.id, 'approve');
    await waitFor('the closed subscription', async () => (await subscription(c.id, 'noted'))?.open === 0 || undefined);
    for (const t of await openTaskAt(engine.db, c.id, 'readNote', 2)) await decide(await engine.as('gusu.staff'), t.id, 'approve');
    await waitForStatus(engine.db, c.id, 'completed');
    expect(JSON.parse((await engine.db('cases').where('id', c.id).first('variables')).variables).note).toBe('补充合同');
  });
});
