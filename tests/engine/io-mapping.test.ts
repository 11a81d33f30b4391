import { readFileSync } from 'node:fs';
import path from 'node:path';
import type TestAgent from 'supertest/lib/agent';
import { compileBpmn } from '../../lib/bpmn/compile';
import { waitFor } from '../helpers/wait';
import { bpmn, caseRow, decide, flow, historyKinds, openTaskAt, publish, startCase, startEngine, userId, userTask, waitForStatus, type Engine } from './harness';

/**
 * zeebe:ioMapping (Camunda 8 variable mappings) on the real engine: inputs local to an element,
 * outputs the only variables its completion writes; and what publishing refuses.
 */
const FIXTURE = readFileSync(path.join(__dirname, '../fixtures/camunda/io-mapping-approval.bpmn'), 'utf8');
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const io = (inputs: Record<string, string>, outputs: Record<string, string> = {}) =>
  `<zeebe:ioMapping>${Object.entries(inputs)
    .map(([t, s]) => `<zeebe:input source="${esc(s)}" target="${t}" />`)
    .join('')}${Object.entries(outputs)
    .map(([t, s]) => `<zeebe:output source="${esc(s)}" target="${t}" />`)
    .join('')}</zeebe:ioMapping>`;
const end = (id: string) => `<bpmn:endEvent id="${id}" />`;
const variables = async (engine: Engine, caseId: number) => JSON.parse((await caseRow(engine.db, caseId)).variables) as Record<string, unknown>;

describe('zeebe:ioMapping', () => {
  let engine: Engine;
  let admin: TestAgent;

  beforeAll(async () => {
    engine = await startEngine();
    admin = await engine.as('admin');
    await publish(engine.db, FIXTURE);
  });
  afterAll(() => engine.stop());

  describe('a Camunda Modeler file (tests/fixtures/camunda/io-mapping-approval.bpmn)', () => {
    it('an output mapping from the decision drives the gateway; inputs feed the assignee and stay local; a service task maps only what it is told', async () => {
      const c = await startCase(admin, 't-io-mapping', { amount: 50 });
      const [review] = await openTaskAt(engine.db, c.id, 'review');
      // base = 51 (input, local), score = 510 (header over the input), riskScore = 510 (output).
      expect(await variables(engine, c.id)).toEqual({ amount: 50, riskScore: 510 });
      // The input mapping chose the assignee: riskScore > 100 → admin.
      expect(review.assignee_id).toBe(await userId(engine.db, 'admin'));
      const service = await engine.db('case_history').where({ case_id: c.id, kind: 'service_completed' }).first('data');
      expect(JSON.parse(service.data)).toMatchObject({ variables: { score: 510, scratch: 'not for the case' }, outputs: { riskScore: 510 } });

      await decide(admin, review.id, 'approve', { formData: { note: 'fine' } });
      await waitForStatus(engine.db, c.id, 'completed');
      expect((await caseRow(engine.db, c.id)).result).toBe('approved');
      // Only the output targets reach the case: no outcome, no form value, no input local.
      expect(await variables(engine, c.id)).toEqual({ amount: 50, riskScore: 510, approved: true, review: { note: 'fine', by: 'admin' } });
    });

    it('the other outcome maps approved = false and takes the default branch; a low score assigns another reviewer', async () => {
      const c = await startCase(admin, 't-io-mapping', { amount: 2 });
      const [review] = await openTaskAt(engine.db, c.id, 'review');
      expect(review.assignee_id).toBe(await userId(engine.db, 'city.staff'));
      await decide(await engine.as('city.staff'), review.id, 'decline');
      await waitForStatus(engine.db, c.id, 'completed');
      expect((await caseRow(engine.db, c.id)).result).toBe('declined');
      const vars = await variables(engine, c.id);
      expect(vars).toMatchObject({ riskScore: 30, approved: false, review: { note: null, by: 'city.staff' } });
      expect(vars).not.toHaveProperty('reviewer');
      expect(vars).not.toHaveProperty('outcome');
    });
  });

  it('countersign: inputs and outputs per instance (the element is visible to both), outputs applied as each signer decides', async () => {
    const sign = `<bpmn:userTask id="sign" name="sign"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="=who" />${io(
      { who: '=signer.user', weight: '=signer.weight' },
      { lastSigner: '=who', 'tally.weight': '=weight' },
    )}</bpmn:extensionElements><bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=signers" inputElement="signer" /></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>`;
    await publish(engine.db, bpmn('t-io-sign', ['<bpmn:startEvent id="start" />', sign, end('done'), flow('f1', 'start', 'sign'), flow('f2', 'sign', 'done')].join('\n')));
    const c = await startCase(admin, 't-io-sign', {
      signers: [
        { user: 'city.staff', weight: 1 },
        { user: 'city.leader', weight: 2 },
      ],
    });
    const rows = await openTaskAt(engine.db, c.id, 'sign', 2);
    const staff = await userId(engine.db, 'city.staff');
    const leader = await userId(engine.db, 'city.leader');
    expect(rows.map((r) => r.assignee_id).sort()).toEqual([staff, leader].sort());
    await decide(await engine.as('city.leader'), rows.find((r) => r.assignee_id === leader)!.id, 'approve');
    expect(await variables(engine, c.id)).toMatchObject({ lastSigner: 'city.leader', tally: { weight: 2 } });
    await decide(await engine.as('city.staff'), rows.find((r) => r.assignee_id === staff)!.id, 'approve');
    await waitForStatus(engine.db, c.id, 'completed');
    const vars = await variables(engine, c.id);
    expect(vars).toMatchObject({ lastSigner: 'city.staff', tally: { weight: 1 } });
    for (const local of ['who', 'weight', 'signer', 'outcome']) expect(vars).not.toHaveProperty(local);
  });

  it('a message catch event: an input feeds the correlation key; an output maps one message variable', async () => {
    const wait = `<bpmn:intermediateCatchEvent id="paid"><bpmn:extensionElements>${io({ ref: '="DEP-" + caseNumber' }, { deposit: '=amountPaid * 100' })}</bpmn:extensionElements><bpmn:messageEventDefinition messageRef="msg" /></bpmn:intermediateCatchEvent>`;
    await publish(
      engine.db,
      bpmn(
        't-io-message',
        ['<bpmn:startEvent id="start" />', wait, end('done'), flow('f1', 'start', 'paid'), flow('f2', 'paid', 'done')].join('\n'),
        '<bpmn:message id="msg" name="deposit"><bpmn:extensionElements><zeebe:subscription correlationKey="=ref" /></bpmn:extensionElements></bpmn:message>',
      ),
    );
    const c = await startCase(admin, 't-io-message');
    await waitFor('the subscription', async () => (await historyKinds(engine.db, c.id)).includes('message_awaited'));
    const res = await admin.post('/api/messages').send({ name: 'deposit', correlationKey: `DEP-${c.number}`, variables: { amountPaid: 5, bank: 'x' } });
    expect(res.status).toBe(200);
    await waitForStatus(engine.db, c.id, 'completed');
    expect(await variables(engine, c.id)).toEqual({ deposit: 500 });
  });

  it('a timer catch event: an input feeds its FEEL duration; an automatic decision (autoOutcome) applies the task outputs', async () => {
    const wait = `<bpmn:intermediateCatchEvent id="wait"><bpmn:extensionElements>${io({ pause: '="PT1S"' }, { waited: '=pause' })}</bpmn:extensionElements><bpmn:timerEventDefinition><bpmn:timeDuration>=pause</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>`;
    const review = userTask('review', 'candidateGroups="city_staff"', io({}, { approved: '=outcome = "approve"' }));
    const deemed = `<bpmn:boundaryEvent id="deemed" attachedToRef="review"><bpmn:extensionElements><zeebe:properties><zeebe:property name="autoOutcome" value="approve" /></zeebe:properties></bpmn:extensionElements><bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>`;
    await publish(engine.db, bpmn('t-io-timer', ['<bpmn:startEvent id="start" />', wait, review, deemed, end('done'), flow('f1', 'start', 'wait'), flow('f2', 'wait', 'review'), flow('f3', 'review', 'done')].join('\n')));
    const c = await startCase(admin, 't-io-timer');
    await waitForStatus(engine.db, c.id, 'completed');
    expect(await variables(engine, c.id)).toEqual({ waited: 'PT1S', approved: true });
  });

  it('an end event output mapping writes the case variables it ends with', async () => {
    const stop = `<bpmn:endEvent id="done"><bpmn:extensionElements>${io({}, { closedWith: '=upper case(word)' })}</bpmn:extensionElements></bpmn:endEvent>`;
    await publish(engine.db, bpmn('t-io-end', ['<bpmn:startEvent id="start" />', stop, flow('f1', 'start', 'done')].join('\n')));
    const c = await startCase(admin, 't-io-end', { word: 'ok' });
    await waitForStatus(engine.db, c.id, 'completed');
    expect(await variables(engine, c.id)).toEqual({ word: 'ok', closedWith: 'OK' });
  });

  describe('publishing', () => {
    const problems = async (xml: string) => {
      const result = await compileBpmn(xml);
      return result.ok ? [] : result.problems;
    };
    const process = (task: string) => bpmn('t-io-bad', ['<bpmn:startEvent id="start" />', task, end('done'), flow('f1', 'start', 'task'), flow('f2', 'task', 'done')].join('\n'));

    it('accepts the Modeler fixture and keeps elements without mappings free of the field', async () => {
      const result = await compileBpmn(FIXTURE);
      if (!result.ok) throw new Error(JSON.stringify(result.problems));
      expect(result.graph.nodes.review.ioMapping?.outputs.map((o) => o.target)).toEqual(['approved', 'review.note', 'review.by']);
      expect(result.graph.nodes.decision).not.toHaveProperty('ioMapping');
      expect(result.graph.nodes.submitted).not.toHaveProperty('ioMapping');
    });

    it('refuses a source that is not FEEL and a target that is not a name, naming the element', async () => {
      const found = await problems(process(userTask('task', 'assignee="admin"', io({ ok: '=1' }, { broken: '=1 +', 'not-a-name': '=2', 'a.null': '=3' }))));
      expect(found).toEqual(
        expect.arrayContaining([
          { elementId: 'task', message: expect.stringContaining('output mapping "broken": source is not valid FEEL') },
          { elementId: 'task', message: expect.stringContaining('target "not-a-name" is not a variable name') },
          { elementId: 'task', message: expect.stringContaining('FEEL keyword "null"') },
        ]),
      );
      expect(found).toHaveLength(3);
    });

    it('refuses ioMapping where the engine does not apply it: gateways, boundary events, start-event and end-event inputs', async () => {
      const xml = bpmn(
        't-io-where',
        [
          `<bpmn:startEvent id="start"><bpmn:extensionElements>${io({ a: '=1' })}</bpmn:extensionElements></bpmn:startEvent>`,
          `<bpmn:exclusiveGateway id="gw"><bpmn:extensionElements>${io({ a: '=1' })}</bpmn:extensionElements></bpmn:exclusiveGateway>`,
          userTask('task', 'assignee="admin"'),
          `<bpmn:boundaryEvent id="late" attachedToRef="task"><bpmn:extensionElements>${io({}, { late: '=true' })}</bpmn:extensionElements><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>`,
          `<bpmn:endEvent id="done"><bpmn:extensionElements>${io({ a: '=1' })}</bpmn:extensionElements></bpmn:endEvent>`,
          flow('f1', 'start', 'gw'),
          flow('f2', 'gw', 'task'),
          flow('f3', 'task', 'done'),
          flow('f4', 'late', 'done'),
        ].join('\n'),
      );
      const found = await problems(xml);
      const about = (id: string) => found.filter((p) => p.elementId === id).map((p) => p.message);
      expect(about('start')).toEqual([expect.stringContaining('input mappings are not supported on a start event')]);
      expect(about('gw')).toEqual([expect.stringContaining('zeebe:ioMapping is not supported on a gateway')]);
      expect(about('late')).toEqual([expect.stringContaining('zeebe:ioMapping is not supported on a boundary event')]);
      expect(about('done')).toEqual([expect.stringContaining('input mappings are not supported on an end event')]);
      expect(about('task')).toEqual([]);
    });
  });
});
