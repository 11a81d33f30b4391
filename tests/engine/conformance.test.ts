import fs from 'node:fs';
import path from 'node:path';
import type TestAgent from 'supertest/lib/agent';
import { compileBpmn, type ProcessProblem } from '../../lib/bpmn/compile';
import { startMessageOf, type GraphNode, type ProcessGraph } from '../../lib/bpmn/graph';
import request from 'supertest';
import { caseRow, jobWorkerAuth, openTasks, startCase, startEngine, type Engine, type TaskRow } from './harness';

/**
 * A conformance corpus of Camunda Modeler files (tests/fixtures/camunda/): every file is compiled
 * and checked against the `expect:` line of its header comment, the publish rate is printed, and
 * every file that publishes is published through the API and driven to its end on the real engine
 * by a generic driver (claim when offered to a group or to several users, decide with an outcome
 * the task offers, deliver the messages the case waits for, let short boundary timers fire).
 */
const DIR = path.resolve(__dirname, '../fixtures/camunda');

/** What the problems of each refused file must say (its header comment says it in words). */
const REFUSALS: Record<string, RegExp> = {
  'feel-candidate-groups.bpmn': /candidate group ".*" is not a role/,
};

/** The two files written before the corpus carry no expect line; both publish (modeler-compat, io-mapping tests). */
const WITHOUT_EXPECT_LINE: Record<string, 'publish'> = { 'artifacts-and-pass-through.bpmn': 'publish', 'io-mapping-approval.bpmn': 'publish' };

/** Start variables the files' gateways, countersigns and FEEL expressions read (their comments name them). */
const START_VARIABLES: Record<string, Record<string, unknown>> = {
  'io-mapping-approval.bpmn': { amount: 50 },
  'contract-filing.bpmn': { area: 20000 },
  'joint-review-inclusive.bpmn': { hasFireSystem: true, hasElevator: true },
  'qualification-countersign.bpmn': { signers: ['city.staff', 'city.leader'] },
  'owners-vote-ratio.bpmn': {
    checkers: [
      { user: 'gusu.staff', role: 'district' },
      { user: 'city.staff', role: 'city' },
      { user: 'city.leader', role: 'leader' },
    ],
  },
  'fee-adjustment.bpmn': { oldFee: 2, newFee: 2.5 },
  'fee-script-task.bpmn': { area: 120, unitPrice: 2.5 },
  'credit-rule-task.bpmn': { creditScore: 82, majorViolation: false },
  'elevator-inspection-jobs.bpmn': { elevatorList: ['1号梯', '2号梯'] },
  'hotline-message-start.bpmn': { ticketNo: 'RX2026120100123' },
  'emergency-repair-colors.bpmn': { hazard: '电梯困人' },
  'committee-election-filing.bpmn': { noticePeriod: 'PT1S' },
  'star-rating.bpmn': { reviewer: 'gusu.staff' },
  'special-inspection-multi-instance.bpmn': { projects: ['金鸡湖花园', '平江新城'] },
};

/**
 * The result a driven case ends with when it is not "approved": the path the driver's choices take
 * (approve where offered, else the first outcome; interrupting timers left to fire).
 */
const RESULTS: Record<string, string> = {
  'overdue-escalation.bpmn': 'escalated', // the timer escalated the task to the leader
  'dispute-mediation.bpmn': 'mediated', // the first of its own outcomes
  'complaint-withdrawal.bpmn': 'withdrawn', // the terminate end event stopped the other branch
};

/** Variables a job worker completes each external job type with (the driver completes every job). */
const JOB_VARIABLES: Record<string, Record<string, unknown>> = { 'elevator-registry-lookup': { registered: true, lastInspection: '2026-05-01' } };

/** Variables sent with each message a case waits for. */
const MESSAGE_VARIABLES: Record<string, Record<string, unknown>> = { 'fund-deposit-receipt': { amountPaid: 5000 } };

/** Who acts for a candidate group: a demo user holding the role in the case's district and street (姑苏区, 平江街道). */
const ROLE_ACTOR: Record<string, string> = {
  district_staff: 'gusu.staff',
  street_office: 'pingjiang.street',
  city_staff: 'city.staff',
  city_leader: 'city.leader',
  admin_centre: 'centre',
  enterprise: 'dongwu.ent',
};
const CASE_PLACE = { districtCode: '320508', streetCode: '320508001' };
/** Files whose tasks go to the applicant enterprise: the administrator applies on that enterprise's behalf. */
const APPLY_FOR: Record<string, string> = { 'rectification-subprocess.bpmn': 'dongwu.ent' };

/** Element names the construct summary leaves out: every file has them. */
const PLUMBING = new Set(['definitions', 'process', 'incoming', 'outgoing', 'sequenceFlow', 'extensionElements', 'conditionExpression', 'text', 'property', 'properties', 'input', 'output', 'header', 'flowNodeRef']);

interface CorpusFile {
  file: string;
  xml: string;
  expected: 'publish' | 'refused';
  reason: string;
  constructs: string;
}

function readCorpus(): CorpusFile[] {
  return fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith('.bpmn'))
    .sort()
    .map((file) => {
      const xml = fs.readFileSync(path.join(DIR, file), 'utf8');
      const header = /<!--([\s\S]*?)-->/.exec(xml)?.[1] ?? '';
      const line = /^\s*expect:\s*(publish|refused)\b\s*(.*)$/m.exec(header);
      const expected = (line?.[1] as CorpusFile['expected'] | undefined) ?? WITHOUT_EXPECT_LINE[file];
      if (!expected) throw new Error(`${file}: no "expect:" line in its header comment`);
      // What the file uses, from the XML itself (DI and plumbing left out), in document order.
      const process = xml.replace(/<bpmndi:BPMNDiagram[\s\S]*$/, '');
      const used = [...new Set([...process.matchAll(/<(bpmn|zeebe):(\w+)/g)].map((m) => (m[1] === 'zeebe' ? `zeebe:${m[2]}` : m[2])))].filter((n) => !PLUMBING.has(n));
      return { file, xml, expected, reason: line?.[2]?.trim() ?? '', constructs: used.join(', ') };
    });
}

const CORPUS = readCorpus();
const PUBLISHING = CORPUS.filter((c) => c.expected === 'publish').map((c) => c.file);
const REFUSED = CORPUS.filter((c) => c.expected === 'refused').map((c) => c.file);
const byFile = (file: string) => CORPUS.find((c) => c.file === file)!;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const splitList = (text: string | null | undefined) =>
  (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

describe('conformance corpus of Camunda Modeler files (tests/fixtures/camunda/)', () => {
  const compiled = new Map<string, { ok: true; graph: ProcessGraph } | { ok: false; problems: ProcessProblem[] }>();

  beforeAll(async () => {
    for (const c of CORPUS) compiled.set(c.file, await compileBpmn(c.xml));
  });

  it('holds at least 20 files besides the first two, most of them publishing, and names a refusal pattern for each refused file', () => {
    expect(CORPUS.filter((c) => !(c.file in WITHOUT_EXPECT_LINE)).length).toBeGreaterThanOrEqual(20);
    expect(PUBLISHING.length).toBeGreaterThan(REFUSED.length);
    expect(REFUSED.slice().sort()).toEqual(Object.keys(REFUSALS).sort());
    for (const file of REFUSED) expect({ file, reason: byFile(file).reason }).toEqual({ file, reason: expect.stringMatching(/\S/) });
  });

  it('compiles every file as its expect line says, and reports the publish rate', () => {
    const rows = CORPUS.map((c) => {
      const result = compiled.get(c.file)!;
      return { ...c, ok: result.ok, problems: result.ok ? [] : result.problems };
    });
    const published = rows.filter((r) => r.ok).length;
    const width = Math.max(...rows.map((r) => r.file.length));
    const table = [
      `${'file'.padEnd(width)}  ${'expected'.padEnd(8)}  ${'result'.padEnd(9)}  constructs`,
      ...rows.flatMap((r) => [`${r.file.padEnd(width)}  ${r.expected.padEnd(8)}  ${(r.ok ? 'published' : 'refused').padEnd(9)}  ${r.constructs}`, ...r.problems.map((p) => `${' '.repeat(width)}    ${p.elementId}: ${p.message}`)]),
      `publish rate: ${published} of ${rows.length} (${Math.round((published / rows.length) * 100)}%)`,
    ].join('\n');
    console.log(`Camunda Modeler conformance corpus\n${table}`);

    for (const r of rows) {
      if (r.expected === 'publish') expect({ file: r.file, problems: r.problems }).toEqual({ file: r.file, problems: [] });
      else {
        expect({ file: r.file, refused: r.problems.length > 0 }).toEqual({ file: r.file, refused: true });
        // Every problem is about the refused construct: nothing else in the file is wrong.
        for (const p of r.problems) expect({ file: r.file, message: p.message }).toEqual({ file: r.file, message: expect.stringMatching(REFUSALS[r.file]) });
      }
    }
  });

  describe('through the API, on the real engine', () => {
    let engine: Engine;
    let admin: TestAgent;
    const usernames = new Map<number, string>();

    beforeAll(async () => {
      engine = await startEngine();
      admin = await engine.as('admin');
      for (const u of await engine.db('users').select('id', 'username')) usernames.set(u.id, u.username);
      // The corpus's DMN files are published first, as Camunda deploys them beside the processes calling them.
      for (const file of fs.readdirSync(DIR).filter((f) => f.endsWith('.dmn'))) {
        const res = await admin.post('/api/decisions').send({ xml: fs.readFileSync(path.join(DIR, file), 'utf8') });
        if (res.status !== 201) throw new Error(`${file} does not publish: ${res.status} ${JSON.stringify(res.body)}`);
      }
    });

    it('evaluates the decision a business rule task calls, and refuses a DMN file that does not validate', async () => {
      const broken = await admin.post('/api/decisions').send({ xml: fs.readFileSync(path.join(DIR, 'credit-level.dmn'), 'utf8').replace('<text>&gt;= 90</text>', '<text>&gt;= </text>') });
      expect(broken.status).toBe(422);
      expect(broken.body.error.details.length).toBeGreaterThan(0);
      // The same file again makes no new version.
      const again = await admin.post('/api/decisions').send({ xml: fs.readFileSync(path.join(DIR, 'credit-level.dmn'), 'utf8') });
      expect(again.body.decisions).toEqual([expect.objectContaining({ decisionId: 'credit-level', version: 1, unchanged: true })]);
      const listed = await admin.get('/api/decisions');
      expect((listed.body as Array<{ decision_id: string }>).map((d) => d.decision_id)).toContain('credit-level');
    });
    afterAll(() => engine.stop());

    it('refuses every file expected to be refused, with its reason', async () => {
      for (const file of REFUSED) {
        const res = await admin.post('/api/processes').send({ xml: byFile(file).xml });
        expect({ file, status: res.status }).toEqual({ file, status: 422 });
        const reasons = (res.body.error?.details ?? []).map((d: { reason: string }) => d.reason);
        expect({ file, reasons }).toEqual({ file, reasons: expect.arrayContaining([expect.stringMatching(REFUSALS[file])]) });
      }
    });

    /** The user who acts on an open task: its holder, else a candidate user, else a demo user of its first candidate group. */
    const actorOf = (task: TaskRow & { candidate_users?: string; candidate_groups?: string }) => {
      if (task.assignee_id) return { username: usernames.get(task.assignee_id)!, claim: false };
      const user = splitList(task.candidate_users)[0];
      if (user) return { username: user, claim: true };
      const group = splitList(task.candidate_groups)[0];
      if (group && ROLE_ACTOR[group]) return { username: ROLE_ACTOR[group], claim: true };
      throw new Error(`task ${task.task_key} has no holder, candidate user or known candidate group`);
    };

    /** Boundary timers short enough to wait for: an interrupting one decides or escalates the task itself. */
    const timersOf = (graph: ProcessGraph, node: GraphNode | undefined) =>
      node?.kind === 'userTask' ? node.boundaryIds.map((id) => graph.nodes[id]).filter((b): b is Extract<GraphNode, { kind: 'boundaryTimer' }> => b?.kind === 'boundaryTimer') : [];

    /** Drives a case to its end; answers what it did, for the failure message. */
    async function drive(graph: ProcessGraph, caseId: number, file: string): Promise<string[]> {
      const log: string[] = [];
      const firstSeen = new Map<number, number>();
      const deadline = Date.now() + 60_000;
      for (let round = 0; round < 600 && Date.now() < deadline; round++) {
        const row = await caseRow(engine.db, caseId);
        if (row.status !== 'running') return log;
        let acted = false;

        // The case's own tasks and those of the cases its call activities started.
        const childIds = (await engine.db('cases').where('parent_case_id', caseId).pluck('id')) as number[];
        const tasks = [...(await openTasks(engine.db, caseId)), ...(childIds.length ? await engine.db('case_tasks').whereIn('case_id', childIds).where('status', 'open').orderBy('id') : [])];
        for (const task of tasks as Array<TaskRow & { candidate_users?: string; candidate_groups?: string; outcomes?: string; pooled?: number }>) {
          if (!firstSeen.has(task.id)) firstSeen.set(task.id, Date.now());
          const node = graph.nodes[task.node_id];
          const timers = timersOf(graph, node);
          // An interrupting timer decides (autoOutcome) or escalates the task: leave it to the timer.
          if (timers.some((t) => t.interrupting)) continue;
          // Let a reminder fire at least once before deciding.
          if (timers.length && Date.now() - firstSeen.get(task.id)! < 2500) continue;

          // A task offered to nobody waits in the 待分配 pool: the administrator assigns it first.
          if (task.pooled && !task.assignee_id) {
            const to = (await engine.db('users').where('username', ROLE_ACTOR.district_staff).first('id')).id as number;
            const assigned = await admin.post(`/api/tasks/${task.id}/transfer`).send({ to, comment: 'conformance run' });
            if (assigned.status !== 200) throw new Error(`${file}: the administrator could not assign ${task.task_key}: ${assigned.status} ${JSON.stringify(assigned.body)}`);
            log.push(`admin assigned ${task.task_key} to ${ROLE_ACTOR.district_staff}`);
            task.assignee_id = to;
          }
          const { username, claim } = actorOf(task);
          const agent = await engine.as(username);
          if (claim) {
            const claimed = await agent.post(`/api/tasks/${task.id}/claim`).send({});
            if (claimed.status !== 200) throw new Error(`${file}: ${username} could not claim ${task.task_key}: ${claimed.status} ${JSON.stringify(claimed.body)}`);
          }
          const offered = splitList(task.outcomes).length ? splitList(task.outcomes) : node?.kind === 'userTask' ? node.outcomes : ['approve'];
          const outcome = task.kind === 'supplement' ? 'supply' : offered.includes('approve') ? 'approve' : offered[0];
          const decided = await agent.post(`/api/tasks/${task.id}/decide`).send({ outcome, comment: 'conformance run' });
          if (decided.status !== 200) {
            // A countersign instance may close when another decides the task; anything else is a failure.
            const still = await engine.db('case_tasks').where({ id: task.id }).first('status');
            if (still?.status === 'open') throw new Error(`${file}: ${username} could not decide ${task.task_key} (${outcome}): ${decided.status} ${JSON.stringify(decided.body)}`);
          }
          log.push(`${username} ${claim ? 'claimed and ' : ''}decided ${task.task_key}: ${outcome}`);
          acted = true;
          break; // the case moved on: look again
        }

        if (!acted) {
          // External jobs: a job worker activates and completes each (its variables by job type).
          for (const job of (await engine
            .db('case_jobs')
            .whereIn('case_id', [caseId, ...childIds])
            .where('status', 'open')) as Array<{ id: number; type: string; node_id: string }>) {
            const worker = request(engine.app);
            const activated = await worker.post('/api/jobs/activate').set('Authorization', jobWorkerAuth()).send({ type: job.type, maxJobsToActivate: 32 });
            if (activated.status !== 200) throw new Error(`${file}: jobs of type ${job.type} could not be activated: ${activated.status} ${JSON.stringify(activated.body)}`);
            for (const got of activated.body.jobs as Array<{ key: string; elementId: string }>) {
              const done = await worker
                .post(`/api/jobs/${got.key}/complete`)
                .set('Authorization', jobWorkerAuth())
                .send({ variables: JOB_VARIABLES[job.type] ?? {} });
              if (done.status !== 204) throw new Error(`${file}: job ${got.key} (${job.type}) not completed: ${done.status} ${JSON.stringify(done.body)}`);
              log.push(`worker completed ${job.type} at ${got.elementId}`);
              acted = true;
            }
          }
        }
        if (!acted) {
          for (const sub of await engine.db('case_message_subscriptions').where({ case_id: caseId, open: true })) {
            const res = await admin.post('/api/messages').send({ name: sub.message_name, correlationKey: sub.correlation_key, variables: MESSAGE_VARIABLES[sub.message_name] ?? {} });
            if (res.status !== 200) throw new Error(`${file}: message ${sub.message_name} (${sub.correlation_key}) not delivered: ${res.status} ${JSON.stringify(res.body)}`);
            log.push(`delivered ${sub.message_name} to ${sub.node_id}`);
            acted = true;
            // Wait until the case has consumed it, so it is not delivered twice.
            for (let i = 0; i < 100; i++) {
              const open = await engine.db('case_message_subscriptions').where({ case_id: caseId, node_id: sub.node_id, open: true }).first();
              if (!open) break;
              await sleep(100);
            }
          }
        }
        if (!acted) await sleep(250);
      }
      throw new Error(`${file}: case ${caseId} did not end within the bound; did: ${log.join('; ')}`);
    }

    const startedByMessage = async (name: string, variables: Record<string, unknown>) => {
      const res = await admin.post('/api/messages').send({ name, correlationKey: 'conformance', variables });
      if (res.status !== 200 || res.body.started?.length !== 1) throw new Error(`the message ${name} started no case: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.started[0] as { id: number };
    };

    it('a process a message starts is no one’s to start from a form', async () => {
      const { xml } = byFile('hotline-message-start.bpmn');
      expect([200, 201]).toContain((await admin.post('/api/processes').send({ xml, status: 'enabled' })).status);
      const res = await admin.post('/api/cases').send({ processKey: 'wy-hotline-complaint', formData: {} });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('started_by_message');
      const startable = await admin.get('/api/processes/startable');
      expect((startable.body as Array<{ key: string }>).map((p) => p.key)).not.toContain('wy-hotline-complaint');
      // A message nothing waits for and no process starts on is still a 404.
      expect((await admin.post('/api/messages').send({ name: 'nobody-listens', correlationKey: 'x', variables: {} })).status).toBe(404);
    });

    it.each(PUBLISHING)('%s publishes and runs a case to its end', async (file) => {
      const { xml } = byFile(file);
      const result = await compileBpmn(xml);
      if (!result.ok) throw new Error(`${file} does not compile: ${JSON.stringify(result.problems)}`);
      // A process its call activities call is published first (the corpus holds it).
      for (const node of Object.values(result.graph.nodes)) {
        if (node.kind !== 'callActivity') continue;
        const called = CORPUS.find((c) => c.xml.includes(`process id="${node.processId}"`));
        if (called) expect((await admin.post('/api/processes').send({ xml: called.xml, status: 'enabled' })).status).toBe(201);
      }
      const published = await admin.post('/api/processes').send({ xml, status: 'enabled' });
      expect({ file, status: published.status, body: published.status === 201 ? null : published.body }).toEqual({ file, status: 201, body: null });

      const applicantOrganisationId = APPLY_FOR[file] ? ((await engine.db('users').where('username', APPLY_FOR[file]).first('organisation_id')).organisation_id as number) : undefined;
      // A message start event's case begins with that message (POST /api/messages); the others from a form.
      const message = startMessageOf(result.graph);
      const started = message
        ? await startedByMessage(message, START_VARIABLES[file] ?? {})
        : await startCase(admin, result.graph.processKey, START_VARIABLES[file] ?? {}, { ...CASE_PLACE, ...(applicantOrganisationId ? { applicantOrganisationId } : {}) });
      const log = await drive(result.graph, started.id, file);
      const row = await caseRow(engine.db, started.id);
      if (file === 'credit-rule-task.bpmn') expect(JSON.parse(row.variables)).toMatchObject({ creditLevel: 'B' });
      expect({ file, status: row.status, result: row.result, log }).toEqual({ file, status: 'completed', result: RESULTS[file] ?? 'approved', log });
    });
  });
});
