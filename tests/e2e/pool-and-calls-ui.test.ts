import path from 'node:path';
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { bpmn, flow, openTaskAt, publish, startCase, startEngine, userId, userTask, type Engine } from '../engine/harness';
import { testApp } from '../helpers/api';
import { SCREENSHOTS, UI_DIST, ensureUiBuilt, launchBrowser, serve } from '../helpers/browser';
import { uiSignIn } from '../helpers/ui';
import { waitFor } from '../helpers/wait';

/**
 * In the browser: the administrator finds a task offered to nobody in 待分配 and assigns it to a
 * reviewer (分配); the box is the administrator's only. A case whose call activity started a
 * child case lists it on its page, and the child links back.
 */
const STARTERS = '<bpmn:extensionElements><zeebe:properties><zeebe:property name="starterRoles" value="enterprise" /></zeebe:properties></bpmn:extensionElements>';

describe('the 待分配 pool and called cases in the admin UI (headless Chromium)', () => {
  let engine: Engine;
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };

  beforeAll(async () => {
    ensureUiBuilt();
    engine = await startEngine();
    await publish(
      engine.db,
      bpmn('t-pool-ui', [STARTERS, '<bpmn:startEvent id="start" />', '<bpmn:userTask id="triage" name="分派核查" />', '<bpmn:endEvent id="end" />', flow('f1', 'start', 'triage'), flow('f2', 'triage', 'end')].join('\n')),
    );
    await publish(engine.db, bpmn('t-child-ui', ['<bpmn:startEvent id="start" />', userTask('check', 'candidateGroups="city_staff"'), '<bpmn:endEvent id="end" />', flow('f1', 'start', 'check'), flow('f2', 'check', 'end')].join('\n')));
    await publish(
      engine.db,
      bpmn(
        't-parent-ui',
        [
          STARTERS,
          '<bpmn:startEvent id="start" />',
          '<bpmn:callActivity id="call" name="现场核查"><bpmn:extensionElements><zeebe:calledElement processId="t-child-ui" /></bpmn:extensionElements></bpmn:callActivity>',
          '<bpmn:endEvent id="end" />',
          flow('f1', 'start', 'call'),
          flow('f2', 'call', 'end'),
        ].join('\n'),
      ),
    );
    // A task whose form belongs to another application: an external form (FEEL address) and a custom form key.
    // (Camunda's rules: an external form on a Camunda user task, a form key on a job-worker user task.)
    const foreign = (id: string, form: string, camundaUserTask: boolean) =>
      `<bpmn:userTask id="${id}" name="${id}"><bpmn:extensionElements>${camundaUserTask ? '<zeebe:userTask />' : ''}<zeebe:assignmentDefinition assignee="city.staff" /><zeebe:formDefinition ${form} /></bpmn:extensionElements></bpmn:userTask>`;
    await publish(
      engine.db,
      bpmn(
        't-foreign-form-ui',
        [
          STARTERS,
          '<bpmn:startEvent id="start" />',
          foreign('survey', 'externalReference="=&quot;https://survey.example.cn/forms/&quot; + caseNumber"', true),
          foreign('legacy', 'formKey="react:inspection-form"', false),
          '<bpmn:endEvent id="end" />',
          flow('f1', 'start', 'survey'),
          flow('f2', 'survey', 'legacy'),
          flow('f3', 'legacy', 'end'),
        ].join('\n'),
      ),
    );
    const { app } = testApp(engine.db, { config: { UI_DIST_DIR: UI_DIST, APPROVALS_TASK_QUEUE: engine.taskQueue }, temporal: engine.temporal });
    server = await serve(app);
    browser = await launchBrowser();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await engine?.stop();
  });

  it('assigns a task from 待分配 to a reviewer', async () => {
    const c = await startCase(await engine.as('dongwu.ent'), 't-pool-ui');
    const [task] = await openTaskAt(engine.db, c.id, 'triage');
    const page = await uiSignIn(browser, server.url, 'admin');
    await page.getByTestId('inbox-unassigned').click();
    await page.getByRole('row').filter({ hasText: c.number }).waitFor();
    await page.goto(`${server.url}/#/tasks/${task.id}`);
    await page.getByText('该环节未指定办理人').waitFor();
    await page.getByTestId('assign-task').click();
    await page.getByRole('dialog').getByLabel('选择人员').fill('王建国');
    await page.getByRole('option', { name: /王建国/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: '确认' }).click();
    await page.getByText('已转办').waitFor();
    const staffId = await userId(engine.db, 'city.staff');
    await waitFor('the task to be assigned', async () => (await engine.db('case_tasks').where('id', task.id).first('assignee_id')).assignee_id === staffId);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'pool-assigned.png'), fullPage: true });
    await page.close();

    // Staff have no such box.
    const staff = await uiSignIn(browser, server.url, 'city.staff');
    await staff.getByTestId('inbox-todo').waitFor();
    expect(await staff.getByTestId('inbox-unassigned').count()).toBe(0);
    await staff.close();
  });

  it('links an external form on the task page and names a custom form key', async () => {
    const c = await startCase(await engine.as('dongwu.ent'), 't-foreign-form-ui');
    const [survey] = await openTaskAt(engine.db, c.id, 'survey');
    const page = await uiSignIn(browser, server.url, 'city.staff');
    await page.goto(`${server.url}/#/tasks/${survey.id}`);
    const link = page.getByTestId('foreign-form').getByRole('link', { name: '打开外部表单' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`https://survey.example.cn/forms/${c.number}`);
    expect(await link.getAttribute('rel')).toContain('noopener');
    await page.getByTestId('decision-comment').fill('外部表单已填写');
    await page.getByRole('button', { name: '提交' }).click();
    const [legacy] = await openTaskAt(engine.db, c.id, 'legacy');
    await page.goto(`${server.url}/#/tasks/${legacy.id}`);
    await page.getByTestId('foreign-form').getByText('react:inspection-form').waitFor();
    expect(await page.getByTestId('foreign-form').getByRole('link').count()).toBe(0);
    await page.close();
  });

  it('links a case and the child case its call activity started', async () => {
    const parent = await startCase(await engine.as('dongwu.ent'), 't-parent-ui');
    const child = await waitFor('the child case', async () => engine.db('cases').where('parent_case_id', parent.id).first('id', 'number'));
    const page = await uiSignIn(browser, server.url, 'dongwu.ent');
    await page.goto(`${server.url}/#/cases/${parent.id}/show`);
    const linked = page.getByTestId('linked-cases');
    await linked.getByText(child.number).waitFor();
    await linked.getByText('子案件').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'linked-cases.png'), fullPage: true });
    await linked.getByText(child.number).click();
    await page.getByTestId('linked-cases').getByText(parent.number).waitFor();
    await page.close();
  });
});
