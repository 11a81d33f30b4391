import fs from 'node:fs';
import path from 'node:path';
import { compileBpmn } from './compile';
import { camundaLint } from './lint';
import { readBpmnXml } from './moddle';

const doc = (key: string, body: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs_${key}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${key}" name="${key}" isExecutable="true">
    <bpmn:startEvent id="start" />
${body}
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>`;

const serviceTask = (headers: string) => `<bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="case-note" /><zeebe:taskHeaders>${headers}</zeebe:taskHeaders></bpmn:extensionElements></bpmn:serviceTask>`;
const userTask = (extra = '') => `<bpmn:userTask id="work"><bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="city_staff" />${extra}</bpmn:extensionElements></bpmn:userTask>`;

describe("Camunda's lint rules in publishing's checks", () => {
  it('finds no error in the shipped processes', async () => {
    const dir = path.resolve(__dirname, '../../processes');
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.bpmn'))) {
      const { definitions } = await readBpmnXml(fs.readFileSync(path.join(dir, file), 'utf8'));
      const errors = (await camundaLint(definitions!)).filter((r) => r.category === 'error');
      expect({ file, errors }).toEqual({ file, errors: [] });
    }
  });

  it('refuses what only Camunda 8 refuses, naming the rule and saying it in Chinese', async () => {
    const result = await compileBpmn(doc('t-lint-headers', serviceTask('<zeebe:header key="note" value="a" /><zeebe:header key="note" value="b" />')));
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems).toEqual([
      expect.objectContaining({
        elementId: 'work',
        rule: 'camunda-compat/duplicate-task-headers',
        message: 'A <Service Task> with two or more <Headers> with the same <Key> (note) is not supported',
        zh: '服务任务有两个以上键（key）同为「note」',
      }),
    ]);
    // The same task with distinct keys publishes.
    expect((await compileBpmn(doc('t-lint-headers', serviceTask('<zeebe:header key="note" value="a" />')))).ok).toBe(true);
  });

  it("gives one problem for an element the platform refuses, not its own and Camunda's", async () => {
    const result = await compileBpmn(doc('t-lint-untyped', '<bpmn:serviceTask id="work" />'));
    expect(result.ok ? [] : result.problems.map((p) => [p.elementId, p.message])).toEqual([['work', 'a service or send task needs zeebe:taskDefinition type']]);
    // Camunda's rule does report it on its own.
    const { definitions } = await readBpmnXml(doc('t-lint-untyped', '<bpmn:serviceTask id="work" />'));
    expect((await camundaLint(definitions!)).map((r) => [r.elementId, r.rule, r.category])).toContainEqual(['work', 'camunda-compat/implementation', 'error']);
  });

  it('only warns where the platform deliberately runs more than Camunda 8 (a due date as a duration)', async () => {
    const result = await compileBpmn(doc('t-lint-due', userTask('<zeebe:taskSchedule dueDate="P10D" />')));
    expect(result.ok).toBe(true);
    expect(result.warnings).toContainEqual(expect.objectContaining({ elementId: 'work', rule: 'camunda-compat/task-schedule', zh: '用户任务的到期时间（dueDate）取值不被允许' }));
  });

  it('warns about a user task without a form, in Chinese', async () => {
    const result = await compileBpmn(doc('t-lint-form', userTask()));
    expect(result.warnings).toEqual([expect.objectContaining({ elementId: 'work', rule: 'camunda-compat/user-task-definition', zh: '用户任务缺少表单（zeebe:formDefinition）' })]);
    const linked = await compileBpmn(doc('t-lint-form', userTask('<zeebe:formDefinition formId="work-form" />')));
    expect(linked.warnings).toEqual([]);
  });

  it('reads the flows of a file that lists no incoming and outgoing flows (written by hand, not by Modeler)', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="t-lint-gateway" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:eventBasedGateway id="wait" />
    <bpmn:intermediateCatchEvent id="soon"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="later"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="wait" />
    <bpmn:sequenceFlow id="f1" sourceRef="wait" targetRef="soon" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="later" />
    <bpmn:sequenceFlow id="f3" sourceRef="soon" targetRef="end" />
    <bpmn:sequenceFlow id="f4" sourceRef="later" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>`;
    const result = await compileBpmn(xml);
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it('keeps nothing from one diagram to the next (bpmnlint rules remember the flows they saw)', async () => {
    const xml = doc('t-lint-twice', userTask('<zeebe:formDefinition formId="work-form" />'));
    expect((await compileBpmn(xml)).warnings).toEqual([]);
    expect((await compileBpmn(xml)).warnings).toEqual([]);
  });
});
