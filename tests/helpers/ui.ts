import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../db/seeds/demo';
import { needsDemoCode, nextDemoCode } from './totp';

/** What people do in the admin UI, shared by the browser tests. */
export async function uiSignIn(browser: Browser, baseUrl: string, username: string, password = DEMO_PASSWORD): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
  await page.goto(`${baseUrl}/`);
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await uiAnswerSecondFactor(page, username);
  await page.getByText('工作台').first().waitFor();
  return page;
}

/**
 * A demo administrator is asked for the authenticator's code after the password: it is
 * computed from the demo secret (tests/helpers/totp.ts), as the person would read it off the app.
 */
export async function uiAnswerSecondFactor(page: Page, username: string): Promise<void> {
  if (!needsDemoCode(username)) return;
  const code = page.locator('input[name=code]');
  await code.waitFor();
  await code.fill(await nextDemoCode(username));
  await page.getByRole('button', { name: '登录' }).click();
}

export interface UiDecision {
  outcome: '通过' | '退回' | '不予通过';
  returnTo?: string;
  comment: string;
}

/**
 * A reviewer's turn: sign in, open the case's task from the 待签 box, claim it, decide.
 * `beforeDeciding` runs on the task page once it shows the decision form (screenshots, checks).
 */
export async function claimAndDecide(browser: Browser, baseUrl: string, username: string, caseNumber: string, decision: UiDecision, beforeDeciding?: (page: Page) => Promise<void>): Promise<void> {
  const page = await uiSignIn(browser, baseUrl, username);
  await page.getByTestId('inbox-claimable').click();
  await page.getByRole('cell', { name: caseNumber }).click();
  await page.getByRole('button', { name: '签收' }).click();
  await page.getByLabel('办理结果').waitFor();
  if (beforeDeciding) await beforeDeciding(page);
  if (decision.outcome !== '通过') {
    await page.getByLabel('办理结果').click();
    await page.getByRole('option', { name: decision.outcome }).click();
  }
  if (decision.returnTo) {
    await page.getByLabel('退回至').click();
    await page.getByRole('option', { name: decision.returnTo }).click();
  }
  await page.getByTestId('decision-comment').fill(decision.comment);
  await page.getByRole('button', { name: '提交' }).click();
  await page.getByText('已办理').waitFor();
  await page.close();
}

/** The applicant answers a return for supplement from the case page. */
export async function supplyMaterials(browser: Browser, baseUrl: string, username: string, caseId: number, comment: string): Promise<void> {
  const page = await uiSignIn(browser, baseUrl, username);
  await page.goto(`${baseUrl}/#/cases/${caseId}/show`);
  await page.getByText('案件已退回补正').waitFor();
  await page.getByLabel('意见').fill(comment);
  await page.getByRole('button', { name: '提交补正材料' }).click();
  await page.getByText('补正材料已提交').waitFor();
  await page.close();
}
