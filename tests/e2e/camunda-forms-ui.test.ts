import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { publishProcess } from '../../lib/processes/store';
import { startPlatform, type Platform } from '../approvals/harness';
import { testApp } from '../helpers/api';
import { SCREENSHOTS, UI_DIST, ensureUiBuilt, launchBrowser, serve } from '../helpers/browser';
import { checkFormOption, fillFormField, formField, formFieldError, pickFormOption } from '../helpers/form-js-ui';
import { claimAndDecide, uiSignIn } from '../helpers/ui';
import { waitFor } from '../helpers/wait';

/**
 * Camunda forms in the browser (admin-ui/src/forms): an enterprise fills a form-js start form,
 * which refuses a wrong value with the server's own rule in Chinese and shows a field only when
 * a FEEL condition holds; the reviewer sees the application read-only (no raw JSON) and fills
 * the task form, whose choice routes the FEEL gateway; the designer shows the forms beside the
 * diagram in form-js's editor.
 */
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'forms');
const read = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

describe('Camunda forms in the admin UI (headless Chromium)', () => {
  let p: Platform;
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };
  let caseNumber: string;
  let caseId: number;

  beforeAll(async () => {
    ensureUiBuilt();
    p = await startPlatform('forms-ui');
    const forms = { 'site-check-apply': JSON.parse(read('site-check-apply.form')), 'site-check-review': JSON.parse(read('site-check-review.form')) };
    const published = await publishProcess(p.db, read('site-check.bpmn'), { publishedBy: null, source: 'api', forms, newStatus: 'enabled' });
    expect(published.ok).toBe(true);
    const { app } = testApp(p.db, { config: { UI_DIST_DIR: UI_DIST, FILES_DIR: p.filesDir, APPROVALS_TASK_QUEUE: p.taskQueue, CASE_SMS_TASK_QUEUE: p.sms.smsQueue }, temporal: p.temporal });
    server = await serve(app);
    browser = await launchBrowser();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await p?.stop();
  });

  it('refuses a wrong value in the start form in Chinese, shows the conditional field, and starts the case', async () => {
    const page = await uiSignIn(browser, server.url, 'dongwu.ent');
    await page.getByTestId('start-application').click();
    await page.getByTestId('start-site-check').click();
    await fillFormField(page, '项目名称', '金鸡湖花园');
    await fillFormField(page, '联系电话', '12345');
    // Hidden until the kind is a complaint (conditional.hide, FEEL).
    expect(await formField(page, '投诉事由').count()).toBe(0);
    await page.getByRole('button', { name: '提交申请' }).click();
    await formFieldError(page, '联系电话').getByText('手机号码须为11位数字').waitFor();
    const before = Number((await p.db('cases').count({ n: '*' }).first())!.n);

    await fillFormField(page, '联系电话', '13800000000');
    await pickFormOption(page, '核查类别', '投诉核查');
    await page.getByRole('button', { name: '提交申请' }).click();
    await formFieldError(page, '投诉事由').getByText('必填').waitFor();
    expect(Number((await p.db('cases').count({ n: '*' }).first())!.n)).toBe(before);
    await fillFormField(page, '投诉事由', '电梯长期停运');
    await checkFormOption(page, '核查内容', '秩序维护');
    // form-js's own English texts are Chinese here.
    expect(await page.getByText('Browse').count()).toBe(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'camunda-start-form.png'), fullPage: true });
    await page.getByRole('button', { name: '提交申请' }).click();
    caseNumber = (await page.getByTestId('case-number').innerText()).trim();
    caseId = (await p.db('cases').where('number', caseNumber).first('id')).id as number;
    const variables = JSON.parse((await p.db('cases').where('id', caseId).first('variables')).variables) as Record<string, unknown>;
    expect(variables).toMatchObject({ projectName: '金鸡湖花园', contactPhone: '13800000000', kind: 'complaint', reason: '电梯长期停运', services: ['security'] });
    await page.close();
  });

  it('lets the reviewer read the application and decide with the task form, whose choice routes the gateway', async () => {
    await claimAndDecide(browser, server.url, 'city.staff', caseNumber, { outcome: '通过', comment: '安排核查' }, async (page) => {
      // The application as its form shows it, read-only: no raw JSON on the page.
      const summary = page.getByTestId('case-variables');
      await summary.locator('.fjs-form-field', { hasText: '项目名称' }).first().waitFor();
      expect(await summary.innerText()).not.toContain('{');
      await checkFormOption(page, '审核意见', '需现场核查');
      await fillFormField(page, '核查要点', '核查电梯维保记录');
      await page.screenshot({ path: path.join(SCREENSHOTS, 'camunda-task-form.png'), fullPage: true });
    });
    await waitFor('the site visit task', async () => Boolean(await p.db('case_tasks').where({ case_id: caseId, node_id: 'visit', status: 'open' }).first()));
    const variables = JSON.parse((await p.db('cases').where('id', caseId).first('variables')).variables) as Record<string, unknown>;
    expect(variables).toMatchObject({ decision: 'site_visit', visitNote: '核查电梯维保记录' });
  });

  it('shows the process forms beside the diagram in the form editor', async () => {
    const page = await uiSignIn(browser, server.url, 'admin');
    await page.goto(`${server.url}/#/processes/site-check/design`);
    await page.locator('.djs-container').waitFor();
    await page.getByTestId('tab-forms').click();
    await page.getByTestId('forms-editor').waitFor();
    // form-js's editor shows the start form's fields on its canvas.
    await page.locator('.fjs-editor-container').getByText('联系电话').first().waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'camunda-form-editor.png'), fullPage: true });
    await page.close();
  });
});
