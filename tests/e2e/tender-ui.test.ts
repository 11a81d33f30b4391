import type { Browser } from 'playwright-core';
import { decide, startCase, startPlatform, type Platform } from '../approvals/harness';
import { waitFor } from '../helpers/wait';
import { testApp } from '../helpers/api';
import { UI_DIST, ensureUiBuilt, launchBrowser, serve } from '../helpers/browser';
import { uiSignIn } from '../helpers/ui';

/** An enterprise finds an announced tender in the admin UI and registers a bid with its deposit. */
describe('tender pages (headless Chromium)', () => {
  let p: Platform;
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };

  beforeAll(async () => {
    ensureUiBuilt();
    p = await startPlatform('tender-ui');
    const { app } = testApp(p.db, { config: { UI_DIST_DIR: UI_DIST, FILES_DIR: p.filesDir, APPROVALS_TASK_QUEUE: p.taskQueue, CASE_SMS_TASK_QUEUE: p.sms.smsQueue }, temporal: p.temporal });
    server = await serve(app);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await p?.stop();
  });

  it('lists the open tender and takes a bid with the deposit into the bidder’s sub-account', async () => {
    const project = await p.db('property_projects').where('district_code', '320508').orderBy('id').first('id', 'name');
    const title = `${project.name}前期物业服务招标`;
    const started = await startCase(p, 'chengtou.dev', 'tender', {
      projectId: project.id,
      tenderer: 'developer',
      title,
      minLevel: 'level_3',
      minCapital: 1,
      minEmployees: 1,
      depositAmount: 50_000,
      bidWindow: 'PT30M',
      publicityPeriod: 'PT1S',
      minBidders: 2,
      shortlistSize: 2,
      expertCount: 3,
      termMonths: 36,
      feePerSqm: 2.8,
    });
    await decide(p, started.id, 'cityFiling', 'city.staff', { outcome: 'approve', comment: '准予备案' });
    await waitFor('the tender to open', async () => (await p.db('tenders').where({ case_id: started.id, status: 'open' }).first('case_id')) ?? null);

    const page = await uiSignIn(browser, server.url, 'dongwu.ent');
    await page.getByText('招标公告', { exact: true }).click();
    await page.getByRole('cell', { name: title }).click();
    await page.getByRole('button', { name: '投标报名' }).click();
    await page.getByText('已报名，保证金已缴入子账户').waitFor();
    await page.getByTestId('tender-bids').getByText('苏州东吴物业管理有限公司').waitFor();
    await page.close();

    const dongwu = (await p.db('organisations').where('code', 'ENT-91320508MA1DONGWU').first('id')).id;
    expect(await p.db('tender_bids').where({ case_id: started.id, enterprise_id: dongwu })).toHaveLength(1);
  });
});
