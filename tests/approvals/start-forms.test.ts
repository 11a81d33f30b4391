import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type TestAgent from 'supertest/lib/agent';
import { beijingDate } from '../../activities/approvals/support';
import { caseStartForm } from '../../lib/approvals/forms';
import type { FormComponent, FormSchema } from '../../lib/forms/form-schema';
import { walkComponents } from '../../lib/forms/form-schema';
import { publishShippedProcesses, SHIPPED_PROCESSES_DIR } from '../../lib/processes/shipped';
import type { LazyTemporalClient } from '../../lib/temporal/client';
import { createApprovalsWorker } from '../../workers/approvals-worker';
import { workflowBundle } from '../engine/harness';
import { signIn, testApp } from '../helpers/api';
import { waitFor } from '../helpers/wait';
import { caseOf, openTaskAt, startCase, startPlatform, type Platform } from './harness';

/**
 * Start forms checked on the server (POST /api/cases) against the form pinned with the process
 * version: every kind of bad input refused with 400 (or 422 for a record that does not exist)
 * naming the field, nothing written and no number spent; a valid start still works; and a form
 * changed on disk and published as a new version leaves a running case's checks alone.
 */
describe('start forms', () => {
  let p: Platform;
  let dongwu: TestAgent;
  let project: { id: number; district_code: string; street_code: string };
  const materials: Record<string, { name: string; fileId: string }> = {};
  const upload = async (username: string, name: string) => {
    const res = await (
      await p.as(username)
    )
      .post('/api/files')
      .query({ name })
      .set('content-type', 'application/pdf')
      .send(Buffer.from(`%PDF-1.4 ${name} ${Math.random()}`));
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const material = async (code: string) => (materials[code] ??= { name: `${code}.pdf`, fileId: await upload('dongwu.ent', `${code}.pdf`) });
  /** The materials group's value: each code with its files. */
  const materialsOf = async (...codes: string[]) => Object.fromEntries(await Promise.all(codes.map(async (c) => [c, [await material(c)]])));
  /** The material codes (file pickers of the materials group) of a form. */
  const codesOf = (form: FormSchema) => {
    const codes: string[] = [];
    walkComponents(form.components, (c, parents) => c.type === 'filepicker' && parents.at(-1)?.path === 'materials' && codes.push(c.key!));
    return codes;
  };
  /** Cases, history rows and case numbers spent: none may change on a refused start. */
  const written = async () => ({
    cases: Number((await p.db('cases').count({ n: '*' }).first())!.n),
    history: Number((await p.db('case_history').count({ n: '*' }).first())!.n),
    numbers: await p.db('case_number_counters').orderBy('counter_key').select('counter_key', 'last_value'),
    links: Number((await p.db('file_links').count({ n: '*' }).first())!.n),
  });

  beforeAll(async () => {
    p = await startPlatform('start-forms');
    dongwu = await p.as('dongwu.ent');
    project = await p.db('property_projects').where('district_code', '320508').whereNotNull('street_code').orderBy('id').first('id', 'district_code', 'street_code');
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('refuses every kind of bad input with 400 naming the field, writing nothing and spending no number', async () => {
    const full = await materialsOf('business_licence', 'application_form', 'staff_certificates');
    const contract = (overrides: Record<string, unknown> = {}) => ({
      kind: 'service',
      projectId: project.id,
      contractNo: 'SF-HT-001',
      signedOn: beijingDate(),
      materials: { contract_scan: [{ name: 'scan.pdf', fileId: full.business_licence[0].fileId }] },
      ...overrides,
    });
    const before = await written();
    const refusals: Array<[string, string, Record<string, unknown>, Record<string, unknown>, Array<{ field: string; reason: unknown }>]> = [
      // The kind has a default (application); the level and the materials are required.
      [
        'empty formData',
        'qualification',
        {},
        {},
        [
          { field: 'body.formData.level', reason: 'is required' },
          { field: 'body.formData.materials.business_licence', reason: 'is required' },
          { field: 'body.formData.materials.application_form', reason: 'is required' },
          { field: 'body.formData.materials.staff_certificates', reason: 'is required' },
        ],
      ],
      [
        'bogus enum values',
        'qualification',
        { kind: 'bogus', level: 'level_9', materials: full },
        {},
        [
          { field: 'body.formData.kind', reason: 'must be one of application, change, out_of_town, review' },
          { field: 'body.formData.level', reason: 'must be one of level_1, level_2, level_3, provisional' },
        ],
      ],
      ['materials as a string', 'qualification', { kind: 'application', level: 'level_2', materials: 'x' }, {}, [{ field: 'body.formData.materials', reason: 'must be an object' }]],
      [
        'a required material missing for the kind',
        'qualification',
        { kind: 'application', level: 'level_2', materials: { business_licence: full.business_licence, application_form: full.application_form } },
        {},
        [{ field: 'body.formData.materials.staff_certificates', reason: 'is required' }],
      ],
      [
        'a material of another form, a material without a file',
        'qualification',
        { kind: 'application', level: 'level_2', materials: { ...full, business_licence: [{ fileId: 'f1', url: 'https://x' }], tax_receipt: full.business_licence } },
        {},
        [
          { field: 'body.formData.materials.business_licence', reason: 'must be uploaded files [{ fileId, name? }]' },
          { field: 'body.formData.materials.tax_receipt', reason: 'is not a field of this form' },
        ],
      ],
      ['an unknown field', 'qualification', { kind: 'application', level: 'level_2', materials: full, approvedBy: 'me' }, {}, [{ field: 'body.formData.approvedBy', reason: 'is not a field of this form' }]],
      [
        'wrong types',
        'contract-filing',
        contract({ projectId: '12', contractNo: 7, signedOn: '2026-02-30', feePerSqm: '2.5', households: -1, startsOn: 20260101 }),
        { districtCode: '320508' },
        [
          { field: 'body.formData.projectId', reason: 'must be the id (a positive integer) of a record' },
          { field: 'body.formData.contractNo', reason: 'must be text' },
          { field: 'body.formData.signedOn', reason: 'must be a date YYYY-MM-DD' },
          { field: 'body.formData.startsOn', reason: 'must be a date YYYY-MM-DD' },
          { field: 'body.formData.feePerSqm', reason: 'must be a number' },
          { field: 'body.formData.households', reason: 'must be at least 0' },
        ],
      ],
      ['a missing contract scan', 'contract-filing', contract({ materials: undefined }), { districtCode: '320508' }, [{ field: 'body.formData.materials.contract_scan', reason: 'is required' }]],
      [
        'durations, bounds and booleans',
        'tender',
        { projectId: project.id, tenderer: 'developer', depositAmount: -5, bidWindow: 'twenty days', publicityPeriod: 'P0D', minBidders: 0, title: 'x'.repeat(256) },
        {},
        [
          { field: 'body.formData.title', reason: 'must be at most 255 characters' },
          { field: 'body.formData.depositAmount', reason: 'must be at least 0' },
          { field: 'body.formData.bidWindow', reason: expect.stringContaining('ISO-8601 duration') },
          { field: 'body.formData.publicityPeriod', reason: expect.stringContaining('ISO-8601 duration') },
          { field: 'body.formData.minBidders', reason: 'must be at least 1' },
        ],
      ],
    ];
    for (const [what, processKey, formData, extra, details] of refusals) {
      const as = processKey === 'tender' ? await p.as('chengtou.dev') : dongwu;
      const res = await as.post('/api/cases').send({ processKey, formData, ...extra });
      expect({ what, status: res.status, details: res.body.error?.details }).toEqual({ what, status: 400, details });
    }
    // A list's items are checked field by field, hidden ones inside an item too.
    const committee = await (await p.as('pingjiang.oc')).post('/api/cases').send({
      processKey: 'committee-filing',
      formData: { kind: 're_election', assemblyDate: beijingDate(), members: [{ name: '', position: 'boss', officer: 'yes' }, 'x', { name: '张三', position: 'member', age: 3 }] },
    });
    expect(committee.status).toBe(400);
    expect(committee.body.error.details).toEqual([
      { field: 'body.formData.members.0.name', reason: 'is required' },
      { field: 'body.formData.members.0.position', reason: expect.stringContaining('must be one of director') },
      { field: 'body.formData.members.0.officer', reason: 'must be true or false' },
      { field: 'body.formData.members.1', reason: 'must be an object' },
      { field: 'body.formData.members.2.age', reason: 'is not a field of this form' },
    ]);
    // A ref must name a record that exists (422, like other unknown references).
    const missing = await dongwu.post('/api/cases').send({ processKey: 'contract-filing', formData: contract({ projectId: 987654 }), districtCode: '320508' });
    expect(missing.status).toBe(422);
    expect(missing.body.error.details).toEqual([{ field: 'body.formData.projectId', reason: 'no such record in projects' }]);
    expect(await written()).toEqual(before);
  });

  it('starts a valid application, ignoring a hidden field and filling defaults', async () => {
    const full = await materialsOf('business_licence', 'application_form', 'staff_certificates');
    // newName is shown only for a change: for an application it is neither checked nor kept.
    const started = await startCase(p, 'dongwu.ent', 'qualification', { level: 'level_2', materials: full, newName: 12345, branchAddress: '' });
    const row = await caseOf(p.db, started.id);
    expect(row.variables).toMatchObject({ kind: 'application', level: 'level_2' });
    expect(row.variables).not.toHaveProperty('newName');
    expect(row.variables).not.toHaveProperty('branchAddress');
    await openTaskAt(p.db, started.id, 'districtReview');
    const checks = (await caseOf(p.db, started.id)).variables.checks as Array<{ code: string; ok: boolean }>;
    expect(checks.find((c) => c.code === 'materials')?.ok).toBe(true);
    // A tender with only its required fields: the form's defaults become the case's variables.
    const tender = await startCase(p, 'chengtou.dev', 'tender', { projectId: project.id, tenderer: 'developer', depositAmount: 1000 }, { districtCode: project.district_code, streetCode: project.street_code });
    expect((await caseOf(p.db, tender.id)).variables).toMatchObject({ bidWindow: 'P20D', publicityPeriod: 'P7D', minBidders: 3, shortlistSize: 5, expertCount: 5 });
  });

  describe('a form changed and published as a new version', () => {
    let dir: string;
    let worker: Worker | null = null;
    let running: Promise<void> | null = null;
    let connection: NativeConnection | null = null;
    let paused: { temporal: LazyTemporalClient; agent: TestAgent; queue: string } | null = null;

    /** The file qualification-start.form edited (its materials group), then the shipped processes published. */
    const publishWith = async (edit: (pickers: FormComponent[]) => void) => {
      const file = path.join(dir, 'forms', 'qualification-start.form');
      const form = JSON.parse(fs.readFileSync(file, 'utf8')) as FormSchema;
      edit(form.components.find((c) => c.path === 'materials')!.components!);
      fs.writeFileSync(file, JSON.stringify(form, null, 2));
      const reports = await publishShippedProcesses(p.db, dir);
      return reports.filter((r) => r.changed).map((r) => `${r.processKey} v${r.version}`);
    };
    /** A material required for these kinds of application only. */
    const requiredFor = (code: string, label: string, kinds: string[]): FormComponent => ({
      type: 'filepicker',
      key: code,
      label,
      multiple: true,
      validate: { required: true },
      conditional: { hide: `=not(list contains(${JSON.stringify(kinds)}, kind))` },
    });

    beforeAll(async () => {
      // A copy of the shipped processes whose form files this test edits (the real ones stay).
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psp-forms-'));
      fs.cpSync(SHIPPED_PROCESSES_DIR, dir, { recursive: true });
      // A second API on a queue nobody polls yet: a case started there waits before its first step.
      const queue = `${p.taskQueue}-paused`;
      const second = testApp(p.db, { config: { APPROVALS_TASK_QUEUE: queue, CASE_SMS_TASK_QUEUE: p.sms.smsQueue, FILES_DIR: p.filesDir } });
      paused = { temporal: second.temporal, agent: await signIn(second.app, 'dongwu.ent'), queue };
    });
    afterAll(async () => {
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection?.close();
      await paused?.temporal.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('leaves the running case with the form of its version: the start check, the activity and startable follow the version', async () => {
      expect(await publishShippedProcesses(p.db, dir)).toEqual(expect.not.arrayContaining([expect.objectContaining({ changed: true })]));
      // v2: an application needs a tax certificate instead of the staff certificates.
      expect(
        await publishWith((pickers) => {
          const staff = pickers.findIndex((c) => c.key === 'staff_certificates');
          pickers[staff] = requiredFor('staff_certificates', pickers[staff].label!, ['review']);
          pickers.push(requiredFor('tax_certificate', '完税证明', ['application']));
        }),
      ).toEqual(['qualification v2']);
      const v2Materials = await materialsOf('business_licence', 'application_form', 'tax_certificate');
      // Under v2 the old set is refused, the new one starts — on the paused queue, so its checks have not run yet.
      const old = await dongwu
        .post('/api/cases')
        .send({ processKey: 'qualification', formData: { kind: 'application', level: 'level_3', materials: { ...(await materialsOf('business_licence', 'application_form', 'staff_certificates')) } } });
      expect(old.status).toBe(400);
      expect(old.body.error.details).toEqual([{ field: 'body.formData.materials.tax_certificate', reason: 'is required' }]);
      const res = await paused!.agent.post('/api/cases').send({ processKey: 'qualification', formData: { kind: 'application', level: 'level_3', materials: v2Materials } });
      expect(res.status).toBe(201);
      expect(res.body.processVersion).toBe(2);
      const caseId = res.body.id as number;

      // v3: the form on disk changes again (a fire-safety certificate for applications) and is published.
      expect(await publishWith((pickers) => pickers.push(requiredFor('fire_safety', '消防安全证明', ['application'])))).toEqual(['qualification v3']);
      const startable = (await dongwu.get('/api/processes/startable')).body as Array<{ key: string; version: number; form: FormSchema }>;
      const q = startable.find((s) => s.key === 'qualification')!;
      expect(q.version).toBe(3);
      expect(codesOf(q.form)).toContain('fire_safety');
      expect(codesOf((await caseStartForm(p.db, caseId))!)).not.toContain('fire_safety');

      // Now the case's first step runs: its automatic check reads v2's list (neither v3's nor the shipped file's).
      connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
      worker = await createApprovalsWorker({ connection, namespace: 'default', db: p.db, taskQueue: paused!.queue, workflowBundle: await workflowBundle() });
      running = worker.run();
      const checks = await waitFor('the automatic checks', async () => (await caseOf(p.db, caseId)).variables.checks as Array<{ code: string; ok: boolean; detail: string }> | undefined, { timeoutMs: 60_000 });
      expect(checks.find((c) => c.code === 'materials')).toMatchObject({ ok: true, detail: '齐全' });
      const v3 = await dongwu.post('/api/cases').send({ processKey: 'qualification', formData: { kind: 'application', level: 'level_3', materials: v2Materials } });
      expect(v3.status).toBe(400);
      expect(v3.body.error.details).toEqual([{ field: 'body.formData.materials.fire_safety', reason: 'is required' }]);
      // Publishing the same files again is no new version.
      expect((await publishShippedProcesses(p.db, dir)).filter((r) => r.changed)).toEqual([]);
    });
  });
});
