import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { waitFor } from '../helpers/wait';
import { startPlatform, type Platform } from '../approvals/harness';
import { testApp } from '../helpers/api';
import { SCREENSHOTS, UI_DIST, ensureUiBuilt, launchBrowser, serve } from '../helpers/browser';
import { formField, pickFormOption, setFormFiles } from '../helpers/form-js-ui';
import { claimAndDecide, supplyMaterials, uiSignIn, type UiDecision } from '../helpers/ui';

/**
 * Issue 5's whole qualification in the browser: an enterprise applies with its scanned
 * materials; the district bureau, the administrative centre (which returns it once for
 * supplement), the property division and the bureau leader each sign in and take it through
 * their inbox; the applicant sees it approved with the certificate to download, and the
 * diagram shows every element of its path completed.
 */
describe('a qualification application through the admin UI (headless Chromium)', () => {
  let p: Platform;
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };
  let caseId: number;
  let caseNumber: string;

  beforeAll(async () => {
    ensureUiBuilt();
    p = await startPlatform('qualification-ui');
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

  const signIn = (username: string) => uiSignIn(browser, server.url, username);
  const decide = (username: string, decision: UiDecision) =>
    claimAndDecide(browser, server.url, username, caseNumber, decision, async (page) => {
      await page.getByTestId('automatic-checks').waitFor();
    });

  it('lets the enterprise apply with its materials from the application form', async () => {
    const page = await signIn('dongwu.ent');
    await page.getByTestId('start-application').click();
    await page.getByTestId('start-qualification').click();
    await pickFormOption(page, '申请资质等级', '二级');
    for (const [label, code] of [
      ['营业执照', 'business_licence'],
      ['资质申请表', 'application_form'],
      ['专业人员职称/执业证书', 'staff_certificates'],
    ]) {
      await setFormFiles(page, label, [{ name: `${code}.pdf`, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4 ${code}`) }]);
      await formField(page, label)
        .getByText('已选择')
        .or(formField(page, label).getByText(`${code}.pdf`))
        .first()
        .waitFor();
    }
    await page.screenshot({ path: path.join(SCREENSHOTS, 'apply.png'), fullPage: true });
    await page.getByRole('button', { name: '提交申请' }).click();
    caseNumber = (await page.getByTestId('case-number').innerText()).trim();
    expect(caseNumber).toMatch(/\d/);
    caseId = (await p.db('cases').where('number', caseNumber).first('id')).id;
    const variables = JSON.parse((await p.db('cases').where('id', caseId).first('variables')).variables);
    expect(variables).toMatchObject({ kind: 'application', level: 'level_2' });
    expect(Object.keys(variables.materials as object).sort()).toEqual(['application_form', 'business_licence', 'staff_certificates']);
    await page.close();
  });

  it('goes through every review in the reviewers’ inboxes, with one return for supplement', async () => {
    await decide('gusu.staff', { outcome: '通过', comment: '初审通过' });
    await decide('centre', { outcome: '退回', returnTo: '申请人（补正）', comment: '资质申请表缺少法定代表人签字，请补正' });
    await supplyMaterials(browser, server.url, 'dongwu.ent', caseId, '已补签字');
    await decide('centre', { outcome: '通过', comment: '受理' });
    await decide('city.staff', { outcome: '通过', comment: '审核通过' });
    await decide('city.leader', { outcome: '通过', comment: '同意核准二级资质' });
    await waitFor('the qualification to be issued', async () => (await p.db('cases').where('id', caseId).first()).status === 'completed', { timeoutMs: 120_000 });
  });

  it('shows the applicant the approval, the certificate to download and every element of its path completed', async () => {
    const page = await signIn('dongwu.ent');
    await page.goto(`${server.url}/#/cases/${caseId}/show`);
    await page.getByTestId('case-status').getByText('已办结').waitFor();
    const certificate = page.getByTestId('case-documents').getByRole('link').first();
    await certificate.waitFor();
    const href = await certificate.getAttribute('href');
    const download = await page.evaluate(async (url) => {
      const res = await fetch(url!);
      const bytes = new Uint8Array(await res.arrayBuffer());
      return { status: res.status, type: res.headers.get('content-type'), head: String.fromCharCode(...bytes.slice(0, 5)) };
    }, href);
    expect(download).toEqual({ status: 200, type: 'application/pdf', head: '%PDF-' });

    await page.locator('[data-testid=bpmn-viewer] .djs-element.done').first().waitFor();
    const done = await page.locator('[data-testid=bpmn-viewer] .djs-element.done').evaluateAll((els) => els.map((e) => e.getAttribute('data-element-id')));
    const visited = (await p.db('case_history').where('case_id', caseId).whereNotNull('node_id').distinct('node_id').pluck('node_id')) as string[];
    expect(done).toEqual(expect.arrayContaining(visited));
    for (const step of ['districtReview', 'centreAcceptance', 'divisionReview', 'leaderApproval']) expect(done).toContain(step);
    expect(await page.locator('[data-testid=bpmn-viewer] .djs-element.active').count()).toBe(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'qualification-case.png'), fullPage: true });
    await page.close();
  });
});
