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
