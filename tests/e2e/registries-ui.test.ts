import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../db/seeds/demo';
import { ARTIFACTS, startUiTestbed, type UiTestbed } from '../helpers/browser';

/** The project registry in a real browser: list, open, edit a field, see the change in the history. */
describe('registries UI (headless Chromium)', () => {
  let bed: UiTestbed;
  let db: Knex;
  let browser: Browser;
  let server: { url: string };

  beforeAll(async () => {
    bed = await startUiTestbed();
    ({ db, browser } = bed);
    server = { url: bed.url };
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await bed?.stop();
  });

  async function signIn(username: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    // The machine is shared with other test runs: wait for conditions as long as the test may take.
    page.setDefaultTimeout(240_000);
    await page.goto(`${server.url}/`);
    await page.locator('input[name=username]').fill(username);
    await page.locator('input[name=password]').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    return page;
  }

  it('lists a district’s projects, opens one, edits a field and shows the change in its history', async () => {
    const page = await signIn('gusu.staff');
    const menu = page.locator('.RaMenu-open, .RaMenu-closed').first();
    await menu.getByText('物业项目', { exact: true }).click();
    await page.getByRole('cell', { name: '平江新村', exact: true }).waitFor();
    const districts = await page.locator('td.column-district_name').allInnerTexts();
    expect(districts.length).toBeGreaterThan(5);
    expect(new Set(districts)).toEqual(new Set(['姑苏区']));

    await page.getByRole('cell', { name: '平江新村', exact: true }).click();
    await page.getByText('平江新村（XM3205080001）').first().waitFor();
    await page.getByText('委托物业服务企业管理').waitFor();

    await page.getByRole('link', { name: '编辑' }).click();
    await page.getByRole('button', { name: '保存' }).waitFor();
    await page.getByRole('tab', { name: '管理与联系' }).click();
    const phone = page.getByLabel('夜间报修电话');
    await phone.fill('13962001234');
    await page.getByRole('button', { name: '保存' }).click();

    await page.getByRole('tab', { name: '变更历史' }).waitFor();
    await page.getByRole('tab', { name: '变更历史' }).click();
    const history = page.getByTestId('registry-history');
    await history.getByText('gusu.staff').waitFor();
    await history.getByText('13962001234', { exact: false }).waitFor();
    await expect(history.getByText('夜间报修电话').count()).resolves.toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'registries-project-history.png') });

    const stored = await db('property_projects').where('code', 'XM3205080001').first('night_repair_phone', 'approved');
    expect(stored).toEqual({ night_repair_phone: '13962001234', approved: 0 });
    await page.close();
  }, 300_000);

  it('shows the registry menu in English too', async () => {
    const page = await signIn('city.staff');
    await page.getByText('您好，王建国（物业处）').waitFor();
    await page.getByRole('button', { name: '简体中文' }).click();
    await page.getByRole('menuitem', { name: 'English' }).click();
    const menu = page.locator('.RaMenu-open, .RaMenu-closed').first();
    for (const item of ['Property projects', 'Enterprises', 'Staff', "Owners' committees", 'Credit events', 'Double registrations']) {
      await menu.getByText(item, { exact: true }).waitFor();
    }
    await page.close();
  }, 300_000);
});
