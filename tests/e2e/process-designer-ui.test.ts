import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { publishProcess } from '../../lib/processes/store';
import { publishShippedProcesses } from '../../lib/processes/shipped';
import { ARTIFACTS, SCREENSHOTS, startUiTestbed, type UiTestbed } from '../helpers/browser';
import { uiSignIn } from '../helpers/ui';
import { waitFor } from '../helpers/wait';

/**
 * The process designer for the people who use it (headless Chromium): the system administrator
 * sees 新建流程 and 校验并发布, picks starter roles, candidate roles and an assignee instead of
 * typing ids, downloads and imports .bpmn files, and enables a draft with its category; the
 * bureau's staff, who read processes but do not publish them, see none of the publishing controls.
 */
const KEY = 'ui-draft';
const xml = (taskName: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${KEY}" name="界面草稿流程" isExecutable="true">
    <bpmn:extensionElements><zeebe:properties><zeebe:property name="starterRoles" value="city_staff" /></zeebe:properties></bpmn:extensionElements>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review" name="${taskName}">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="city_staff" /></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="d"><bpmndi:BPMNPlane id="p" bpmnElement="${KEY}">
    <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="152" y="102" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="review_di" bpmnElement="review"><dc:Bounds x="240" y="80" width="100" height="80" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="392" y="102" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="188" y="120" /><di:waypoint x="240" y="120" /></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="340" y="120" /><di:waypoint x="392" y="120" /></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>`;

describe('process designer UI (headless Chromium)', () => {
  let bed: UiTestbed;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    bed = await startUiTestbed();
    ({ browser, url } = bed);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await publishShippedProcesses(bed.db);
    // As the designer's route publishes it: a draft, offered to nobody yet.
    const published = await publishProcess(bed.db, xml('审核'), { publishedBy: null, source: 'api', newStatus: 'draft' });
    if (!published.ok) throw new Error(JSON.stringify(published.problems));
  });
  afterAll(async () => {
    await bed?.stop();
  });

  const modeler = (page: Page) => page.getByTestId('bpmn-modeler');
  const latestXml = async () => (await bed.db('process_versions').where('process_key', KEY).orderBy('version', 'desc').first('xml', 'version')) as { xml: string; version: number };

  it('shows the administrator the publishing controls, the lifecycle in the list, and pickers for roles and users', async () => {
    const page = await uiSignIn(browser, url, 'admin');
    await page.goto(`${url}/#/processes`);
    await page.getByRole('link', { name: '新建流程' }).waitFor();
    const draftRow = page.getByRole('row').filter({ hasText: KEY });
    await draftRow.getByText('草稿', { exact: true }).waitFor();
    await page.getByRole('row').filter({ hasText: 'qualification' }).getByText('资质类').waitFor();
    // Filtered by status: only the draft is left.
    await page.getByLabel('状态').first().click();
    await page.getByRole('option', { name: '草稿' }).click();
    await waitFor('the list filtered to drafts', async () => (await page.getByRole('row').count()) === 2 && (await draftRow.count()) === 1);

    await page.goto(`${url}/#/processes/${KEY}/design`);
    await modeler(page).locator('.djs-element[data-element-id=review]').waitFor();
    await page.getByRole('button', { name: '校验并发布' }).waitFor();
    // The process is the element when nothing is selected: its starter roles as a role picker.
    const starters = page.getByTestId('starter-roles');
    await starters.getByText('市局工作人员').waitFor();
    await starters.getByRole('combobox').click();
    await page.getByRole('option', { name: '物业服务企业' }).click();
    await starters.getByText('物业服务企业').waitFor();

    // A user task: its candidate roles and an assignee found by name.
    await modeler(page).locator('.djs-element[data-element-id=review]').click();
    const groups = page.getByTestId('candidate-groups');
    await groups.getByText('市局工作人员').waitFor();
    await groups.getByRole('combobox').click();
    await page.getByRole('option', { name: '区局工作人员' }).click();
    await page.getByLabel('查找并指定处理人').fill('city.leader');
    await page.getByRole('option', { name: /李明华/ }).click();
    await page.getByTestId('assignee').getByText('city.leader').waitFor();
    // The zeebe properties panel beside them is in Chinese too.
    await page.locator('.bio-properties-panel').getByText('任务分配').first().waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'process-designer-pickers.png') });

    // Download the diagram as it is now, then publish it: the same XML, as version 2, still a draft.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载 BPMN 文件' }).click()]);
    expect(download.suggestedFilename()).toBe(`${KEY}.bpmn`);
    const downloaded = fs.readFileSync(await download.path(), 'utf8');
    expect(downloaded).toMatch(/name="starterRoles" value="city_staff,enterprise"/);
    expect(downloaded).toMatch(/candidateGroups="city_staff,district_staff"/);
    expect(downloaded).toMatch(/assignee="city.leader"/);
    await page.getByRole('button', { name: '校验并发布' }).click();
    await page.getByText(`已发布 ${KEY} 第 2 版；流程为草稿`).waitFor();
    const v2 = await latestXml();
    expect(v2.version).toBe(2);
    expect(v2.xml).toMatch(/candidateGroups="city_staff,district_staff"/);
    expect(v2.xml).toMatch(/assignee="city.leader"/);

    // Import a file from disk into the editor; a problem the server finds is shown in Chinese.
    await page.goto(`${url}/#/processes/${KEY}/design`);
    await modeler(page).locator('.djs-element[data-element-id=review]').waitFor();
    const file = path.join(ARTIFACTS, `${KEY}-import.bpmn`);
    fs.writeFileSync(file, xml('导入的审核').replace('candidateGroups="city_staff"', 'candidateGroups="no_such_role"'));
    await page.getByTestId('bpmn-file-input').setInputFiles(file);
    await modeler(page).getByText('导入的审核').waitFor();
    await page.getByRole('button', { name: '校验并发布' }).click();
    await page.getByTestId('process-problems').getByText('review: 候选组“no_such_role”不是平台角色').waitFor();
    expect((await latestXml()).version).toBe(2);
    await page.close();
  });

  it('lets the administrator enable the draft and choose its category', async () => {
    const page = await uiSignIn(browser, url, 'admin');
    await page.goto(`${url}/#/processes/${KEY}/show`);
    const settings = page.getByTestId('process-settings');
    await settings.getByText('草稿流程不会出现在“发起申请”中').waitFor();
    await settings.getByTestId('process-status-select').getByRole('combobox').click();
    await page.getByRole('option', { name: '已启用' }).click();
    await settings.getByTestId('process-category-select').getByRole('combobox').click();
    await page.getByRole('option', { name: '备案类' }).click();
    await settings.getByRole('button', { name: '保存设置' }).click();
    await page.getByText('流程设置已保存').waitFor();
    await page.getByTestId('process-status').getByText('已启用').waitFor();
    expect(await bed.db('processes').where('process_key', KEY).first('status', 'category')).toEqual({ status: 'enabled', category: 'filing' });
    expect(await bed.db('operation_log').where({ action: 'processes.settings', target_id: KEY, username: 'admin', result: 'ok' }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
    await page.close();
  });

  it('shows the bureau’s staff, who read processes, no publishing controls', async () => {
    const page = await uiSignIn(browser, url, 'city.staff');
    await page.goto(`${url}/#/processes`);
    await page.getByRole('row').filter({ hasText: KEY }).waitFor();
    await expect(page.getByRole('link', { name: '新建流程' }).count()).resolves.toBe(0);
    await page.goto(`${url}/#/processes/${KEY}/show`);
    await page.getByTestId('process-versions').waitFor();
    await expect(page.getByTestId('process-settings').count()).resolves.toBe(0);
    await expect(page.getByRole('link', { name: '设计' }).count()).resolves.toBe(0);
    await page.goto(`${url}/#/processes/${KEY}/design`);
    await modeler(page).locator('.djs-element[data-element-id=review]').waitFor();
    await page.getByText('发布流程需要系统管理员权限').waitFor();
    await expect(page.getByRole('button', { name: '校验并发布' }).count()).resolves.toBe(0);
    await page.close();
  });
});
