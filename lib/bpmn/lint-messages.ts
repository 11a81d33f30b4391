/**
 * Chinese wording of Camunda's lint reports (lib/bpmn/lint.ts). Camunda's rules describe a
 * problem with a structured `data` (an error type, the element, the property); the Chinese
 * sentence is built from those, so it says the same as Modeler's English message. A report no
 * template knows keeps the English after a Chinese lead-in naming the rule.
 */
interface MessageNode {
  $type?: string;
  eventDefinitions?: Array<{ $type?: string }>;
}

interface ReportLike {
  message: string;
  data?: Record<string, unknown>;
}

const ELEMENT_ZH: Record<string, string> = {
  Process: '流程',
  Message: '消息',
  Error: '错误',
  Escalation: '升级',
  Signal: '信号',
  StartEvent: '开始事件',
  EndEvent: '结束事件',
  IntermediateCatchEvent: '中间捕获事件',
  IntermediateThrowEvent: '中间抛出事件',
  BoundaryEvent: '边界事件',
  UserTask: '用户任务',
  ServiceTask: '服务任务',
  SendTask: '发送任务',
  ReceiveTask: '接收任务',
  ScriptTask: '脚本任务',
  BusinessRuleTask: '业务规则任务',
  ManualTask: '手工任务',
  Task: '任务',
  SubProcess: '子流程',
  AdHocSubProcess: '自由子流程',
  Transaction: '事务子流程',
  CallActivity: '调用活动',
  ExclusiveGateway: '排他网关',
  ParallelGateway: '并行网关',
  InclusiveGateway: '包容网关',
  EventBasedGateway: '事件网关',
  ComplexGateway: '复杂网关',
  SequenceFlow: '顺序流',
  MessageEventDefinition: '消息',
  TimerEventDefinition: '定时',
  ErrorEventDefinition: '错误',
  EscalationEventDefinition: '升级',
  SignalEventDefinition: '信号',
  CompensateEventDefinition: '补偿',
  ConditionalEventDefinition: '条件',
  LinkEventDefinition: '链接',
  TerminateEventDefinition: '终止',
  CancelEventDefinition: '取消',
  'zeebe:TaskDefinition': '任务定义（zeebe:taskDefinition）',
  'zeebe:CalledElement': '被调用流程（zeebe:calledElement）',
  'zeebe:LoopCharacteristics': '多实例设置（zeebe:loopCharacteristics）',
  'zeebe:Subscription': '消息订阅（zeebe:subscription）',
  'zeebe:FormDefinition': '表单（zeebe:formDefinition）',
  'zeebe:AssignmentDefinition': '分配（zeebe:assignmentDefinition）',
};

const PROPERTY_ZH: Record<string, string> = {
  type: '任务类型',
  processId: '被调用流程 ID',
  errorRef: '错误引用',
  errorCode: '错误代码',
  escalationRef: '升级引用',
  escalationCode: '升级代码',
  messageRef: '消息引用',
  signalRef: '信号引用',
  correlationKey: '关联键',
  inputCollection: '输入集合',
  inputElement: '输入元素',
  outputCollection: '输出集合',
  outputElement: '输出元素',
  completionCondition: '完成条件',
  conditionExpression: '条件表达式',
  timeDuration: '持续时间',
  timeDate: '日期',
  timeCycle: '周期',
  candidateGroups: '候选组',
  candidateUsers: '候选用户',
  assignee: '处理人',
  dueDate: '到期时间',
  followUpDate: '跟进时间',
  formId: '表单 ID',
  formKey: '表单键',
  externalReference: '外部表单',
  source: '来源表达式',
  target: '目标变量',
  versionTag: '版本标签',
  bindingType: '绑定方式',
  isExecutable: '可执行',
  name: '名称',
  id: 'ID',
  key: '键',
};

function localType(type: string | undefined): string {
  return (type ?? '').replace(/^bpmn:/, '');
}

/** The element as a modeller reads it: 定时边界事件, 消息开始事件, 用户任务. */
function elementZh(node: unknown): string {
  const n = (typeof node === 'string' ? { $type: node } : (node ?? {})) as MessageNode;
  const type = n.$type ?? '';
  if (type.startsWith('zeebe:')) return ELEMENT_ZH[type] ?? type;
  const base = ELEMENT_ZH[localType(type)] ?? localType(type);
  const definition = localType(n.eventDefinitions?.[0]?.$type);
  return definition ? `${ELEMENT_ZH[definition] ?? definition}${base}` : base;
}

function propertyZh(property: unknown): string {
  const names = Array.isArray(property) ? property : [property];
  return names
    .map((p) => {
      const name = String(p).replace(/^(bpmn|zeebe):/, '');
      const zh = PROPERTY_ZH[name];
      return zh ? `${zh}（${name}）` : name;
    })
    .join('、');
}

function versionNote(data: Record<string, unknown>): string {
  return typeof data.allowedVersion === 'string' ? `（Camunda ${data.allowedVersion} 起才支持）` : '';
}

/** Templates by Camunda's error type (bpmnlint-plugin-camunda-compat's ERROR_TYPES). */
const BY_TYPE: Record<string, (data: Record<string, unknown>) => string> = {
  'camunda.elementTypeNotAllowed': (d) => `Camunda 8 不支持${elementZh(d.node)}${versionNote(d)}`,
  'camunda.childElementTypeNotAllowed': (d) => `${elementZh(d.parent)}中不能包含${elementZh(d.node)}${versionNote(d)}`,
  'camunda.elementCollapsedNotAllowed': (d) => `不支持折叠的${elementZh(d.node)}，请展开绘制${versionNote(d)}`,
  'camunda.elementMultipleNotAllowed': (d) => `只允许一个${elementZh(d.node)}`,
  'camunda.extensionElementRequired': (d) => `${elementZh(d.node)}缺少${[d.requiredExtensionElement].flat().map(elementZh).join('或')}`,
  'camunda.extensionElementNotAllowed': (d) => `${elementZh(d.node)}不能带有${elementZh(d.extensionElement)}${versionNote(d)}`,
  'camunda.propertyRequired': (d) => `${elementZh(d.parentNode ?? d.node)}必须填写${propertyZh(d.requiredProperty)}`,
  'camunda.propertyDependentRequired': (d) => `填写了${propertyZh(d.property)}时，${elementZh(d.parentNode ?? d.node)}还必须填写${propertyZh(d.dependentRequiredProperty)}`,
  'camunda.propertyNotAllowed': (d) => `${elementZh(d.parentNode ?? d.node)}不能设置${propertyZh(d.property)}${versionNote(d)}`,
  'camunda.propertyValueNotAllowed': (d) => `${elementZh(d.parentNode ?? d.node)}的${propertyZh(d.property)}取值不被允许${versionNote(d)}`,
  'camunda.propertyValueRequired': (d) => `${elementZh(d.parentNode ?? d.node)}的${propertyZh(d.property)}必须为 ${String(d.requiredValue)}`,
  'camunda.propertyValueDuplicated': (d) => `${elementZh(d.parentNode ?? d.node)}有两个以上${propertyZh(d.duplicatedProperty)}同为「${String(d.duplicatedPropertyValue ?? '')}」`,
  'camunda.propertiesValuesDuplicated': (d) => `${elementZh(d.parentNode ?? d.node)}有取值完全相同的重复设置`,
  'camunda.elementPropertyValueDuplicated': (d) => `${propertyZh(d.duplicatedProperty ?? d.property)}「${String(d.duplicatedPropertyValue ?? '')}」与其他元素重复`,
  'camunda.propertyTypeNotAllowed': (d) => `${elementZh(d.parentNode ?? d.node)}的${propertyZh(d.property)}类型不被允许`,
  'camunda.propertyDeprecated': (d) => `${elementZh(d.parentNode ?? d.node)}的${propertyZh(d.property)}已过时${versionNote(d)}`,
  'camunda.feelExpressionInvalid': (d) => `${elementZh(d.parentNode ?? d.node)}的${propertyZh(d.property)}不是有效的 FEEL 表达式`,
  'camunda.feelExpressionUnsupportedFunction': (d) => `${elementZh(d.parentNode ?? d.node)}的${propertyZh(d.property)}用了 Camunda 8 不支持的 FEEL 函数`,
  'camunda.expressionRequired': (d) => `${elementZh(d.parentNode ?? d.node)}必须填写${propertyZh(d.property)}`,
  'camunda.expressionNotAllowed': (d) => `${elementZh(d.parentNode ?? d.node)}的${propertyZh(d.property)}不能是表达式`,
  'camunda.expressionValueNotAllowed': (d) => `${elementZh(d.parentNode ?? d.node)}的${propertyZh(d.property)}取值不被允许${versionNote(d)}`,
  'camunda.eventBasedGatewayTargetNotAllowed': () => '事件网关之后只能连接中间捕获事件或接收任务',
  'camunda.loopNotAllowed': () => '流程含有无等待的循环（顺序流回到自身而中途没有等待的任务或事件）',
  'camunda.attachedToRefElementTypeNotAllowed': (d) => `${elementZh(d.node)}不能附着在该类型的元素上${versionNote(d)}`,
};

/** bpmnlint's own correctness rules, which report without a structured error type. */
const BY_RULE: Record<string, string> = {
  'bpmnlint/start-event-required': '流程缺少开始事件',
  'bpmnlint/single-blank-start-event': '流程只能有一个空白开始事件',
  'bpmnlint/sub-process-blank-start-event': '子流程必须以空白开始事件开始',
  'bpmnlint/event-based-gateway': '事件网关至少要连接两个中间捕获事件或接收任务',
  'bpmnlint/link-event': '链接事件的抛出与捕获须成对且名称一致',
  'bpmnlint/no-duplicate-sequence-flows': '两个元素之间有重复的顺序流',
  'bpmnlint/conditional-event': '条件事件必须填写条件',
  'bpmnlint/ad-hoc-sub-process': '自由子流程的结构不正确',
  'bpmnlint/event-sub-process-typed-start-event': '事件子流程必须以有类型的开始事件开始',
};

export function lintMessageZh(rule: string, report: ReportLike, english: string): string {
  const data = report.data;
  const type = typeof data?.type === 'string' ? data.type : null;
  if (data && type && BY_TYPE[type]) return BY_TYPE[type](data);
  // bpmnlint names its own rules without their package (`start-event-required`).
  const fixed = BY_RULE[rule] ?? BY_RULE[`bpmnlint/${rule}`];
  if (fixed) return fixed;
  return `Camunda 规则 ${rule.replace(/^camunda-compat\//, '')}：${english}`;
}
