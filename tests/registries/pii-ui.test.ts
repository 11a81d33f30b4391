import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../db/seeds/demo';
import { ARTIFACTS, startUiTestbed, type UiTestbed } from '../helpers/browser';

/**
 * Personal fields in a real browser: a staff page shows the ID number and mobile masked; "显示"
 * (pii:read only) brings this record's clear values from the server and is logged; a project
 * manager has no such button; the committee form says which member fields are optional.
 */
describe('personal data in the registry UI (headless Chromium)', () => {
  let bed: UiTestbed;
  let db: Knex;
  let browser: Browser;
  let staffId: number;
  let committeeId: number;

  beforeAll(async () => {
    bed = await startUiTestbed();
    ({ db, browser } = bed);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const dongwu = ((await db('organisations').where('code', 'ENT-91320508MA1DONGWU').first('id')) as { id: number }).id;
    staffId = ((await db('enterprise_staff').where({ enterprise_id: dongwu, name: '赵磊', role: 'project_manager' }).first('id')) as { id: number }).id;
    committeeId = ((await db('organisations').where('code', 'OC-320508001-PJXC').first('id')) as { id: number }).id;
  });
  afterAll(async () => {
    await bed?.stop();
  });

  async function signIn(username: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    page.setDefaultTimeout(240_000);
    await page.goto(`${bed.url}/`);
    await page.locator('input[name=username]').fill(username);
    await page.locator('input[name=password]').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.locator('.RaMenu-open, .RaMenu-closed').first().waitFor();
    return page;
  }

  it('shows a staff record masked, and in clear after 显示 for a district user, with a log entry', async () => {
    const page = await signIn('gusu.staff');
    await page.goto(`${bed.url}/#/staff/${staffId}/show`);
    const mobile = page.getByTestId('pii-mobile');
    await mobile.getByText('138****0011').waitFor();
    await expect(page.getByTestId('pii-id_number').innerText()).resolves.toMatch(/^\d{4}\*{10}[\dX]{4}$/);
    await page.getByTestId('pii-reveal').click();
    await mobile.getByText('13800000011').waitFor();
    await expect(page.getByTestId('pii-id_number').innerText()).resolves.toMatch(/^\d{17}[\dX]$/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'registries-staff-revealed.png') });
    const log = await db('operation_log')
      .where({ username: 'gusu.staff', action: 'staff.unmask', target_id: String(staffId) })
      .first('result');
    expect(log).toEqual({ result: 'ok' });
    await page.getByTestId('pii-hide').click();
    await mobile.getByText('138****0011').waitFor();
    await page.close();
  }, 300_000);

  it('gives a project manager the masked record and no 显示 button', async () => {
    const page = await signIn('dongwu.pm');
    await page.goto(`${bed.url}/#/staff/${staffId}/show`);
    await page.getByTestId('pii-mobile').getByText('138****0011').waitFor();
    expect(await page.getByTestId('pii-reveal').count()).toBe(0);
    await page.close();
  }, 300_000);

  it('masks members’ phones on a committee page and marks birth year and 政治面貌 optional in its form', async () => {
    const page = await signIn('pingjiang.oc');
    await page.goto(`${bed.url}/#/committees/${committeeId}/show/members`);
    await page.getByText('138****0013').waitFor();
    expect(await page.getByText('13800000013').count()).toBe(0);
    await page.getByText('出生年份（选填）').first().waitFor();
    await page.goto(`${bed.url}/#/committees/${committeeId}/members`);
    await page.getByText('选填，仅在备案需要时填写').first().waitFor();
    await page.close();
  }, 300_000);
});
