import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { bpmn, caseRow, flow, jobWorkerAuth, openTaskAt, publish, startCase, startEngine, userTask, waitForStatus, type Engine } from '../engine/harness';
import { testApp } from '../helpers/api';
import { SCREENSHOTS, UI_DIST, ensureUiBuilt, launchBrowser, serve } from '../helpers/browser';
import { uiSignIn } from '../helpers/ui';
import { waitFor } from '../helpers/wait';

/**
 * 异常处理 in the browser: a case stopped at a gateway none of whose branches matched shows in
 * the administrator's incidents list with its element and message; terminating it asks for a
 * reason and ends it. On the case page the element is drawn in red with the message, and the
 * administrator's 终止 there also needs a reason. A job that failed for good is retried from its
 * row and the case goes on; a case stopped at the gateway is moved to the step it should reach.
 * The engine writes its messages in English; the administrator reads them in Chinese.
 */
// The diagram's shapes (BPMN DI), so the case page has something to draw the incident on.
const shape = (id: string, x: number, w: number, h: number) => `<bpmndi:BPMNShape id="${id}_di" bpmnElement="${id}"><dc:Bounds x="${x}" y="${100 - h / 2}" width="${w}" height="${h}" /></bpmndi:BPMNShape>`;
const edge = (id: string, x1: number, x2: number) => `<bpmndi:BPMNEdge id="${id}_di" bpmnElement="${id}"><di:waypoint x="${x1}" y="100" /><di:waypoint x="${x2}" y="100" /></bpmndi:BPMNEdge>`;
const DI = `<bpmndi:BPMNDiagram id="d1" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI"><bpmndi:BPMNPlane id="p1" bpmnElement="t-incident-ui">${[
  shape('start', 100, 36, 36),
  shape('gw', 200, 50, 50),
  shape('review', 320, 100, 80),
  shape('end', 480, 36, 36),
  edge('f1', 136, 200),
  edge('f2', 250, 320),
  edge('f3', 420, 480),
].join('')}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>`;

describe('incidents in the admin UI (headless Chromium)', () => {
  let engine: Engine;
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };

  beforeAll(async () => {
    ensureUiBuilt();
    engine = await startEngine();
    await publish(
      engine.db,
      bpmn(
        't-incident-ui',
        [
          '<bpmn:startEvent id="start" />',
          '<bpmn:exclusiveGateway id="gw" name="分流" />',
          userTask('review', 'assignee="admin"'),
          '<bpmn:endEvent id="end" />',
          flow('f1', 'start', 'gw'),
          flow('f2', 'gw', 'review', '=route = "a"'),
          flow('f3', 'review', 'end'),
        ].join('\n'),
        DI,
      ),
    );
    // A job a worker outside the platform does, with one attempt: its failure is an incident at once.
    await publish(
      engine.db,
      bpmn(
        't-incident-retry',
        [
          '<bpmn:startEvent id="start" />',
          '<bpmn:serviceTask id="check" name="核验"><bpmn:extensionElements><zeebe:taskDefinition type="ui-erp-check" retries="1" /></bpmn:extensionElements></bpmn:serviceTask>',
          userTask('review', 'assignee="admin"'),
          '<bpmn:endEvent id="end" />',
          flow('f1', 'start', 'check'),
          flow('f2', 'check', 'review'),
          flow('f3', 'review', 'end'),
        ].join('\n'),
      ),
    );
    const { app } = testApp(engine.db, { config: { UI_DIST_DIR: UI_DIST, APPROVALS_TASK_QUEUE: engine.taskQueue }, temporal: engine.temporal });
    server = await serve(app);
    browser = await launchBrowser();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await engine?.stop();
  });

  const stoppedCase = async () => {
    const c = await startCase(await engine.as('admin'), 't-incident-ui', { route: 'b' });
    await waitForStatus(engine.db, c.id, 'incident');
    return c;
  };
  const terminatedWith = async (caseId: number, reason: string) => {
    await waitForStatus(engine.db, caseId, 'terminated');
    const entry = await waitFor('the termination in the history', async () => engine.db('case_history').where({ case_id: caseId, kind: 'terminated' }).first('comment'));
    expect(entry.comment).toBe(reason);
  };

  it('lists the incident with its element and message, and terminates it with a reason', async () => {
    const c = await stoppedCase();
    const page = await uiSignIn(browser, server.url, 'admin');
    await page.locator('.RaMenu-open, .RaMenu-closed').first().getByText('异常处理', { exact: true }).click();
    const row = page.getByRole('row').filter({ hasText: c.number });
    await row.waitFor();
    await row.getByText('分流').waitFor();
    await row.getByText('网关 gw 没有条件成立的分支，也没有默认路径').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'incidents.png'), fullPage: true });

    await page.getByTestId(`terminate-${c.id}`).click();
    await page.getByText(`终止案件：${c.number}`).waitFor();
    // No reason, no termination.
    await page.getByTestId('operation-confirm').click();
    await page.getByText('请填写终止原因').waitFor();
    expect((await caseRow(engine.db, c.id)).status).toBe('incident');
    await page.getByTestId('operation-reason').fill('流程配置错误，终止办理');
    await page.getByTestId('operation-confirm').click();
    await page.getByText('案件已终止').waitFor();
    await terminatedWith(c.id, '流程配置错误，终止办理');
    await row.waitFor({ state: 'detached' });
    await page.close();
  });

  it('draws the incident in red on the case’s diagram, and terminates it from the case page with a reason', async () => {
    const c = await stoppedCase();
    const page = await uiSignIn(browser, server.url, 'admin');
    await page.goto(`${server.url}/#/cases/${c.id}/show`);
    await page.getByTestId('case-incident').getByText('网关 gw 没有条件成立的分支，也没有默认路径').waitFor();
    await page.getByTestId('bpmn-viewer').locator('.djs-element.incident').first().waitFor();
    const overlay = page.getByTestId('bpmn-incident');
    await overlay.waitFor();
    expect(await overlay.getAttribute('title')).toContain('网关 gw 没有条件成立的分支');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'case-incident.png'), fullPage: true });

    await page.getByTestId('case-terminate').click();
    await page.getByTestId('operation-reason').fill('申请人已另行办理');
    await page.getByTestId('operation-confirm').click();
    await page.getByText('案件已终止').waitFor();
    await terminatedWith(c.id, '申请人已另行办理');
    await page.getByTestId('case-status').getByText('已终止').waitFor();
    await page.close();
  });

  it('retries a job that failed for good, and moves a case stopped at the gateway to its step', async () => {
    // The job worker, over the job API: it takes the case's job and fails it with no retries left.
    const worker = (path: string, body: object) => request(engine.app).post(path).set('Authorization', jobWorkerAuth()).send(body);
    const activate = (caseId: number) =>
      waitFor(`the check job of case ${caseId}`, async () => {
        const res = await worker('/api/jobs/activate', { type: 'ui-erp-check', maxJobsToActivate: 32 });
        return (res.body.jobs as Array<{ key: string; caseId: number }>).find((j) => j.caseId === caseId);
      });
    const failed = await startCase(await engine.as('admin'), 't-incident-retry', {});
    const first = await activate(failed.id);
    expect((await worker(`/api/jobs/${first.key}/fail`, { retries: 0, errorMessage: 'ERP 接口超时' })).status).toBe(204);
    await waitForStatus(engine.db, failed.id, 'incident');
    const stopped = await stoppedCase();

    const page = await uiSignIn(browser, server.url, 'admin');
    await page.locator('.RaMenu-open, .RaMenu-closed').first().getByText('异常处理', { exact: true }).click();
    const failedRow = page.getByRole('row').filter({ hasText: failed.number });
    const message = failedRow.getByTestId('incident-message');
    await message.getByText('核验 的外部作业 ui-erp-check 失败，且已无重试次数：ERP 接口超时').waitFor();
    // The engine's own words stay at hand for a report.
    expect(await message.getAttribute('title')).toBe('the job ui-erp-check of 核验 failed with no retries left: ERP 接口超时');

    await page.getByTestId(`retry-${failed.id}`).click();
    await page.getByText('已重试出错的环节').waitFor();
    await failedRow.waitFor({ state: 'detached' });
    await waitForStatus(engine.db, failed.id, 'running');
    // The retry opened a new job; done this time, the case goes on to the review.
    const again = await activate(failed.id);
    expect(again.key).not.toBe(first.key);
    expect((await worker(`/api/jobs/${again.key}/complete`, { variables: { registered: true } })).status).toBe(204);
    await openTaskAt(engine.db, failed.id, 'review');

    // The case the gateway could not route: moved by hand to the step it should have reached.
    await page.getByTestId(`move-${stopped.id}`).click();
    await page.getByText(`移动令牌：${stopped.number}`).waitFor();
    await page.getByTestId('move-target').click();
    await page.getByRole('option', { name: /^review/ }).click();
    await page.getByTestId('move-confirm').click();
    await page.getByText('已移动到 review').waitFor();
    await page.getByRole('row').filter({ hasText: stopped.number }).waitFor({ state: 'detached' });
    await waitForStatus(engine.db, stopped.id, 'running');
    await openTaskAt(engine.db, stopped.id, 'review');
    const kinds = (await engine.db('case_history').where({ case_id: stopped.id }).pluck('kind')) as string[];
    expect(kinds).toContain('token_moved');
    await page.close();
  });
});
