import { bpmn, flow, historyKinds, publish, recordHistory, startCase, startEngine, waitForStatus, type Engine } from './harness';
import { waitFor } from '../helpers/wait';

/**
 * Two waiters for one message name in one case (workflows/case/elements/events.ts): a message
 * sent to the case is taken by one of them, the other waits for the next (before patch
 * message-taken-first the second raised an incident); a message correlated by key goes to the
 * waiter subscribed under that key, not to another of the same name.
 */
const catchEvent = (id: string, message: string) => `<bpmn:intermediateCatchEvent id="${id}"><bpmn:messageEventDefinition messageRef="${message}" /></bpmn:intermediateCatchEvent>`;
const twoWaiters = (key: string, keys: [string, string] | null) =>
  bpmn(
    key,
    [
      '<bpmn:startEvent id="start" />',
      '<bpmn:parallelGateway id="fork" />',
      catchEvent('first', keys ? 'm-a' : 'm'),
      catchEvent('second', keys ? 'm-b' : 'm'),
      '<bpmn:parallelGateway id="join" />',
      '<bpmn:endEvent id="end" />',
      flow('f1', 'start', 'fork'),
      flow('f2', 'fork', 'first'),
      flow('f3', 'fork', 'second'),
      flow('f4', 'first', 'join'),
      flow('f5', 'second', 'join'),
      flow('f6', 'join', 'end'),
    ].join('\n'),
    keys
      ? `<bpmn:message id="m-a" name="paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=&quot;${keys[0]}&quot;" /></bpmn:extensionElements></bpmn:message>
<bpmn:message id="m-b" name="paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=&quot;${keys[1]}&quot;" /></bpmn:extensionElements></bpmn:message>`
      : '<bpmn:message id="m" name="paid" />',
  );

const inSubProcess = bpmn(
  't-keyed-in-sub',
  [
    '<bpmn:startEvent id="start" />',
    '<bpmn:subProcess id="deploy"><bpmn:startEvent id="d-start" />',
    catchEvent('dev', 'm-dev'),
    '<bpmn:endEvent id="d-end" />',
    flow('d1', 'd-start', 'dev'),
    flow('d2', 'dev', 'd-end'),
    '</bpmn:subProcess>',
    '<bpmn:endEvent id="end" />',
    flow('f1', 'start', 'deploy'),
    flow('f2', 'deploy', 'end'),
  ].join('\n'),
  '<bpmn:message id="m-dev" name="deployed"><bpmn:extensionElements><zeebe:subscription correlationKey="=&quot;dev&quot;" /></bpmn:extensionElements></bpmn:message>',
);

describe('several waiters for one message', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine();
    await publish(engine.db, twoWaiters('t-two-waiters', null));
    await publish(engine.db, twoWaiters('t-keyed-waiters', ['A-1', 'B-2']));
    await publish(engine.db, inSubProcess);
  });
  afterAll(async () => {
    await engine.stop();
  });

  const subscriptions = (caseId: number) => engine.db('case_message_subscriptions').where({ case_id: caseId, open: true }).orderBy('node_id').pluck('node_id') as Promise<string[]>;

  it('a message sent to the case is taken by one waiter; the other takes the next', async () => {
    const admin = await engine.as('admin');
    const c = await startCase(admin, 't-two-waiters');
    await waitFor('both waiting', async () => ((await subscriptions(c.id)).length === 2 ? true : undefined));
    expect((await admin.post(`/api/cases/${c.id}/messages`).send({ name: 'paid', variables: { first: true } })).status).toBe(200);
    await waitFor('one taken', async () => ((await subscriptions(c.id)).length === 1 ? true : undefined));
    expect((await engine.db('cases').where('id', c.id).first('status')).status).toBe('running');
    expect((await admin.post(`/api/cases/${c.id}/messages`).send({ name: 'paid', variables: { second: true } })).status).toBe(200);
    await waitForStatus(engine.db, c.id, 'completed');
    expect((await historyKinds(engine.db, c.id)).filter((k) => k === 'message_consumed')).toHaveLength(2);
    await recordHistory(engine, c.workflowId, 't-two-waiters.both-taken');
  });

  it('a message correlated by a literal key reaches a waiter inside a sub-process', async () => {
    const admin = await engine.as('admin');
    const c = await startCase(admin, 't-keyed-in-sub');
    await waitFor('the waiter', async () => ((await subscriptions(c.id)).length === 1 ? true : undefined));
    expect((await admin.post('/api/messages').send({ name: 'deployed', correlationKey: 'dev', variables: {} })).status).toBe(200);
    await waitForStatus(engine.db, c.id, 'completed');
  });

  it('a message correlated by key goes to the waiter subscribed under that key', async () => {
    const admin = await engine.as('admin');
    const c = await startCase(admin, 't-keyed-waiters');
    await waitFor('both waiting', async () => ((await subscriptions(c.id)).length === 2 ? true : undefined));
    expect((await admin.post('/api/messages').send({ name: 'paid', correlationKey: 'B-2', variables: {} })).status).toBe(200);
    await waitFor('the B waiter done', async () => ((await subscriptions(c.id)).join() === 'first' ? true : undefined));
    expect((await admin.post('/api/messages').send({ name: 'paid', correlationKey: 'A-1', variables: {} })).status).toBe(200);
    await waitForStatus(engine.db, c.id, 'completed');
  });
});
