import bpmnZh from 'bpmn-js-i18n-zh/lib/bpmn-js';
import propertiesZh from 'bpmn-js-i18n-zh/lib/properties-panel';
import zeebeZh from 'bpmn-js-i18n-zh/lib/zeebe-properties-panel';

/**
 * bpmn-js translates through a `translate` service; this module gives it Chinese labels for the
 * palette, context pad and properties panel when the interface is in Chinese.
 */
const zh: Record<string, string> = { ...bpmnZh, ...propertiesZh, ...zeebeZh };

export function translateModule(locale: string) {
  const table = locale.startsWith('zh') ? zh : {};
  const translate = (template: string, replacements: Record<string, string> = {}) => (table[template] ?? template).replace(/{([^}]+)}/g, (_, key: string) => replacements[key] ?? `{${key}}`);
  return { translate: ['value', translate] };
}
