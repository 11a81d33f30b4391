import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser } from 'playwright-core';
import { publishShippedProcesses } from '../../lib/processes/shipped';
import { startEngine, type Engine } from '../engine/harness';
import { waitFor } from '../helpers/wait';
import { SCREENSHOTS, UI_DIST, ensureUiBuilt, launchBrowser, serve } from '../helpers/browser';
import { testApp } from '../helpers/api';
import { claimAndDecide, supplyMaterials, uiSignIn, type UiDecision } from '../helpers/ui';

/**
 * A whole approval in the browser, each person signing in to do their part: the district
 * reviewer claims and approves from the inbox, the city reviewer returns it to the applicant,
 * the applicant supplies materials on the case page, the city reviewer and the leader approve,
 * and the applicant sees the case finished with every element on its path marked done.
 * Then an administrator edits the process in the designer and publishes version 2.
 */
describe('an approval through the admin UI (headless Chromium)', () => {
  let engine: Engine;
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };

  beforeAll(async () => {
    ensureUiBuilt();
    engine = await startEngine({ sms: true });
    await publishShippedProcesses(engine.db);
    // The same API as the engine's, serving the built UI too.
    const { app, temporal } = testApp(engine.db, { config: { UI_DIST_DIR: UI_DIST, APPROVALS_TASK_QUEUE: engine.taskQueue, CASE_SMS_TASK_QUEUE: `${engine.taskQueue}-sms` }, temporal: engine.temporal });
    void temporal;
    server = await serve(app);
    browser = await launchBrowser();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await engine?.stop();
  });

  const signIn = (username: string) => uiSignIn(browser, server.url, username);
  const decide = (username: string, caseNumber: string, decision: UiDecision, screenshot?: string) =>
    claimAndDecide(browser, server.url, username, caseNumber, decision, async (page) => {
      if (screenshot) await page.screenshot({ path: path.join(SCREENSHOTS, screenshot), fullPage: true });
    });

  let caseId: number;
  let caseNumber: string;

  it('takes a case from application to approval, with one return for supplement', async () => {
    const applicant = await engine.as('dongwu.ent');
    const started = await applicant.post('/api/cases').send({ processKey: 'sample-approval', title: '东吴物业法定代表人变更', formData: { needsLeader: true, reason: '法定代表人变更' } });
    expect(started.status).toBe(201);
    ({ id: caseId, number: caseNumber } = started.body);
    await waitFor('the first task', async () => (await engine.db('case_tasks').where({ case_id: caseId, status: 'open' })).length > 0);

    // The district reviewer's inbox, with its count, before anyone acted.
    const district = await signIn('gusu.staff');
    await district.getByTestId('inbox-claimable').click();
    await district.getByRole('cell', { name: caseNumber }).waitFor();
    await district.screenshot({ path: path.join(SCREENSHOTS, 'inbox.png') });
    await district.close();

    await decide('gusu.staff', caseNumber, { outcome: '通过', comment: '材料齐全，同意上报' }, 'task.png');
    // The district's 工作台 counts the case among its cases in progress, by process, and opens them.
    const home = await signIn('gusu.staff');
    const backlogRow = home.getByTestId('home-backlog-row').filter({ hasText: '通用审批（示例）' });
    expect(await backlogRow.getByTestId('home-backlog-count').textContent()).toBe('1');
    await home.screenshot({ path: path.join(SCREENSHOTS, 'home-staff.png') });
    await backlogRow.click();
    await home.getByRole('row').filter({ hasText: caseNumber }).waitFor();
    expect(await home.getByRole('row').count()).toBe(2);
    await home.close();
    await decide('city.staff', caseNumber, { outcome: '退回', returnTo: '申请人（补正）', comment: '请补充新任法定代表人身份证明' });

    // The applicant finds the returned case in 我发起的, then supplies from the case page.
    const applicantPage = await signIn('dongwu.ent');
    await applicantPage.getByTestId('inbox-started').click();
    await applicantPage.getByRole('cell', { name: caseNumber }).waitFor();
    await applicantPage.close();
    await supplyMaterials(browser, server.url, 'dongwu.ent', caseId, '已补充身份证明');

    await decide('city.staff', caseNumber, { outcome: '通过', comment: '同意' });
    // The leader decides with the case before them: where it is, and what everyone before said.
    await claimAndDecide(browser, server.url, 'city.leader', caseNumber, { outcome: '通过', comment: '同意变更' }, async (page) => {
      await page.locator('[data-testid=bpmn-viewer] .djs-element.active[data-element-id=leaderApproval]').waitFor();
      await page.locator('[data-testid=bpmn-viewer] .djs-element.done[data-element-id=districtReview]').waitFor();
      await page.getByTestId('bpmn-legend').getByText('当前环节').waitFor();
      const earlier = page.getByTestId('earlier-decisions');
      for (const said of ['材料齐全，同意上报', '请补充新任法定代表人身份证明', '已补充身份证明', '同意']) await earlier.getByText(said, { exact: true }).first().waitFor();
      // The applicant by name, as everyone else, never by the account's username.
      expect(await page.getByTestId('case-timeline').getByText('dongwu.ent').count()).toBe(0);
      await page.getByTestId('case-timeline').getByText('孙伟').first().waitFor();
      await page.screenshot({ path: path.join(SCREENSHOTS, 'task-context.png'), fullPage: true });
    });
    await waitFor('the case to finish', async () => (await engine.db('cases').where('id', caseId).first()).status === 'completed');
  });

  it('shows the applicant the finished case with every element on its path marked done', async () => {
    const page = await signIn('dongwu.ent');
    await page.goto(`${server.url}/#/cases/${caseId}/show`);
    await page.getByTestId('case-status').getByText('已办结').waitFor();
    await page.locator('[data-testid=bpmn-viewer] .djs-element.done').first().waitFor();
    const done = await page.locator('[data-testid=bpmn-viewer] .djs-element.done').evaluateAll((els) => els.map((e) => e.getAttribute('data-element-id')));
    expect(done).toEqual(expect.arrayContaining(['submitted', 'districtReview', 'cityReview', 'needsLeader', 'leaderApproval', 'notifyApplicant', 'approved']));
    expect(await page.locator('[data-testid=bpmn-viewer] .djs-element.active').count()).toBe(0);
    // The end it reached is drawn in the result's colour with the result's words beside it.
    await page.locator('[data-testid=bpmn-viewer] .djs-element.ended-approved[data-element-id=approved]').waitFor();
    expect(await page.getByTestId('bpmn-ending').textContent()).toBe('准予');
    expect(await page.getByTestId('case-result').getAttribute('data-result')).toBe('approved');
    for (const entry of ['提交申请', '退回补正', '补正提交', '案件办结', '已补充身份证明', '请补充新任法定代表人身份证明']) {
      await page.getByTestId('case-timeline').getByText(entry, { exact: true }).first().waitFor();
    }
    await page.screenshot({ path: path.join(SCREENSHOTS, 'case.png'), fullPage: true });
    await page.close();
  });

  it('shows outcomes: a rejected case red in 我发起的 and on its diagram, 已办 with the decision and its time', async () => {
    const applicant = await engine.as('dongwu.ent');
    const started = await applicant.post('/api/cases').send({ processKey: 'sample-approval', title: '东吴物业资料变更（不予）', formData: { reason: '资料变更' } });
    expect(started.status).toBe(201);
    await waitFor('the first task', async () => (await engine.db('case_tasks').where({ case_id: started.body.id, status: 'open' })).length > 0);
    await decide('gusu.staff', started.body.number, { outcome: '不予通过', comment: '不符合变更条件' });
    await waitFor('the case to end rejected', async () => (await engine.db('cases').where('id', started.body.id).first()).result === 'rejected');

    const page = await signIn('dongwu.ent');
    // 工作台: shortcuts to what the enterprise may start, and its latest applications with their results.
    await page.getByTestId('home-start').getByRole('link', { name: '通用审批（示例）' }).waitFor();
    await page.getByTestId('home-recent').getByText(started.body.number, { exact: false }).waitFor();
    expect(await page.getByTestId('home-recent').getByTestId('case-result-chip').allTextContents()).toEqual(['不予', '准予']);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'home-enterprise.png') });
    await page.getByTestId('inbox-started').click();
    const rejectedRow = page.getByRole('row').filter({ hasText: started.body.number });
    expect(await rejectedRow.getByTestId('case-result-chip').textContent()).toBe('不予');
    expect(await page.getByRole('row').filter({ hasText: caseNumber }).getByTestId('case-result-chip').textContent()).toBe('准予');
    await rejectedRow.click();
    await page.locator('[data-testid=bpmn-viewer] .djs-element.ended-rejected[data-element-id=districtReview]').waitFor();
    expect(await page.getByTestId('bpmn-ending').textContent()).toBe('不予');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'case-rejected.png'), fullPage: true });
    await page.close();

    // 已办 of the district reviewer: both decisions, each with its time taken and the case's result.
    const district = await signIn('gusu.staff');
    await district.goto(`${server.url}/#/inbox/done`);
    const doneRow = district.getByRole('row').filter({ hasText: started.body.number });
    expect(await doneRow.getByTestId('my-decision').textContent()).toBe('不予通过');
    expect(await doneRow.getByTestId('time-taken').textContent()).toMatch(/^(不足 1 分钟|\d+ 分钟)$/);
    expect(await doneRow.getByTestId('case-result-chip').textContent()).toBe('不予');
    expect(await district.getByRole('row').filter({ hasText: caseNumber }).getByTestId('my-decision').textContent()).toBe('通过');
    // An empty box says what would appear there, in Chinese, never the resource's path.
    await district.goto(`${server.url}/#/inbox/todo`);
    await district.getByTestId('empty-box').getByText('没有待办任务').waitFor();
    expect(await district.getByText(/Inbox\/|inbox\//).count()).toBe(0);
    await district.screenshot({ path: path.join(SCREENSHOTS, 'inbox-empty.png') });
    await district.close();
  });

  it('filters the case list by name pickers and a result, and exports what it shows as the 办件台账', async () => {
    const page = await signIn('gusu.staff');
    await page.goto(`${server.url}/#/cases`);
    // Pickers by name: 事项 and 区县 offer names, never keys or codes.
    await page.getByRole('button', { name: '添加筛选' }).click();
    await page.getByRole('menuitemcheckbox', { name: '事项' }).click();
    await page.getByLabel('事项').click();
    await page.getByRole('option', { name: '通用审批（示例）' }).click();
    await page.getByRole('button', { name: '添加筛选' }).click();
    await page.getByRole('menuitemcheckbox', { name: '办理结果' }).click();
    await page.getByLabel('办理结果').click();
    await page.getByRole('option', { name: '不予' }).click();
    const rejected = (await engine.db('cases').where({ process_key: 'sample-approval', result: 'rejected' }).pluck('number')) as string[];
    await waitFor('the list to show only rejected cases', async () => (await page.getByTestId('case-result-chip').allTextContents()).every((t) => t === '不予') && (await page.getByTestId('case-result-chip').count()) === rejected.length);
    await page.getByRole('row').filter({ hasText: rejected[0]! }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'cases-filtered.png') });
    // The ledger of exactly that filter, with Chinese headers and names.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-xlsx').click()]);
    expect(download.suggestedFilename()).toMatch(/^办件台账-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(await download.path());
    const sheet = workbook.worksheets[0]!;
    expect((sheet.getRow(1).values as unknown[]).slice(1, 7)).toEqual(['办件编号', '事项', '标题', '申请单位', '区县', '状态']);
    expect(sheet.rowCount - 1).toBe(rejected.length);
    expect(sheet.getRow(2).getCell(2).value).toBe('通用审批（示例）');
    expect(sheet.getRow(2).getCell(5).value).toBe('姑苏区');
    expect(sheet.getRow(2).getCell(7).value).toBe('不予');
    // Saved under a name, the filter follows the account into a fresh browser.
    await page.getByTestId('saved-filters').click();
    await page.getByTestId('save-filter').click();
    await page.getByLabel('筛选名称').fill('示例事项不予');
    await page.getByTestId('save-filter-confirm').click();
    await page.getByText('已保存筛选“示例事项不予”').waitFor();
    await page.close();
    const fresh = await signIn('gusu.staff');
    await fresh.goto(`${server.url}/#/cases`);
    await fresh.getByRole('row').nth(1).waitFor();
    expect(await fresh.getByTestId('case-result-chip').allTextContents()).toContain('准予');
    await fresh.getByTestId('saved-filters').click();
    await fresh.getByTestId('saved-filter').filter({ hasText: '示例事项不予' }).click();
    await waitFor('the saved filter applied', async () => (await fresh.getByTestId('case-result-chip').allTextContents()).every((t) => t === '不予') && (await fresh.getByTestId('case-result-chip').count()) === rejected.length);
    await fresh.getByLabel('办理结果').getByText('不予').waitFor();
    await fresh.close();
  });

  it('lets anyone look the case up by number and check code, without signing in', async () => {
    const { check_code: checkCode, started_at: startedAt } = await engine.db('cases').where('id', caseId).first('check_code', 'started_at');
    // An English browser in New York still reads the public pages in Chinese, in Beijing time.
    const page = await browser.newPage({ locale: 'en-US', timezoneId: 'America/New_York' });
    await page.goto(`${server.url}/`);
    expect(await page.getByTestId('platform-name').textContent()).toBe('物业监管与服务平台');
    await page.getByText('办件进度公开查询').click();
    await page.getByLabel('案件编号').fill(caseNumber);
    await page.getByLabel('查询码').fill('WRONG1');
    await page.getByRole('button', { name: '查询' }).click();
    await page.getByText('未找到该案件').waitFor();
    await page.getByLabel('查询码').fill(checkCode);
    await page.getByRole('button', { name: '查询' }).click();
    await page.getByTestId('public-case').getByText('状态：已办结').waitFor();
    expect(await page.getByTestId('public-result').textContent()).toBe('准予');
    const beijing = new Date(new Date(startedAt).getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
    await page.getByTestId('public-case').getByText(`申请时间：${beijing}`).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'public-lookup.png') });
    // The reader may switch to English; the choice is kept for the next visit.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByText('Case status lookup').waitFor();
    await page.reload();
    await page.getByText('Case status lookup').waitFor();
    await page.close();
  });

  it('lets an administrator edit the process and publish version 2; the old case stays on version 1', async () => {
    const page = await signIn('admin');
    await page.goto(`${server.url}/#/processes/sample-approval/design`);
    const task = page.locator('[data-testid=bpmn-modeler] .djs-element[data-element-id=districtReview]');
    await task.waitFor();
    await task.dblclick();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('区局初审（新）');
    await page.locator('[data-testid=bpmn-modeler] .djs-element[data-element-id=approved]').click();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'process-editor.png') });
    await page.getByRole('button', { name: '校验并发布' }).click();
    await page.getByText('已发布 sample-approval 第 2 版').waitFor();
    await page.getByTestId('process-versions').getByText('v2').waitFor();
    await page.close();

    const v2 = await engine.db('process_versions').where({ process_key: 'sample-approval', version: 2 }).first();
    expect(v2.xml).toContain('区局初审（新）');
    const applicant = await engine.as('hengtai.ent');
    const next = await applicant.post('/api/cases').send({ processKey: 'sample-approval', formData: {} });
    expect(next.status).toBe(201);
    expect(next.body.processVersion).toBe(2);
    expect((await engine.db('cases').where('id', caseId).first()).process_version).toBe(1);
  });
});
