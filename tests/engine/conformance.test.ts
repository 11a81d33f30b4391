import fs from 'node:fs';
import path from 'node:path';
import type TestAgent from 'supertest/lib/agent';
import { compileBpmn, type ProcessProblem } from '../../lib/bpmn/compile';
import { startMessageOf, type ProcessGraph } from '../../lib/bpmn/graph';
import { caseDriver, publishDecisionFiles, startCorpusEngine } from './corpus-driver';
import { caseRow, startCase, type Engine } from './harness';

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
    let usernames = new Map<number, string>();

    beforeAll(async () => {
      ({ engine, admin, usernames } = await startCorpusEngine());
      for (const r of await publishDecisionFiles(admin, DIR, /\.dmn$/)) if (r.status !== 201) throw new Error(`${r.file} does not publish: ${r.status} ${r.detail}`);
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

    const drive = (graph: ProcessGraph, caseId: number, file: string) =>
      caseDriver(engine, admin, usernames, { roleActor: ROLE_ACTOR, messageVariables: MESSAGE_VARIABLES, jobVariables: JOB_VARIABLES, waitForTaskTimers: true })(graph, caseId, file);

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
