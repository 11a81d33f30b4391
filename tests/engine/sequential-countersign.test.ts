import type TestAgent from 'supertest/lib/agent';
import { bpmn, decide, flow, openTaskAt, openTasks, publish, startCase, startEngine, userTask, waitForStatus, type Engine } from './harness';

/**
 * 逐级会签: a sequential multi-instance user task opens one signer's task at a time, in the
 * collection's order; each approval opens the next, the last approves the step, a rejection
 * rejects at once (those after never see it).
 */
const LOOP =
  '<bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=signers" inputElement="signer" /></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>';

describe('sequential countersign', () => {
  let engine: Engine;
  let admin: TestAgent;

  beforeAll(async () => {
    engine = await startEngine();
    admin = await engine.as('admin');
    await publish(
      engine.db,
      bpmn(
        't-seq-sign',
        ['<bpmn:startEvent id="start" />', userTask('sign', 'assignee="=signer"').replace('</bpmn:userTask>', `${LOOP}</bpmn:userTask>`), '<bpmn:endEvent id="end" />', flow('f1', 'start', 'sign'), flow('f2', 'sign', 'end')].join('\n'),
      ),
    );
  });
  afterAll(() => engine.stop());

  const signers = ['gusu.staff', 'city.leader', 'centre'];
  const holderOfOpen = async (caseId: number) => {
    const open = await openTasks(engine.db, caseId);
    expect(open).toHaveLength(1);
    return (await engine.db('users').where('id', open[0].assignee_id).first('username')).username as string;
  };

  it('opens one signer at a time, in order, and approves after the last', async () => {
    const c = await startCase(admin, 't-seq-sign', { signers }, { districtCode: '320508' });
    for (const [i, who] of signers.entries()) {
      const [task] = await openTaskAt(engine.db, c.id, 'sign');
      expect(task.task_key).toBe(`sign#1.${i + 1}`);
      expect(await holderOfOpen(c.id)).toBe(who);
      await decide(await engine.as(who), task.id, 'approve');
    }
    await waitForStatus(engine.db, c.id, 'completed');
    expect((await engine.db('cases').where('id', c.id).first('result')).result).toBe('approved');
  });

  it('rejects at the first rejection; later signers never get the task', async () => {
    const c = await startCase(admin, 't-seq-sign', { signers }, { districtCode: '320508' });
    const [first] = await openTaskAt(engine.db, c.id, 'sign');
    await decide(await engine.as('gusu.staff'), first.id, 'approve');
    await waitFor2(c.id);
    const [second] = (await openTasks(engine.db, c.id)).filter((t) => t.task_key === 'sign#1.2');
    await decide(await engine.as('city.leader'), second.id, 'reject');
    await waitForStatus(engine.db, c.id, 'completed');
    expect((await engine.db('cases').where('id', c.id).first('result')).result).toBe('rejected');
    expect(await engine.db('case_tasks').where({ case_id: c.id }).orderBy('id').pluck('task_key')).toEqual(['sign#1.1', 'sign#1.2']);
  });

  const waitFor2 = (caseId: number) =>
    openTaskAt(engine.db, caseId, 'sign').then(async () => {
      for (let i = 0; i < 100; i++) {
        if ((await openTasks(engine.db, caseId)).some((t) => t.task_key === 'sign#1.2')) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the second signer never got the task');
    });
});
