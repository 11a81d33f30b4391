import type { Knex } from 'knex';
import type { Browser } from 'playwright-core';
import { startUiTestbed, type UiTestbed } from '../helpers/browser';
import { uiSignIn } from '../helpers/ui';
import { waitFor } from '../helpers/wait';

/** The SMS pages: categories, one's own subscriptions, a notice to a category, modem health. */
describe('SMS pages (headless Chromium)', () => {
  let bed: UiTestbed;
  let db: Knex;
  let browser: Browser;
  let server: { url: string };

  beforeAll(async () => {
    // Notices are carried out by the SMS worker's workflow; here it only has to be started.
    bed = await startUiTestbed({ SMS_TASK_QUEUE: `sms-ui-${process.pid}` });
    ({ db, browser } = bed);
    server = { url: bed.url };
  });
  afterAll(async () => {
    await bed?.stop();
  });

  const signIn = (username: string) => uiSignIn(browser, server.url, username);

  it('lets city staff add a category, an owner subscribe to it, and city staff send it a notice', async () => {
    const staff = await signIn('city.staff');
    await staff.goto(`${server.url}/#/sms/categories/create`);
    await staff.getByLabel('代码').fill('water_power');
    await staff.getByLabel('名称').fill('停水停电通知');
    await staff.getByRole('button', { name: '保存' }).click();
    await staff.getByRole('cell', { name: '停水停电通知' }).waitFor();
    const category = await waitFor('the category row', async () => db('sms_categories').where('code', 'water_power').first(), { timeoutMs: 10_000 });

    const owner = await signIn('pingjiang.oc');
    await owner.goto(`${server.url}/#/account/sms`);
    await owner.getByLabel('停水停电通知').check();
    await owner.getByRole('button', { name: '保存' }).click();
    await owner.getByText('订阅已保存').waitFor();
    const ownerId = (await db('users').where('username', 'pingjiang.oc').first('id')).id;
    expect(await db('sms_subscriptions').where({ user_id: ownerId, category_id: category.id })).toHaveLength(1);
    await owner.close();

    await staff.goto(`${server.url}/#/sms/notices/create`);
    await staff.getByLabel('内容').fill('明日9:00-12:00平江新村计划停水，请提前储水。');
    await staff.getByLabel('订阅类别').click();
    await staff.getByRole('option', { name: '停水停电通知' }).click();
    await staff.getByRole('button', { name: '保存' }).click();
    await staff.getByRole('cell', { name: /平江新村计划停水/ }).waitFor();
    const notice = await db('sms_notices').orderBy('id', 'desc').first();
    expect(notice.text).toBe('明日9:00-12:00平江新村计划停水，请提前储水。');
    expect(notice.target_kind).toBe('category');
    await staff.close();
  });

  it('shows modem health as the SMS worker reports it, to those who may read it', async () => {
    await db('sms_modems').insert({ imei: '867530900000001', port: '/dev/ttyUSB0', status: 'ready', rssi: 23, storage_used: 0, storage_total: 30, status_since: new Date(), updated_at: new Date() });
    const admin = await signIn('admin');
    await admin.getByText('短信猫状态').click();
    await admin.getByTestId('sms-modems').getByText('/dev/ttyUSB0').waitFor();
    await admin.getByTestId('sms-modems').getByText('正常').waitFor();
    await admin.close();

    const enterprise = await signIn('dongwu.ent');
    expect(await enterprise.getByText('短信猫状态').count()).toBe(0);
    await enterprise.close();
  });
});
