import type TestAgent from 'supertest/lib/agent';
import { compileBpmn } from '../../lib/bpmn/compile';
import { waitFor } from '../helpers/wait';
import { bpmn, decide, flow, openTaskAt, openTasks, publish, recordHistory, startCase, startEngine, userTask, waitForStatus, type Engine } from './harness';

/**
 * Signals, as Camunda 8 broadcasts them: POST /api/signals, or a signal throw or end event of a
 * case, reaches every case subscribed to the signal's name at that moment (a signal catch event
 * or a user task's signal boundary event waiting), and is not kept for a case that begins to
 * wait later.
 */
const SIGNAL = '<bpmn:signal id="sig_typhoon" name="typhoon-alert" />';
const catchSignal = (id: string) => `<bpmn:intermediateCatchEvent id="${id}"><bpmn:signalEventDefinition signalRef="sig_typhoon" /></bpmn:intermediateCatchEvent>`;

describe('signal events', () => {
  let engine: Engine;
  let admin: TestAgent;

  beforeAll(async () => {
    engine = await startEngine();
    admin = await engine.as('admin');
    await publish(
      engine.db,
      bpmn(
        't-sig-wait',
        ['<bpmn:startEvent id="start" />', catchSignal('alert'), userTask('inspect', 'assignee="city.staff"'), '<bpmn:endEvent id="end" />', flow('f0', 'start', 'alert'), flow('f1', 'alert', 'inspect'), flow('f2', 'inspect', 'end')].join(
          '\n',
        ),
        SIGNAL,
      ),
    );
    await publish(
      engine.db,
      bpmn(
        't-sig-throw',
        [
          '<bpmn:startEvent id="start" />',
          '<bpmn:intermediateThrowEvent id="warn"><bpmn:signalEventDefinition signalRef="sig_typhoon" /></bpmn:intermediateThrowEvent>',
          '<bpmn:endEvent id="end" />',
          flow('f0', 'start', 'warn'),
          flow('f1', 'warn', 'end'),
        ].join('\n'),
        SIGNAL,
      ),
    );
    await publish(
      engine.db,
      bpmn(
        't-sig-boundary',
        [
          '<bpmn:startEvent id="start" />',
          userTask('review', 'assignee="city.staff"'),
          '<bpmn:boundaryEvent id="alerted" attachedToRef="review" cancelActivity="false"><bpmn:signalEventDefinition signalRef="sig_typhoon" /></bpmn:boundaryEvent>',
          userTask('secure', 'assignee="gusu.staff"'),
          '<bpmn:endEvent id="end" />',
          '<bpmn:endEvent id="secured" />',
          flow('f0', 'start', 'review'),
          flow('f1', 'review', 'end'),
          flow('f2', 'alerted', 'secure'),
          flow('f3', 'secure', 'secured'),
        ].join('\n'),
        SIGNAL,
      ),
    );
  });
  afterAll(() => engine.stop());

  const subscribed = (caseId: number, nodeId: string) =>
    waitFor(`the signal subscription of ${nodeId}`, async () => ((await engine.db('case_message_subscriptions').where({ case_id: caseId, node_id: nodeId, kind: 'signal', open: true }).first()) ? true : undefined));
  const broadcast = async (variables: Record<string, unknown> = {}) => {
    const res = await admin.post('/api/signals').send({ name: 'typhoon-alert', variables });
    expect(res.status).toBe(200);
    return res.body as { delivered: number; skipped: number; more: boolean };
  };
  const variables = async (caseId: number) => JSON.parse((await engine.db('cases').where('id', caseId).first('variables')).variables) as Record<string, unknown>;

  it('reaches every case waiting now through the API, and no case that waits later', async () => {
    const first = await startCase(admin, 't-sig-wait');
    const second = await startCase(admin, 't-sig-wait');
    await subscribed(first.id, 'alert');
    await subscribed(second.id, 'alert');
    expect(await broadcast({ level: '红色预警' })).toMatchObject({ delivered: 2, skipped: 0, more: false });
    for (const c of [first, second]) {
      const [inspect] = await openTaskAt(engine.db, c.id, 'inspect');
      expect((await variables(c.id)).level).toBe('红色预警');
      await decide(await engine.as('city.staff'), inspect.id, 'approve');
      await waitForStatus(engine.db, c.id, 'completed');
    }
    // Not kept: a case that begins to wait after the broadcast waits for the next one.
    const late = await startCase(admin, 't-sig-wait');
    await subscribed(late.id, 'alert');
    await new Promise((r) => setTimeout(r, 500));
    expect(await openTasks(engine.db, late.id)).toEqual([]);
    expect(await broadcast()).toMatchObject({ delivered: 1 });
    await openTaskAt(engine.db, late.id, 'inspect');
    await admin.post(`/api/cases/${late.id}/terminate`).send({ comment: 'test over' });
    await (await engine.temporal.get()).workflow.getHandle(first.workflowId).result();
    await recordHistory(engine, first.workflowId, 't-sig-wait.broadcast');
  });

  it('reaches the waiting cases from a signal throw event of another case', async () => {
    const waiting = await startCase(admin, 't-sig-wait');
    await subscribed(waiting.id, 'alert');
    const thrower = await startCase(admin, 't-sig-throw');
    await waitForStatus(engine.db, thrower.id, 'completed');
    const thrown = await engine.db('case_history').where({ case_id: thrower.id, kind: 'signal_thrown' }).first('data');
    expect(JSON.parse(thrown.data)).toMatchObject({ signal: 'typhoon-alert', delivered: 1, skipped: 0 });
    const [inspect] = await openTaskAt(engine.db, waiting.id, 'inspect');
    const received = await engine.db('case_history').where({ case_id: waiting.id, kind: 'signal_received' }).first('data');
    expect(JSON.parse(received.data)).toMatchObject({ signal: 'typhoon-alert', fromCase: thrower.number });
    await decide(await engine.as('city.staff'), inspect.id, 'approve');
    await waitForStatus(engine.db, waiting.id, 'completed');
    await (await engine.temporal.get()).workflow.getHandle(thrower.workflowId).result();
    await recordHistory(engine, thrower.workflowId, 't-sig-throw.thrown');
  });

  it('starts a path beside an open task with a signal boundary event, each time it comes', async () => {
    const c = await startCase(admin, 't-sig-boundary');
    const [review] = await openTaskAt(engine.db, c.id, 'review');
    await subscribed(c.id, 'alerted');
    await broadcast();
    await openTaskAt(engine.db, c.id, 'secure');
    await broadcast();
    await openTaskAt(engine.db, c.id, 'secure', 2);
    expect((await openTasks(engine.db, c.id)).map((t) => t.node_id).sort()).toEqual(['review', 'secure', 'secure']);
    await decide(await engine.as('city.staff'), review.id, 'approve');
    await waitFor('the closed subscription', async () => ((await engine.db('case_message_subscriptions').where({ case_id: c.id, node_id: 'alerted', open: false }).first()) ? true : undefined));
    for (const t of await openTaskAt(engine.db, c.id, 'secure', 2)) await decide(await engine.as('gusu.staff'), t.id, 'approve');
    await waitForStatus(engine.db, c.id, 'completed');
  });

  it('refuses a signal start event and a signal without a name, naming the element', async () => {
    const result = await compileBpmn(
      bpmn(
        't-sig-bad',
        [
          '<bpmn:startEvent id="start"><bpmn:signalEventDefinition signalRef="sig_typhoon" /></bpmn:startEvent>',
          '<bpmn:intermediateThrowEvent id="nameless"><bpmn:signalEventDefinition /></bpmn:intermediateThrowEvent>',
          '<bpmn:endEvent id="end" />',
          flow('f0', 'start', 'nameless'),
          flow('f1', 'nameless', 'end'),
        ].join('\n'),
        SIGNAL,
      ),
    );
    expect(result.ok ? [] : result.problems.map((p) => [p.elementId, p.message])).toEqual(
      expect.arrayContaining([
        ['start', 'only a plain (none) or message start event is supported'],
        ['nameless', 'a signal event needs a bpmn:signal with a name'],
      ]),
    );
  });
});
