import type TestAgent from 'supertest/lib/agent';
import { bpmn, flow, historyKinds, openTaskAt, publish, startCase, startEngine, userTask, waitForStatus, type Engine } from './harness';

/**
 * Event-based gateways: whichever comes first — the reply (a message, possibly sent before the
 * case got there) or the deadline (a timer) — takes the case on; the other is dropped.
 */
describe('event-based gateways', () => {
  let engine: Engine;
  let admin: TestAgent;

  beforeAll(async () => {
    engine = await startEngine();
    admin = await engine.as('admin');
    await publish(
      engine.db,
      bpmn(
        't-event-gw',
        [
          '<bpmn:startEvent id="start" />',
          '<bpmn:eventBasedGateway id="wait" />',
          '<bpmn:intermediateCatchEvent id="reply"><bpmn:messageEventDefinition messageRef="msg_reply" /></bpmn:intermediateCatchEvent>',
          '<bpmn:intermediateCatchEvent id="deadline"><bpmn:timerEventDefinition><bpmn:timeDuration>PT2S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>',
          userTask('review', 'candidateGroups="district_staff"'),
          '<bpmn:endEvent id="overdue"><bpmn:extensionElements><zeebe:properties><zeebe:property name="result" value="overdue" /></zeebe:properties></bpmn:extensionElements></bpmn:endEvent>',
          '<bpmn:endEvent id="end" />',
          flow('f0', 'start', 'wait'),
          flow('f1', 'wait', 'reply'),
          flow('f2', 'wait', 'deadline'),
          flow('f3', 'reply', 'review'),
          flow('f4', 'deadline', 'overdue'),
          flow('f5', 'review', 'end'),
        ].join('\n'),
        '<bpmn:message id="msg_reply" name="rectification-reply" />',
      ),
    );
  });
  afterAll(() => engine.stop());

  it('goes on with the message when it comes first, and drops the timer', async () => {
    const c = await startCase(admin, 't-event-gw', {}, { districtCode: '320508' });
    await engine.db('case_message_subscriptions').where({ case_id: c.id, node_id: 'reply', open: true }).first();
    const sent = await admin.post('/api/messages').send({ name: 'rectification-reply', correlationKey: c.number, variables: { replied: true } });
    expect(sent.status).toBe(200);
    await openTaskAt(engine.db, c.id, 'review');
    await new Promise((r) => setTimeout(r, 2500));
    // The deadline passed while the review was open: nothing happened.
    expect((await engine.db('cases').where('id', c.id).first('status')).status).toBe('running');
    expect(await historyKinds(engine.db, c.id)).not.toContain('timer_fired');
    expect(await engine.db('case_message_subscriptions').where({ case_id: c.id, open: true }).count({ n: '*' }).first()).toEqual({ n: 0 });
    expect(JSON.parse((await engine.db('cases').where('id', c.id).first('variables')).variables)).toMatchObject({ replied: true });
    await admin.post(`/api/cases/${c.id}/terminate`).send({ comment: 'test over' });
  });

  it('goes on with the timer when no message comes in time', async () => {
    const c = await startCase(admin, 't-event-gw', {}, { districtCode: '320508' });
    await waitForStatus(engine.db, c.id, 'completed');
    expect((await engine.db('cases').where('id', c.id).first('result')).result).toBe('overdue');
    expect(await engine.db('case_message_subscriptions').where({ case_id: c.id, open: true }).count({ n: '*' }).first()).toEqual({ n: 0 });
  });
});
