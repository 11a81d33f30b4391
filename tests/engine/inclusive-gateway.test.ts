import type TestAgent from 'supertest/lib/agent';
import { bpmn, decide, flow, historyKinds, openTaskAt, openTasks, publish, startCase, startEngine, userTask, waitForStatus, type Engine } from './harness';

/**
 * Inclusive gateways: the fork takes every branch whose condition holds (else the default), the
 * join waits until no live token can still reach it — so it merges exactly the branches taken,
 * and a branch that ends elsewhere does not hold it up.
 */
describe('inclusive gateways', () => {
  let engine: Engine;
  let admin: TestAgent;
  let staff: TestAgent;

  beforeAll(async () => {
    engine = await startEngine();
    admin = await engine.as('admin');
    staff = await engine.as('gusu.staff');
    await publish(
      engine.db,
      bpmn(
        't-inclusive',
        [
          '<bpmn:startEvent id="start" />',
          '<bpmn:inclusiveGateway id="fork" default="toNone" />',
          userTask('fire', 'candidateGroups="district_staff"'),
          userTask('lift', 'candidateGroups="district_staff"'),
          userTask('gas', 'candidateGroups="district_staff"', '', { outcomes: 'approve,stop' }),
          '<bpmn:exclusiveGateway id="gasOk" default="gasToJoin" />',
          '<bpmn:endEvent id="gasStopped"><bpmn:extensionElements><zeebe:properties><zeebe:property name="result" value="stopped" /></zeebe:properties></bpmn:extensionElements></bpmn:endEvent>',
          '<bpmn:inclusiveGateway id="join" />',
          userTask('summary', 'candidateGroups="district_staff"'),
          '<bpmn:endEvent id="end" />',
          flow('f0', 'start', 'fork'),
          flow('toFire', 'fork', 'fire', '=fire = true'),
          flow('toLift', 'fork', 'lift', '=lift = true'),
          flow('toGas', 'fork', 'gas', '=gas = true'),
          flow('toNone', 'fork', 'join'),
          flow('f1', 'fire', 'join'),
          flow('f2', 'lift', 'join'),
          flow('f3', 'gas', 'gasOk'),
          flow('gasToStop', 'gasOk', 'gasStopped', '=outcome = "stop"'),
          flow('gasToJoin', 'gasOk', 'join'),
          flow('f4', 'join', 'summary'),
          flow('f5', 'summary', 'end'),
        ].join('\n'),
      ),
    );
  });
  afterAll(() => engine.stop());

  const handle = async (caseId: number, nodeId: string, outcome = 'approve') => {
    const [task] = await openTaskAt(engine.db, caseId, nodeId);
    expect((await staff.post(`/api/tasks/${task.id}/claim`)).status).toBe(200);
    await decide(staff, task.id, outcome);
  };
  const openNodes = async (caseId: number) => (await openTasks(engine.db, caseId)).map((t) => t.node_id).sort();

  it('forks to the branches whose conditions hold and joins exactly those', async () => {
    const c = await startCase(admin, 't-inclusive', { fire: true, lift: true, gas: false }, { districtCode: '320508' });
    await openTaskAt(engine.db, c.id, 'lift');
    await openTaskAt(engine.db, c.id, 'fire');
    expect(await openNodes(c.id)).toEqual(['fire', 'lift']);
    await handle(c.id, 'fire');
    // One branch still on its way: the join waits.
    await new Promise((r) => setTimeout(r, 700));
    expect(await openNodes(c.id)).toEqual(['lift']);
    await handle(c.id, 'lift');
    await handle(c.id, 'summary');
    await waitForStatus(engine.db, c.id, 'completed');
    expect((await historyKinds(engine.db, c.id)).filter((k) => k === 'task_created')).toHaveLength(3);
  });

  it('takes the default flow when no condition holds', async () => {
    const c = await startCase(admin, 't-inclusive', { fire: false, lift: false, gas: false }, { districtCode: '320508' });
    await handle(c.id, 'summary');
    await waitForStatus(engine.db, c.id, 'completed');
  });

  it('does not wait for a branch that ended elsewhere', async () => {
    const c = await startCase(admin, 't-inclusive', { fire: true, lift: false, gas: true }, { districtCode: '320508' });
    await openTaskAt(engine.db, c.id, 'gas');
    await handle(c.id, 'fire');
    await new Promise((r) => setTimeout(r, 500));
    expect(await openNodes(c.id)).toEqual(['gas']);
    // The gas check stops its branch at its own end event; the join goes on with the fire branch.
    await handle(c.id, 'gas', 'stop');
    await handle(c.id, 'summary');
    await waitForStatus(engine.db, c.id, 'completed');
  });
});
