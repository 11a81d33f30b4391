import type { Browser, Page } from 'playwright-core';
import zh from '../../admin-ui/src/i18n/app-zh-CN';
import { DEMO_USERS } from '../../db/seeds/demo';
import { startUiTestbed, type UiTestbed } from '../helpers/browser';
import { uiSignIn } from '../helpers/ui';

/**
 * Every menu entry of every demo role, opened in Chinese (issue 14): no page may show a message
 * key the catalogue did not translate (`inbox.empty.todo.title`, `ra.page.empty`), a resource's
 * path or react-admin's English name for it (`Inbox/todos`, `暂无Sms/messages`), fetch's English
 * error, or throw in the browser. One reader per role (the first demo user of each).
 */
const NAMESPACES = ['ra', ...Object.keys(zh)];
// A key as polyglot leaves it when it has no phrase: namespace.segment(.segment)*, lower case.
const RAW_KEY = new RegExp(`(?<![\\w@/.-])(?:${NAMESPACES.join('|')})\\.[a-z][a-z0-9_-]*(?:\\.[a-z0-9_-]+)*(?![\\w@/-])`, 'g');
// react-admin's fallback names: a resource's path, capitalised, in a title or an empty list.
const RAW_RESOURCE = /(?:^|[^\w/])((?:Inbox|Sms|inbox|sms)\/[a-z-]+|Operation-logs|Credit-events|Staff-duplicates|Registry-changes)(?![\w])/;
const USERNAMES = new Set(DEMO_USERS.map((u) => u.username));

function problemsOf(text: string): string[] {
  const problems: string[] = [];
  for (const m of text.matchAll(RAW_KEY)) if (!USERNAMES.has(m[0])) problems.push(`raw key ${m[0]}`);
  const resource = RAW_RESOURCE.exec(text);
  if (resource) problems.push(`resource name ${resource[1]}`);
  if (/Failed to fetch/.test(text)) problems.push('fetch error in English');
  if (/暂无[A-Za-z]/.test(text)) problems.push(`react-admin empty text ${/暂无[A-Za-z/-]+/.exec(text)![0]}`);
  return problems;
}

describe('every menu entry of every demo role, in Chinese', () => {
  let bed: UiTestbed;
  let browser: Browser;

  beforeAll(async () => {
    bed = await startUiTestbed();
    ({ browser } = bed);
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it('recognises what it looks for', () => {
    expect(problemsOf('待办 inbox.empty.todo.title 列表')).toEqual(['raw key inbox.empty.todo.title']);
    expect(problemsOf('暂无Inbox/todos')).toEqual(expect.arrayContaining(['resource name Inbox/todos', 'react-admin empty text 暂无Inbox/todos']));
    expect(problemsOf('用户 public.zhang 登录，邮件 a.b@example.com，网址 www.sz.gov.cn')).toEqual([]);
  });

  it('shows no untranslated key, resource name or English error on any page a role can open', async () => {
    const roles = new Set<string>();
    const readers = DEMO_USERS.filter((u) => !roles.has(u.role) && roles.add(u.role));
    const found: string[] = [];
    let pages = 0;
    const walk = async (user: (typeof readers)[number]) => {
      let page: Page;
      try {
        page = await uiSignIn(browser, bed.url, user.username);
      } catch (err) {
        found.push(`${user.username}: could not sign in (${(err as Error).message.split('\n')[0]})`);
        return;
      }
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const entries = await page.locator('.RaMenu-open a[href], .RaMenu-closed a[href]').evaluateAll((links) => [...new Set(links.map((a) => a.getAttribute('href') ?? ''))]);
      for (const href of ['#/', ...entries.filter((h) => h.startsWith('#/'))]) {
        await page.goto(`${bed.url}/${href}`);
        await page.locator('#main-content').waitFor();
        // Lists and cards load after the frame: react-admin shows its progress indicator while
        // any request is pending.
        await page.waitForTimeout(100);
        await page
          .locator('.RaLoadingIndicator-loader, [role=progressbar]')
          .first()
          .waitFor({ state: 'detached', timeout: 10_000 })
          .catch(() => undefined);
        for (const p of problemsOf(await page.locator('body').innerText())) found.push(`${user.username} ${href}: ${p}`);
        pages++;
      }
      for (const e of errors) found.push(`${user.username}: page error ${e}`);
      await page.close();
    };
    // Three readers at a time: the walk is waiting on the browser and the API, not on this process.
    const queue = [...readers];
    await Promise.all(
      [0, 1, 2].map(async () => {
        for (let user = queue.shift(); user; user = queue.shift()) await walk(user);
      }),
    );
    console.log(`menu walk: ${readers.length} roles, ${pages} pages`);
    expect(found).toEqual([]);
    // The walk must have walked: every role, most of the menu.
    expect(readers.length).toBeGreaterThanOrEqual(12);
    expect(pages).toBeGreaterThan(100);
  }, 600_000);
});
