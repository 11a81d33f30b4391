import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import zh from '../../admin-ui/src/i18n/app-zh-CN';
import { scoresAt } from '../../db/credit/scores';
import { beijingToday } from '../../lib/credit/days';
import { startPlatform, waitForEnd, type Platform } from '../approvals/harness';
import { testApp } from '../helpers/api';
import { SCREENSHOTS, UI_DIST, ensureUiBuilt, launchBrowser, serve } from '../helpers/browser';
import { claimAndDecide, uiSignIn } from '../helpers/ui';
import { waitFor } from '../helpers/wait';

/**
 * The credit screens in the browser, on the real engine and SMS worker (the flow of
 * tests/approvals/credit-appeal.test.ts, by people): 姑苏区's officer records a deduction
 * (B-PF-01 业主投诉经查实, 1–3 points) against 东吴物业's project with evidence on 信用记分;
 * the enterprise finds the 记分告知单 on the notice case and appeals from its task; the
 * district reviews the called appeal case and the city dismisses the appeal, so the
 * deduction is final. The enterprise's 我的信用 and the city's 信用排名 show the new score.
 */
describe('credit screens (headless Chromium)', () => {
  let p: Platform;
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };
  let dongwu: number;
  const today = beijingToday();
  const POINTS = 3;
  const DESCRIPTION = '业主投诉电梯故障 48 小时未修复，经现场核查属实';

  beforeAll(async () => {
    ensureUiBuilt();
    p = await startPlatform('credit-ui');
    // The same API as the platform's, serving the built UI too.
    const { app } = testApp(p.db, { config: { UI_DIST_DIR: UI_DIST, APPROVALS_TASK_QUEUE: p.taskQueue, CASE_SMS_TASK_QUEUE: p.sms.smsQueue, FILES_DIR: p.filesDir }, temporal: p.temporal });
    server = await serve(app);
    browser = await launchBrowser();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    dongwu = (await p.db('organisations').where('code', 'ENT-91320508MA1DONGWU').first('id')).id;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await p?.stop();
  });

  const signIn = (username: string) => uiSignIn(browser, server.url, username);
  const menu = (page: Page, entry: string) => page.locator('.RaMenu-open, .RaMenu-closed').first().getByText(entry, { exact: true }).click();
  const score = async () => (await scoresAt(p.db, 'enterprise', [dongwu], today)).get(dongwu)!;
  /** Picks an option of a react-admin autocomplete by typing part of it. */
  const pick = async (page: Page, label: string, typed: string, option: string | RegExp) => {
    const input = page.getByRole('combobox', { name: label });
    await input.click();
    await input.fill(typed);
    await page.getByRole('option', { name: option }).first().click();
  };

  let before: Awaited<ReturnType<typeof score>>;
  let noticeCase: { id: number; number: string };

  /**
   * The demo's score sits where the deduction might not cross a grade band: the city's praise
   * (G-PR-02, 1–3 points each, final at once) first lifts it onto the next band's minimum, so
   * the deduction shows a new grade as well as a new score.
   */
  const ontoNextBand = async () => {
    const bands = [85, 80, 70, 60];
    const now = (await score()).score;
    if (bands.some((b) => now >= b && now - POINTS < b)) return;
    const target = Math.min(...bands.filter((b) => b > now));
    const city = await p.as('city.staff');
    const total = Math.round((target - now) * 100) / 100;
    const count = Math.ceil(total / 3);
    const each = Math.floor((total / count) * 100) / 100;
    for (let i = 0; i < count; i++) {
      const share = i < count - 1 ? each : Math.round((total - each * (count - 1)) * 100) / 100;
      const res = await city
        .post('/api/credit/records')
        .send({ sourceRef: `credit-ui-praise-${i}`, itemCode: 'G-PR-02', enterpriseId: dongwu, points: share, occurredOn: today, description: `防汛抢险表现突出（测试 ${i + 1}）`, evidence: [{ name: '表扬通报.pdf' }] });
      if (res.status !== 201) throw new Error(`praise: ${res.status} ${JSON.stringify(res.body)}`);
    }
    expect((await score()).score).toBeCloseTo(target);
  };

  it('records a deduction on 信用记分: the standard’s item in words, evidence required, the notice case linked', async () => {
    await ontoNextBand();
    before = await score();
    const page = await signIn('gusu.staff');
    await menu(page, '信用记分');
    await page.getByTestId('credit-standard-in-force').getByText('苏州市物业服务企业信用评价标准（示例）', { exact: false }).waitFor();

    await pick(page, '物业服务企业', '东吴', '苏州东吴物业管理有限公司');
    await pick(page, '物业项目（可选）', 'XM3205080001', /XM3205080001/);
    await pick(page, '记分事项', 'B-PF-01', /^B-PF-01 业主投诉经查实/);
    // The item as the standard states it, in words: its area, kind and range.
    const details = page.getByTestId('credit-item-details');
    for (const words of ['履约服务', '扣分', '1–3 分', '企业、项目']) await details.getByText(words, { exact: false }).first().waitFor();
    await page.getByText('该事项 1–3 分，请按情节确定').waitFor();
    // The day it occurred is today in Beijing unless the officer says otherwise.
    expect(await page.getByLabel('发生日期').inputValue()).toBe(today);
    await page.getByTestId('credit-points').fill(String(POINTS));
    await page.getByLabel('事实描述').fill(DESCRIPTION);
    await page.getByLabel('整改期限（天）').fill('7');

    // The item needs evidence: without it the form says so and records nothing.
    await page.getByRole('button', { name: '提交记分' }).click();
    await page.getByTestId('credit-evidence').getByText('该事项须上传证明材料').waitFor();
    expect(await p.db('credit_events').where({ enterprise_id: dongwu, description: DESCRIPTION }).count({ n: '*' }).first()).toEqual({ n: 0 });
    await page.getByTestId('attachments-file').setInputFiles({ name: '调查笔录.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 调查笔录') });
    await page.getByTestId('credit-evidence').getByText('调查笔录.pdf').waitFor();
    // The whole form in one screen, once the earlier warning has gone.
    await page.getByText('表单有误，请检查').waitFor({ state: 'detached' });
    await page.setViewportSize({ width: 1400, height: 1100 });
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'credit-record.png') });

    await page.getByRole('button', { name: '提交记分' }).click();
    const result = page.getByTestId('credit-record-result');
    await result.waitFor();
    expect(await result.getByTestId('credit-record-status').textContent()).toBe('预扣分');
    const link = page.getByTestId('credit-record-notice').getByRole('link');
    const number = (await link.textContent())!;
    expect(number).toMatch(/^XYJF-320508-\d{4}-\d{5}$/);
    const event = await p.db('credit_events').where({ enterprise_id: dongwu, description: DESCRIPTION }).first('id', 'status', 'points', 'project_id', 'evidence', 'notice_case_id');
    expect(event).toMatchObject({ status: 'pending', points: `-${POINTS}.00` });
    expect(JSON.stringify(event.evidence)).toContain('调查笔录.pdf');
    noticeCase = { id: event.notice_case_id, number };
    // The link opens the notice case.
    await link.click();
    await page.waitForURL(new RegExp(`#/cases/${noticeCase.id}/show`));
    await page.close();
    // A pre-deduction does not count until it is final.
    expect((await score()).score).toBeCloseTo(before.score);
  });

  it('shows the enterprise the 记分告知单 and lets it appeal from its task', async () => {
    const page = await signIn('dongwu.ent');
    await page.goto(`${server.url}/#/cases/${noticeCase.id}/show`);
    // The notice activity issues the document just after the case starts; the page shows it once there.
    await waitFor('the notice document', async () => p.db('approval_documents').where('case_id', noticeCase.id).whereNotNull('file_id').first('id'), { timeoutMs: 90_000 }).catch(async (err: unknown) => {
      console.log(
        JSON.stringify({ case: await p.db('cases').where('id', noticeCase.id).first('status', 'result'), history: await p.db('case_history').where('case_id', noticeCase.id).orderBy('seq').select('kind', 'node_id', 'comment') }, null, 1),
      );
      throw err;
    });
    await page.goto(`${server.url}/#/cases/${noticeCase.id}/show`);
    await page.getByTestId('case-documents').getByText('信用记分告知单', { exact: false }).waitFor();
    // The respond task waits in the enterprise's 待签 box.
    await page.getByTestId('inbox-claimable').click();
    await page.getByRole('cell', { name: noticeCase.number }).click();
    await page.getByText('企业确认或申诉').first().waitFor();
    await page.getByRole('button', { name: '签收' }).click();
    await page.getByLabel('办理结果').click();
    // The outcomes are words, never their codes.
    const offered = await page.getByRole('option').allTextContents();
    expect(offered).toEqual([zh.outcomes.appeal, zh.outcomes.accept]);
    await page.getByRole('option', { name: zh.outcomes.appeal }).click();
    await page.getByLabel('申诉理由').fill('故障当日已安排维修，次日修复，有维修记录为证');
    await page.getByTestId('decision-comment').fill('申请复核');
    await page.getByRole('button', { name: '提交' }).click();
    await page.getByText('已办理').first().waitFor();
    await page.close();
  });

  it('takes the appeal through the district’s review and the city’s decision: dismissed, the deduction is final', async () => {
    const child = await waitFor('the appeal review case', async () => p.db('cases').where({ parent_case_id: noticeCase.id }).first('id', 'number', 'process_key'));
    expect(child.process_key).toBe('credit-appeal');
    await claimAndDecide(browser, server.url, 'gusu.staff', child.number, { outcome: '通过', comment: '经复核，投诉属实，维修记录不足以证明及时处置' });

    const page = await signIn('city.staff');
    await page.getByTestId('inbox-claimable').click();
    await page.getByRole('cell', { name: child.number }).click();
    await page.getByText('市局审核').first().waitFor();
    await page.getByRole('button', { name: '签收' }).click();
    await page.getByLabel('办理结果').click();
    expect(await page.getByRole('option').allTextContents()).toEqual([zh.outcomes.uphold, zh.outcomes.dismiss]);
    // dismiss: the appeal does not stand (credit-appeal.bpmn), so the deduction takes effect.
    await page.getByRole('option', { name: zh.outcomes.dismiss }).click();
    await page.getByTestId('decision-comment').fill('申诉理由不成立，维持扣分');
    await page.getByRole('button', { name: '提交' }).click();
    await page.getByText('已办理').first().waitFor();
    await page.close();

    expect((await waitForEnd(p.db, child.id)).result).toBe('confirmed');
    await waitForEnd(p.db, noticeCase.id);
    expect((await p.db('credit_events').where({ enterprise_id: dongwu, description: DESCRIPTION }).first('status')).status).toBe('final');
    expect((await score()).score).toBeCloseTo(before.score - POINTS);
  });

  it('shows the enterprise its new score and grade on 我的信用, its records, the breakdown and the report', async () => {
    const after = await score();
    const page = await signIn('dongwu.ent');
    await menu(page, '我的信用');
    await page.getByTestId('credit-enterprise-name').getByText('苏州东吴物业管理有限公司').waitFor();
    expect(await page.getByTestId('credit-score').textContent()).toBe(String(after.score));
    expect(await page.getByTestId('credit-grade').first().getAttribute('data-grade')).toBe(after.grade);
    expect(after.score).toBeCloseTo(before.score - POINTS);
    expect(after.grade).not.toBe(before.grade);
    // The deduction among its records, in effect, and the breakdown by area in words.
    await page.getByTestId('credit-records').getByRole('row').filter({ hasText: DESCRIPTION }).getByText('已生效').waitFor();
    const chart = page.getByTestId('credit-area-chart');
    await page.locator('[data-testid=credit-area-chart][data-finished=true]').waitFor();
    for (const area of ['基础信息', '履约服务', '安全管理', '矛盾处置']) await chart.locator('text', { hasText: area }).first().waitFor();
    expect(await chart.locator('text', { hasText: /^other$/ }).count()).toBe(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'credit-enterprise.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('credit-report').click()]);
    expect(download.suggestedFilename()).toMatch(/\.pdf$/);
    expect(
      fs
        .readFileSync(await download.path())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    // The way to all its records: the 信用记录 list filtered to it.
    await page.getByTestId('credit-records-link').click();
    await page.waitForURL(/#\/credit-events\?/);
    await page.getByRole('row').filter({ hasText: DESCRIPTION }).waitFor();
    await page.close();
  });

  it('ranks the enterprise by its new score on 信用排名, by district, with the grade distribution; a row opens its credit', async () => {
    const after = await score();
    const page = await signIn('city.staff');
    await menu(page, '信用排名');
    await page.getByTestId('credit-district').click();
    await page.getByRole('option', { name: '姑苏区' }).click();
    // Only 姑苏区's enterprises, by the district's name.
    await waitFor('the ranking of 姑苏区', async () => {
      const districts = await page.getByTestId('credit-ranking-district').allTextContents();
      return districts.length > 0 && districts.every((d) => d === '姑苏区');
    });
    const row = page.getByTestId('credit-ranking-row').filter({ hasText: '苏州东吴物业管理有限公司' });
    expect(await row.getByTestId('credit-ranking-score').textContent()).toBe(String(after.score));
    expect(await row.getByTestId('credit-grade').getAttribute('data-grade')).toBe(after.grade);
    await page.locator('[data-testid=credit-grade-chart][data-finished=true]').waitFor();
    await page.getByTestId('credit-grade-chart').locator('text', { hasText: after.grade }).first().waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'credit-rankings.png'), fullPage: true });
    await row.click();
    await page.waitForURL(new RegExp(`#/credit/enterprises/${dongwu}$`));
    expect(await page.getByTestId('credit-score').textContent()).toBe(String(after.score));
    await page.close();
  });

  it('shows the intake’s refusal beside the field, in Chinese, and records nothing', async () => {
    const page = await signIn('gusu.staff');
    await menu(page, '信用记分');
    await pick(page, '物业服务企业', '东吴', '苏州东吴物业管理有限公司');
    await pick(page, '物业项目（可选）', 'XM3205080001', /XM3205080001/);
    // B-BI-02 is recorded against a project manager only; none is chosen, so the record would be the project's.
    await pick(page, '记分事项', 'B-BI-02', /^B-BI-02 /);
    await page.getByText('该事项固定 2 分').waitFor();
    expect(await page.getByTestId('credit-points').inputValue()).toBe('2');
    await page.getByLabel('事实描述').fill('项目经理未持证上岗（测试）');
    await page.getByTestId('attachments-file').setInputFiles({ name: '检查记录.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 检查记录') });
    await page.getByTestId('credit-evidence').getByText('检查记录.pdf').waitFor();
    await page.getByRole('button', { name: '提交记分' }).click();
    await page.getByText('该事项不能记在项目名下').waitFor();
    await page.getByTestId('credit-record-problem').getByText('未能记分，请按提示修改标出的内容').waitFor();
    expect(await page.getByTestId('credit-record-result').count()).toBe(0);
    expect(await p.db('credit_events').where({ description: '项目经理未持证上岗（测试）' }).count({ n: '*' }).first()).toEqual({ n: 0 });
    await page.close();
  });

  it('shows the red and black lists and the standard in force, in words', async () => {
    const page = await signIn('city.staff');
    await menu(page, '红黑榜');
    await page.getByTestId('credit-list-red-table').waitFor();
    await page.getByTestId('credit-list-black').click();
    await page.getByTestId('credit-list-black-table').waitFor();

    await menu(page, '信用标准');
    const version = page.getByTestId('credit-standards').getByRole('row').filter({ hasText: '第 1 版' });
    await version.getByText('已发布').waitFor();
    await version.getByText('现行').waitFor();
    await version.click();
    const item = page.getByTestId('credit-standard-items').getByRole('row').filter({ hasText: 'B-PF-01' });
    for (const words of ['业主投诉经查实', '日常服务行为', '履约服务', '扣分', '1–3', '企业、项目']) await item.getByText(words, { exact: false }).first().waitFor();
    await page.getByTestId('credit-standard-model').getByText('85 分及以上').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'credit-standard.png'), fullPage: true });
    await page.close();
  });

  it('lets the city draft the next version from the current one in the editor, see the server’s refusal, save it and publish it from a day it chooses', async () => {
    const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const page = await signIn('city.staff');
    await menu(page, '信用标准');
    await page.getByTestId('credit-standards').getByRole('row').filter({ hasText: '第 1 版' }).click();
    await page.getByTestId('credit-standard-new-draft').click();
    await page.getByText('已新建草案，可编辑后发布').waitFor();
    // The editor: the base lowered to 75 and the first item renamed; a wrong range first, which the server refuses.
    await page.getByTestId('credit-editor-base').fill('75');
    await page.getByTestId('credit-editor-item-name-0').fill('基础信息未按期更新（修订）');
    const firstItem = page.getByTestId('credit-editor-items').getByRole('row').nth(1);
    await firstItem.locator('input[type="number"]').first().fill('9');
    await page.getByTestId('credit-editor-save').click();
    await page.getByTestId('credit-editor-problems').getByText('记分事项 1').waitFor();
    await firstItem.locator('input[type="number"]').first().fill('1');
    await page.getByTestId('credit-editor-save').click();
    await page.getByText('草案已保存').waitFor();
    await page.getByTestId('credit-standard-model').getByText('75 分').first().waitFor();
    await page.getByTestId('credit-standard-items').getByText('基础信息未按期更新（修订）').waitFor();
    const draft = (await p.db('credit_standards').where('status', 'draft').orderBy('id', 'desc').first('id', 'model')) as { id: number; model: string | { base: number } };
    expect((typeof draft.model === 'string' ? (JSON.parse(draft.model) as { base: number }) : draft.model).base).toBe(75);

    await page.getByTestId('credit-standard-publish').click();
    await page.getByLabel('施行日期').fill(tomorrow);
    await page.getByRole('dialog').getByRole('button', { name: '发布' }).click();
    await page.getByText(`已发布第 2 版，${tomorrow} 起施行`).waitFor();
    await page.getByText(`第 2 版 · ${tomorrow} 起施行`).waitFor();
    expect(await page.getByTestId('credit-standard-publish').count()).toBe(0);
    expect(await p.db('credit_standards').where('id', draft.id).first('status', 'version')).toEqual({ status: 'published', version: 2 });
    // Version 1 stays in force until then.
    await menu(page, '信用标准');
    await page.getByTestId('credit-standards').getByRole('row').filter({ hasText: '第 1 版' }).getByText('现行').waitFor();
    await page.close();
  });
});
