import fs from 'node:fs';
import path from 'node:path';
import type TestAgent from 'supertest/lib/agent';
import { caseOf, openTaskAt, startPlatform, waitForEnd, type Platform } from './harness';
import { waitFor } from '../helpers/wait';

/**
 * Camunda forms (docs/approvals.md, "Forms"): a process published with form-js forms through
 * POST /api/processes, as Camunda deploys .form files with a .bpmn. The start form refuses bad
 * input on the server, naming each field, and accepts good input; the task form's values become
 * case variables and route the FEEL gateway; a read-only field cannot be overwritten; forms are
 * versioned with the process; a missing start form, a broken form and an unknown form key are
 * refused at publishing; the older embedded zeebe:userTaskForm works too.
 */
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'forms');
const read = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');
const XML = read('site-check.bpmn');
const APPLY = JSON.parse(read('site-check-apply.form')) as Record<string, unknown>;
const REVIEW = JSON.parse(read('site-check-review.form')) as Record<string, unknown>;

describe('Camunda forms', () => {
  let p: Platform;
  let admin: TestAgent;
  let dongwu: TestAgent;
  const publish = (body: Record<string, unknown>) => admin.post('/api/processes').send({ status: 'enabled', ...body });
  const written = async () => Number((await p.db('cases').count({ n: '*' }).first())!.n);

  beforeAll(async () => {
    p = await startPlatform('camunda-forms');
    admin = await p.as('admin');
    dongwu = await p.as('dongwu.ent');
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('refuses at publishing a start form that is missing or broken, and an unknown form key', async () => {
    const missing = await publish({ xml: XML, forms: { 'site-check-review': REVIEW } });
    expect(missing.status).toBe(422);
    expect(missing.body.error.details).toEqual([{ field: 'applied', reason: expect.stringContaining('the form "site-check-apply" was not published with the process') }]);
    const broken = await publish({
      xml: XML,
      forms: {
        'site-check-apply': {
          ...APPLY,
          components: [
            { type: 'textfield', label: '无键' },
            { type: 'select', key: 'x' },
            { type: 'iframe', key: 'y' },
            { type: 'textfield', key: 'z', conditional: { hide: '=a ==' } },
          ],
        },
        'site-check-review': REVIEW,
      },
    });
    expect(broken.status).toBe(422);
    expect((broken.body.error.details as Array<{ reason: string }>).map((d) => d.reason)).toEqual([
      expect.stringContaining('a textfield without a usable key'),
      expect.stringContaining('a select without options'),
      expect.stringContaining('the iframe component is not supported'),
      expect.stringContaining('the hide condition'),
    ]);
    const customKey = await publish({ xml: XML.replace('<zeebe:formDefinition formId="site-check-review" />', '<zeebe:formDefinition formKey="my-app:review" />'), forms: { 'site-check-apply': APPLY } });
    expect(customKey.status).toBe(422);
    // A custom form key on a Camunda user task: Camunda 8's own rule refuses it (a job-worker user task may carry one).
    expect(customKey.body.error.details).toEqual([{ field: 'review', reason: expect.stringContaining('must have property <externalReference> or <formId>'), rule: 'camunda-compat/user-task-form', zh: expect.any(String) }]);
    expect(await p.db('processes').where('process_key', 'site-check').first()).toBeUndefined();
  });

  it('publishes the forms with the process, and the same diagram and forms again as no new version', async () => {
    const first = await publish({ xml: XML, forms: { 'site-check-apply': APPLY, 'site-check-review': REVIEW } });
    expect(first.status).toBe(201);
    // No form warning of the platform's; Camunda's rules only note that the site visit has no form.
    expect(first.body).toMatchObject({
      processKey: 'site-check',
      version: 1,
      unchanged: false,
      warnings: [{ field: 'visit', rule: 'camunda-compat/user-task-definition', reason: 'A <User Task> should have a defined <Form>', zh: '用户任务缺少表单（zeebe:formDefinition）' }],
    });
    expect((await publish({ xml: XML, forms: { 'site-check-apply': APPLY, 'site-check-review': REVIEW } })).body).toMatchObject({ version: 1, unchanged: true });
    // Left out, the linked forms are the latest version's.
    expect((await publish({ xml: XML })).body).toMatchObject({ version: 1, unchanged: true });
    const version = (await admin.get('/api/processes/site-check/versions/1')).body as { form: { id: string }; forms: Record<string, unknown> };
    expect(version.form.id).toBe('site-check-apply');
    expect(Object.keys(version.forms)).toEqual(['site-check-review']);
    const startable = (await dongwu.get('/api/processes/startable')).body as Array<{ key: string; form: { id: string } }>;
    expect(startable.find((s) => s.key === 'site-check')?.form.id).toBe('site-check-apply');
  });

  it('refuses a start the form does not allow, naming each field, and writes nothing', async () => {
    const before = await written();
    const bad = await dongwu.post('/api/cases').send({
      processKey: 'site-check',
      formData: { projectName: '一个名字很长很长很长很长很长很长很长的物业项目', contactPhone: '12345', households: 2.5, services: ['cleaning', 'gardening'], approvedBy: 'me' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([
      { field: 'body.formData.projectName', reason: 'must be at most 20 characters' },
      { field: 'body.formData.contactPhone', reason: 'must match ^1\\d{10}$' },
      { field: 'body.formData.households', reason: 'must be a whole number' },
      { field: 'body.formData.services', reason: 'must be one of cleaning, security' },
      { field: 'body.formData.approvedBy', reason: 'is not a field of this form' },
    ]);
    // The reason is required only when the kind shows it (FEEL conditional.hide).
    const complaint = await dongwu.post('/api/cases').send({ processKey: 'site-check', formData: { projectName: '金鸡湖花园', contactPhone: '13800000000', kind: 'complaint' } });
    expect(complaint.status).toBe(400);
    expect(complaint.body.error.details).toEqual([{ field: 'body.formData.reason', reason: 'is required' }]);
    expect(await written()).toBe(before);
  });

  let caseId: number;
  it('starts a valid application, keeping what form-js would submit', async () => {
    const res = await dongwu.post('/api/cases').send({
      processKey: 'site-check',
      // The reason is hidden for a routine check: sent anyway, it is not kept.
      formData: { projectName: '金鸡湖花园', contactPhone: '13800000000', households: 320, services: ['security'], reason: '不该保存' },
    });
    expect(res.status).toBe(201);
    caseId = res.body.id as number;
    const row = await caseOf(p.db, caseId);
    expect(row.variables).toMatchObject({ projectName: '金鸡湖花园', contactPhone: '13800000000', households: 320, services: ['security'], kind: 'routine' });
    expect(row.variables).not.toHaveProperty('reason');
    // The case page gets the pinned start form and the labels of every form of the version.
    const detail = (await (await p.as('city.staff')).get(`/api/cases/${caseId}`)).body as { form: { id: string }; form_labels: Record<string, string> };
    expect(detail.form.id).toBe('site-check-apply');
    expect(detail.form_labels).toMatchObject({ projectName: '项目名称', decision: '审核意见', visitNote: '核查要点' });
  });

  it('checks the task form on a decision, keeps its values as variables, and routes the FEEL gateway by them', async () => {
    const [task] = await openTaskAt(p.db, caseId, 'review');
    const staff = await p.as('city.staff');
    expect((await staff.post(`/api/tasks/${task.id}/claim`).send({})).status).toBe(200);
    const shown = (await staff.get(`/api/tasks/${task.id}`)).body as { form: { id: string } };
    expect(shown.form.id).toBe('site-check-review');

    const none = await staff.post(`/api/tasks/${task.id}/decide`).send({ outcome: 'approve' });
    expect(none.status).toBe(400);
    expect(none.body.error.details).toEqual([{ field: 'body.formData.decision', reason: 'is required' }]);
    const noNote = await staff.post(`/api/tasks/${task.id}/decide`).send({ outcome: 'approve', formData: { decision: 'site_visit' } });
    expect(noNote.body.error.details).toEqual([{ field: 'body.formData.visitNote', reason: 'is required' }]);
    const wrong = await staff.post(`/api/tasks/${task.id}/decide`).send({ outcome: 'approve', formData: { decision: 'maybe' } });
    expect(wrong.body.error.details).toEqual([{ field: 'body.formData.decision', reason: 'must be one of accept, site_visit' }]);

    // The read-only project name is the case's; a value sent for it is not taken.
    const ok = await staff.post(`/api/tasks/${task.id}/decide`).send({ outcome: 'approve', formData: { decision: 'site_visit', visitNote: '核查消防通道', projectName: '改掉的名字' } });
    expect(ok.status).toBe(200);
    const [visit] = await waitFor('the site visit task', async () => {
      const open = await p.db('case_tasks').where({ case_id: caseId, node_id: 'visit', status: 'open' }).select('id');
      return open.length ? open : null;
    });
    expect(visit).toBeDefined();
    const row = await caseOf(p.db, caseId);
    expect(row.variables).toMatchObject({ decision: 'site_visit', visitNote: '核查消防通道', projectName: '金鸡湖花园' });
  });

  it('routes the other way for the other value, and a changed form is a new version that running cases ignore', async () => {
    const start = await dongwu.post('/api/cases').send({ processKey: 'site-check', formData: { projectName: '独墅湖花园', contactPhone: '13900000000' } });
    expect(start.status).toBe(201);
    // v2 makes the note required for every decision; the running case keeps v1's form.
    const v2Review = { ...REVIEW, components: (REVIEW.components as Array<Record<string, unknown>>).map((c) => (c.key === 'visitNote' ? { ...c, conditional: undefined } : c)) };
    expect((await publish({ xml: XML, forms: { 'site-check-review': v2Review } })).body).toMatchObject({ version: 2, unchanged: false });
    const [task] = await openTaskAt(p.db, start.body.id as number, 'review');
    const staff = await p.as('city.staff');
    await staff.post(`/api/tasks/${task.id}/claim`).send({});
    expect((await staff.post(`/api/tasks/${task.id}/decide`).send({ outcome: 'approve', formData: { decision: 'accept' } })).status).toBe(200);
    const done = await waitForEnd(p.db, start.body.id as number);
    expect(done.result).toBe('approved');
    expect(await p.db('case_tasks').where({ case_id: start.body.id, node_id: 'visit' }).first()).toBeUndefined();
  });

  it('takes the older embedded zeebe:userTaskForm', async () => {
    const body = JSON.stringify({ components: [{ type: 'textfield', key: 'note', label: '备注', validate: { required: true } }], type: 'default', id: 'Form_0x1' });
    const xml = XML.replace('id="site-check"', 'id="site-check-embedded"')
      .replace('bpmnElement="site-check"', 'bpmnElement="site-check-embedded"')
      .replace('<bpmn:extensionElements>\n      <zeebe:properties>', `<bpmn:extensionElements>\n      <zeebe:userTaskForm id="UserTaskForm_1">${body.replace(/</g, '&lt;')}</zeebe:userTaskForm>\n      <zeebe:properties>`)
      // Modeler saves an embedded form only on a job-worker user task (no zeebe:userTask): Camunda's rules refuse it on a Camunda user task.
      .replace('<zeebe:userTask />\n        <zeebe:formDefinition formId="site-check-review" />', '<zeebe:formDefinition formKey="camunda-forms:bpmn:UserTaskForm_1" />');
    const res = await publish({ xml, forms: { 'site-check-apply': APPLY } });
    expect(res.status).toBe(201);
    const version = (await admin.get('/api/processes/site-check-embedded/versions/1')).body as { forms: Record<string, { id: string; components: unknown[] }> };
    expect(version.forms.UserTaskForm_1).toMatchObject({ id: 'UserTaskForm_1', components: [expect.objectContaining({ key: 'note' })] });
  });
});
