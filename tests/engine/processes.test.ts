import fs from 'node:fs';
import path from 'node:path';
import type TestAgent from 'supertest/lib/agent';
import { compileBpmn } from '../../lib/bpmn/compile';
import { cycle, durationMs } from '../../lib/bpmn/iso8601';
import { publishShippedProcesses } from '../../lib/processes/shipped';
import { bpmn, caseRow, flow, openTaskAt, startCase, startEngine, userTask, waitForStatus, type Engine } from './harness';

/** Publishing (validation with element ids, versions, the current version) and versioned cases. */
const twoSteps = (key: string, second: string) =>
  bpmn(
    key,
    ['<bpmn:startEvent id="start" />', userTask('first', 'assignee="admin"'), userTask(second, 'assignee="admin"'), '<bpmn:endEvent id="end" />', flow('f1', 'start', 'first'), flow('f2', 'first', second), flow('f3', second, 'end')].join(
      '\n',
    ),
  );

describe('process definitions', () => {
  it('compiles the shipped processes and reads ISO timers', async () => {
    const dir = path.resolve(__dirname, '../../processes');
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.bpmn'))) {
      const result = await compileBpmn(fs.readFileSync(path.join(dir, file), 'utf8'));
      expect({ file, ok: result.ok, problems: result.ok ? [] : result.problems }).toEqual({ file, ok: true, problems: [] });
    }
    expect(durationMs('P1DT2H')).toBe(26 * 3600_000);
    expect(durationMs('PT2S')).toBe(2000);
    expect(durationMs('2 days')).toBeNull();
    expect(cycle('R3/PT1H')).toEqual({ repetitions: 3, intervalMs: 3600_000 });
    expect(cycle('R/PT10M')).toEqual({ repetitions: null, intervalMs: 600_000 });
  });

  it('lists every problem of an invalid definition with its element id', async () => {
    const xml = bpmn(
      'broken',
      [
        '<bpmn:startEvent id="start" />',
        userTask('undue', 'candidateGroups="district_staff"', '<zeebe:taskSchedule dueDate="someday" />'),
        '<bpmn:serviceTask id="mystery"><bpmn:extensionElements><zeebe:taskDefinition type="launch-rockets" /></bpmn:extensionElements></bpmn:serviceTask>',
        '<bpmn:exclusiveGateway id="gw" />',
        userTask('a', 'candidateGroups="district_staff,wizards"'),
        '<bpmn:scriptTask id="script" />',
        '<bpmn:endEvent id="end" />',
        userTask('island', 'assignee="admin"'),
        flow('f1', 'start', 'undue'),
        flow('f2', 'undue', 'mystery'),
        flow('f3', 'mystery', 'gw'),
        flow('toA', 'gw', 'a', '=x > 1'),
        flow('toEnd', 'gw', 'end'),
        flow('f4', 'a', 'end'),
        flow('f5', 'island', 'end'),
      ].join('\n'),
    );
    const result = await compileBpmn(xml);
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    const ids = problems.map((p) => p.elementId);
    expect(ids).toEqual(expect.arrayContaining(['undue', 'toEnd', 'a', 'script', 'island']));
    expect(problems.find((p) => p.elementId === 'undue')!.message).toMatch(/due date/);
    // A type no platform activity has is an external job for a job worker: a note, not a problem.
    expect(ids).not.toContain('mystery');
    expect(problems.find((p) => p.elementId === 'toEnd')!.message).toMatch(/condition or must be its default/);
    expect(problems.find((p) => p.elementId === 'a')!.message).toMatch(/wizards/);
    expect(problems.filter((p) => p.elementId === 'script').map((p) => p.message)).toEqual([expect.stringMatching(/needs a FEEL zeebe:script expression/)]);
    expect(problems.find((p) => p.elementId === 'island')!.message).toMatch(/not reachable/);
  });

  describe('through the API, with cases on the real engine', () => {
    let engine: Engine;
    let admin: TestAgent;
    beforeAll(async () => {
      engine = await startEngine();
      admin = await engine.as('admin');
    });
    afterAll(() => engine.stop());

    it('answers 422 with each problem, 400 for a missing body, 403 for non-administrators', async () => {
      const res = await admin.post('/api/processes').send({ xml: bpmn('p422', '<bpmn:startEvent id="s" /><bpmn:userTask id="t" /><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="t" />') });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('invalid_process');
      expect(res.body.error.details).toEqual(
        expect.arrayContaining([
          { field: 'p422', reason: expect.stringMatching(/end event/) },
          { field: 't', reason: expect.stringMatching(/outgoing/) },
        ]),
      );
      // Camunda's own rules too, with the rule and its Chinese wording; their warnings ride on a publication.
      const headers = await admin.post('/api/processes').send({
        xml: bpmn(
          'p422-lint',
          '<bpmn:startEvent id="s" /><bpmn:serviceTask id="note"><bpmn:extensionElements><zeebe:taskDefinition type="case-note" /><zeebe:taskHeaders><zeebe:header key="note" value="a" /><zeebe:header key="note" value="b" /></zeebe:taskHeaders></bpmn:extensionElements></bpmn:serviceTask><bpmn:endEvent id="e" /><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="note" /><bpmn:sequenceFlow id="f2" sourceRef="note" targetRef="e" />',
        ),
      });
      expect(headers.status).toBe(422);
      expect(headers.body.error.details).toEqual([{ field: 'note', rule: 'camunda-compat/duplicate-task-headers', reason: expect.stringMatching(/same <Key> \(note\)/), zh: '服务任务有两个以上键（key）同为「note」' }]);
      const warned = await admin.post('/api/processes').send({ xml: twoSteps('p201-lint', 'second') });
      expect(warned.status).toBe(201);
      expect(warned.body.warnings).toContainEqual({ field: 'first', rule: 'camunda-compat/user-task-definition', reason: 'A <User Task> should have a defined <Form>', zh: '用户任务缺少表单（zeebe:formDefinition）' });
      expect((await admin.post('/api/processes').send({})).body.error.details).toEqual([{ field: 'body.xml', reason: expect.any(String) }]);
      expect((await admin.post('/api/processes').send({ xml: '<not-bpmn' })).status).toBe(422);
      expect((await (await engine.as('city.staff')).post('/api/processes').send({ xml: twoSteps('p403', 'second') })).status).toBe(403);
    });

    it('publishes versions; running cases keep theirs to the end while new cases use the current one', async () => {
      const v1 = await admin.post('/api/processes').send({ xml: twoSteps('versioned', 'second'), status: 'enabled' });
      expect(v1.status).toBe(201);
      expect(v1.body).toMatchObject({ processKey: 'versioned', version: 1, current: true });
      const old = await startCase(admin, 'versioned');
      const [first] = await openTaskAt(engine.db, old.id, 'first');

      // Version 2 renames the second step; it is staged first, then made current.
      const v2 = await admin.post('/api/processes').send({ xml: twoSteps('versioned', 'secondRenamed'), makeCurrent: false });
      expect(v2.body).toMatchObject({ version: 2, current: false });
      expect((await startCase(admin, 'versioned')).id).toBeGreaterThan(0);
      expect((await admin.put('/api/processes/versioned/current').send({ version: 9 })).status).toBe(422);
      expect((await admin.put('/api/processes/versioned/current').send({ version: 2 })).status).toBe(200);
      const fresh = await startCase(admin, 'versioned');
      await openTaskAt(engine.db, fresh.id, 'first');

      // The old case goes on with version 1's steps.
      expect((await admin.post(`/api/tasks/${first.id}/decide`).send({ outcome: 'approve' })).status).toBe(200);
      const [second] = await openTaskAt(engine.db, old.id, 'second');
      expect((await admin.post(`/api/tasks/${second.id}/decide`).send({ outcome: 'approve' })).status).toBe(200);
      await waitForStatus(engine.db, old.id, 'completed');
      expect(await engine.db('cases').whereIn('id', [old.id, fresh.id]).orderBy('id').pluck('process_version')).toEqual([1, 2]);

      const versions = await admin.get('/api/processes/versioned/versions');
      expect(versions.headers['content-range']).toBe('versions 0-1/2');
      expect(versions.body.map((v: { version: number; current: boolean }) => [v.version, v.current])).toEqual([
        [2, true],
        [1, false],
      ]);
      const one = await admin.get('/api/processes/versioned/versions/1');
      expect(one.body).toMatchObject({ version: 1, current: false, source: 'api', published_by: expect.any(Number) });
      expect(one.body.xml).toContain('id="second"');
      expect(one.body.graph.nodes.second.kind).toBe('userTask');
      expect((await admin.get('/api/processes/versioned/versions/7')).status).toBe(404);
    });

    it('publishes shipped processes once per change and numbers cases by a configurable rule', async () => {
      const first = await publishShippedProcesses(engine.db);
      // Every processes/*.bpmn ships (the domain approvals too); each is published once.
      expect(first).toEqual(expect.arrayContaining([expect.objectContaining({ processKey: 'sample-approval', version: 1, changed: true })]));
      expect((await publishShippedProcesses(engine.db)).every((r) => r.version === 1 && !r.changed)).toBe(true);
      expect((await admin.put('/api/processes/sample-approval/coding-rule').send({ pattern: 'ZZ-{yyyy}' })).status).toBe(400);
      expect((await admin.put('/api/processes/sample-approval/coding-rule').send({ pattern: 'ZZ-{district}-{yyyy}-{seq:4}' })).status).toBe(200);
      const ent = await engine.as('dongwu.ent');
      const numbers = await Promise.all([0, 1, 2].map(() => startCase(ent, 'sample-approval').then((c) => c.number)));
      const year = new Date().getFullYear();
      expect(numbers.sort()).toEqual([`ZZ-320508-${year}-0001`, `ZZ-320508-${year}-0002`, `ZZ-320508-${year}-0003`]);
      const list = await admin.get('/api/processes');
      expect(list.body.find((p: { id: string }) => p.id === 'sample-approval')).toMatchObject({ current_version: 1, latest_version: 1, coding_rule: 'ZZ-{district}-{yyyy}-{seq:4}' });
      const unknown = await ent.post('/api/cases').send({ processKey: 'no-such-process' });
      expect(unknown.status).toBe(422);
      expect((await ent.post('/api/cases').send({ processKey: 'sample-approval', applicantOrganisationId: 1 })).status).toBe(403);
      const latest = (await engine.db('cases').max('id as id').first()) as { id: number };
      expect((await caseRow(engine.db, latest.id)).status).toBe('running');
    });
  });
});
