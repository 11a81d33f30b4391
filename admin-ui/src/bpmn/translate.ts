import bpmnZh from 'bpmn-js-i18n-zh/lib/bpmn-js';
import propertiesZh from 'bpmn-js-i18n-zh/lib/properties-panel';
import zeebeZh from 'bpmn-js-i18n-zh/lib/zeebe-properties-panel';

/**
 * Labels of the zeebe properties panel (bpmn-js-properties-panel 5+) that bpmn-js-i18n-zh, written
 * for older versions, does not have: the groups and fields a modeller of this platform sees. The
 * Camunda 7 ones are left out: the Camunda 8 panel never shows them.
 */
const panelZhSupplement: Record<string, string> = {
  Assignment: '任务分配',
  'Task definition': '任务定义',
  'Input mapping': '输入映射',
  'Output mapping': '输出映射',
  'Input propagation': '输入传递',
  'Output propagation': '输出传递',
  Condition: '条件',
  Completion: '完成条件',
  Form: '表单',
  'Called element': '被调用元素',
  Headers: '任务头',
  'Extension properties': '扩展属性',
  'Execution listeners': '执行监听器',
  'Task listeners': '任务监听器',
  'Listener type': '监听器类型',
  'Event type': '事件类型',
  Priority: '优先级',
  'Job type': '作业类型',
  'Implementation type': '实现方式',
  'Camunda user task': 'Camunda 用户任务',
  'Camunda Form': 'Camunda 表单',
  'Camunda Form (linked)': 'Camunda 表单（引用）',
  'Camunda Form (embedded)': 'Camunda 表单（内嵌）',
  'External form reference': '外部表单引用',
  'Form reference': '表单引用',
  Key: '键',
  Label: '标签',
  Values: '值',
  'Default value': '默认值',
  Version: '版本',
  'Version tag': '版本标签',
  Binding: '绑定方式',
  'Tenant ID': '租户 ID',
  Create: '新建',
  Update: '更新',
  Before: '之前',
  After: '之后',
  Expression: '表达式',
  'Condition Expression': '条件表达式',
  Script: '脚本',
  Format: '格式',
  Resource: '资源',
  'Variable name': '变量名',
  'Variable names': '变量名',
  String: '字符串',
  Map: '映射',
  List: '列表',
  'List values': '列表值',
  'Map entries': '映射项',
  'Assignment type': '赋值类型',
  'String or expression': '字符串或表达式',
  'Start typing "${}" to create an expression.': '输入 "${}" 以创建表达式。',
  Properties: '属性',
  Source: '来源',
  Target: '目标',
  Local: '本地',
  ID: 'ID',
  'Called decision': '被调用决策',
  'Decision reference': '决策引用',
  'Active elements': '激活元素',
  'Active elements collection': '激活元素集合',
  'Cancel remaining instances': '取消其余实例',
  'Propagate all parent process variables': '传递父流程的全部变量',
  'Version tag by which this process can be referenced.': '引用此流程时使用的版本标签。',
};

/**
 * bpmn-js translates through a `translate` service; this module gives it Chinese labels for the
 * palette, context pad and properties panel (and its inline validation messages) when the
 * interface is in Chinese.
 */
const zh: Record<string, string> = { ...bpmnZh, ...propertiesZh, ...zeebeZh, ...panelZhSupplement };

export function translateModule(locale: string) {
  const table = locale.startsWith('zh') ? zh : {};
  const translate = (template: string, replacements: Record<string, string> = {}) => (table[template] ?? template).replace(/{([^}]+)}/g, (_, key: string) => replacements[key] ?? `{${key}}`);
  return { translate: ['value', translate] };
}

/**
 * The short messages @camunda/linting puts under a properties-panel field that a lint rule
 * marks (its own English; the report's full message is in the designer's 校验 list).
 */
const FIELD_ERRORS_ZH: Record<string, string> = {
  'Cannot be an expression.': '不能是表达式。',
  'Code must be defined.': '必须填写代码。',
  'Condition expression must be defined.': '必须填写条件表达式。',
  'Decision ID must be defined.': '必须填写决策 ID。',
  'External reference must be defined.': '必须填写外部引用。',
  'FEEL expression must be defined.': '必须填写 FEEL 表达式。',
  'Form ID must be defined.': '必须填写表单 ID。',
  'Form JSON configuration must be defined.': '必须填写表单 JSON。',
  'Form key must be defined.': '必须填写表单键。',
  'Global error reference must be defined.': '必须选择全局错误。',
  'Global escalation reference must be defined.': '必须选择全局升级。',
  'Global message reference must be defined.': '必须选择全局消息。',
  'Global signal reference must be defined.': '必须选择全局信号。',
  'Implementation must be defined.': '必须选择实现方式。',
  'Input collection must be defined.': '必须填写输入集合。',
  'Must be an expression, an ISO 8601 repeating interval, or a cron expression.': '须为表达式、ISO 8601 重复区间或 cron 表达式。',
  'Must be an expression, or an ISO 8601 date.': '须为表达式或 ISO 8601 日期。',
  'Must be a valid variable name.': '须为有效的变量名。',
  'Must be checked.': '必须勾选。',
  'Must be unique.': '不能重复。',
  'Name must be defined.': '必须填写名称。',
  'One process must be executable.': '须有一个流程可执行。',
  'Output element must be defined.': '必须填写输出元素。',
  'Process ID must be defined.': '必须填写流程 ID。',
  'Process must be executable.': '流程必须可执行。',
  'Subscription correlation key must be defined.': '必须填写订阅关联键。',
  'Type must be defined.': '必须填写类型。',
  'Unparsable FEEL expression.': '无法解析的 FEEL 表达式。',
  'Value must be defined.': '必须填写值。',
};

/** A lint field error in the interface's language (English is what the linter wrote). */
export function lintFieldError(message: string, locale: string): string {
  return locale === 'zh-CN' ? (FIELD_ERRORS_ZH[message] ?? message) : message;
}
