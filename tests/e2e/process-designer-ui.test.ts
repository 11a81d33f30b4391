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

/** A diagram with a service task whose headers repeat a key (Camunda 8 refuses it, the platform's own checks do not) and a user task without a form. */
const LINT_KEY = 'ui-lint';
const lintXml = (headers: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${LINT_KEY}" name="校验示例" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="notify" name="记录备注">
      <bpmn:extensionElements><zeebe:taskDefinition type="case-note" /><zeebe:taskHeaders>${headers}</zeebe:taskHeaders></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:userTask id="review" name="审核">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="city_staff" /></bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="notify" />
    <bpmn:sequenceFlow id="f2" sourceRef="notify" targetRef="review" />
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="d"><bpmndi:BPMNPlane id="p" bpmnElement="${LINT_KEY}">
    <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="152" y="102" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="notify_di" bpmnElement="notify"><dc:Bounds x="240" y="80" width="100" height="80" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="review_di" bpmnElement="review"><dc:Bounds x="400" y="80" width="100" height="80" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="562" y="102" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="188" y="120" /><di:waypoint x="240" y="120" /></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="340" y="120" /><di:waypoint x="400" y="120" /></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f3_di" bpmnElement="f3"><di:waypoint x="500" y="120" /><di:waypoint x="562" y="120" /></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>`;

/** A gateway and a service task with a (non-interrupting) timer boundary event: their replace menus offer only the subset. */
const SUBSET_KEY = 'ui-subset';
const subsetXml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${SUBSET_KEY}" name="子集示例" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="choose" name="分支"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:serviceTask id="notify" name="记录备注">
      <bpmn:extensionElements><zeebe:taskDefinition type="case-note" /></bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:boundaryEvent id="remind" attachedToRef="notify" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="choose" />
    <bpmn:sequenceFlow id="f2" sourceRef="choose" targetRef="notify" />
    <bpmn:sequenceFlow id="f3" sourceRef="notify" targetRef="end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="d"><bpmndi:BPMNPlane id="p" bpmnElement="${SUBSET_KEY}">
    <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="152" y="102" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="choose_di" bpmnElement="choose" isMarkerVisible="true"><dc:Bounds x="240" y="95" width="50" height="50" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="notify_di" bpmnElement="notify"><dc:Bounds x="340" y="80" width="100" height="80" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="remind_di" bpmnElement="remind"><dc:Bounds x="372" y="142" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="492" y="102" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="188" y="120" /><di:waypoint x="240" y="120" /></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="290" y="120" /><di:waypoint x="340" y="120" /></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f3_di" bpmnElement="f3"><di:waypoint x="440" y="120" /><di:waypoint x="492" y="120" /></bpmndi:BPMNEdge>
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

  it('lints while drawing with the checks publishing applies, Camunda 8 rules included, in Chinese', async () => {
    const page = await uiSignIn(browser, url, 'admin');
    await page.goto(`${url}/#/processes/new/design`);
    await modeler(page).waitFor();
    const file = path.join(ARTIFACTS, `${LINT_KEY}.bpmn`);
    fs.writeFileSync(file, lintXml('<zeebe:header key="note" value="已受理" /><zeebe:header key="note" value="已审核" />'));
    await page.getByTestId('bpmn-file-input').setInputFiles(file);
    await modeler(page).getByText('记录备注').waitFor();
    const lint = page.getByTestId('lint-problems');
    await lint.getByText('1 个错误，1 个警告').waitFor();
    await lint.getByTestId('lint-error').getByText('错误 · notify: 服务任务有两个以上键（key）同为「note」').waitFor();
    await lint.getByTestId('lint-warning').getByText('警告 · review: 用户任务缺少表单（zeebe:formDefinition）').waitFor();
    // Marked on the canvas as Camunda Modeler marks it; the list selects the element it names.
    await modeler(page).locator('.cl-icon-error').first().waitFor();
    await lint.getByTestId('lint-error').click();
    await modeler(page).locator('.djs-element.selected[data-element-id=notify]').waitFor();
    // The properties panel opens the field, its error in Chinese.
    await page.locator('.bio-properties-panel').getByText('不能重复。').last().waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'process-lint.png') });

    // The server applies the same rules: publishing is refused with the same words.
    await page.getByRole('button', { name: '校验并发布' }).click();
    await page.getByTestId('process-problems').getByText('notify: 服务任务有两个以上键（key）同为「note」').waitFor();
    expect(await bed.db('processes').where('process_key', LINT_KEY).count({ n: '*' }).first()).toEqual({ n: 0 });

    // Distinct keys: the error is gone while drawing, the warning stays, and the process publishes.
    fs.writeFileSync(file, lintXml('<zeebe:header key="note" value="已受理" />'));
    await page.getByTestId('bpmn-file-input').setInputFiles(file);
    await lint.getByText('0 个错误，1 个警告').waitFor();
    await expect(modeler(page).locator('.cl-icon-error').count()).resolves.toBe(0);
    await page.getByRole('button', { name: '校验并发布' }).click();
    await page.getByText(`已发布 ${LINT_KEY} 第 1 版；流程为草稿`).waitFor();
    await page.close();
  });

  it('offers in the replace menus only what publishing accepts (lib/bpmn/designer-subset.ts)', async () => {
    const page = await uiSignIn(browser, url, 'admin');
    await page.goto(`${url}/#/processes/new/design`);
    await modeler(page).waitFor();
    const file = path.join(ARTIFACTS, `${SUBSET_KEY}.bpmn`);
    fs.writeFileSync(file, subsetXml);
    await page.getByTestId('bpmn-file-input').setInputFiles(file);
    await modeler(page).getByText('记录备注').waitFor();
    const entry = (id: string) => page.locator(`.djs-popup [data-id="${id}"]`);
    /** Selects an element, opens its replace menu (the wrench), and lists which of `ids` it offers. */
    const offered = async (elementId: string, ids: string[]) => {
      await modeler(page).locator(`.djs-element[data-element-id=${elementId}]`).click();
      await page.locator('.djs-context-pad .entry[data-action="replace"]').click();
      await page.locator('.djs-popup .entry').first().waitFor();
      const shown: string[] = [];
      for (const id of ids) if (await entry(id).count()) shown.push(id);
      await page.keyboard.press('Escape');
      await page.locator('.djs-popup').waitFor({ state: 'detached' });
      return shown;
    };
    // A gateway: no complex gateway.
    await expect(offered('choose', ['replace-with-parallel-gateway', 'replace-with-inclusive-gateway', 'replace-with-complex-gateway'])).resolves.toEqual(['replace-with-parallel-gateway', 'replace-with-inclusive-gateway']);
    // A service task: no ad-hoc sub-process, multi-instance but no standard loop.
    await expect(offered('notify', ['replace-with-user-task', 'replace-with-ad-hoc-subprocess', 'toggle-parallel-mi', 'toggle-loop'])).resolves.toEqual(['replace-with-user-task', 'toggle-parallel-mi']);
    // A boundary event on a service task: timers and errors, no conditional, message or escalation boundary.
    const boundaryOptions = [
      'replace-with-timer-boundary',
      'replace-with-error-boundary',
      'replace-with-conditional-boundary',
      'replace-with-non-interrupting-conditional-boundary',
      'replace-with-message-boundary',
      'replace-with-escalation-boundary',
    ];
    await expect(offered('remind', boundaryOptions)).resolves.toEqual(['replace-with-timer-boundary', 'replace-with-error-boundary']);
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
