declare module 'bpmn-js-i18n-zh/lib/bpmn-js' {
  const messages: Record<string, string>;
  export default messages;
}
declare module 'bpmn-js-i18n-zh/lib/properties-panel' {
  const messages: Record<string, string>;
  export default messages;
}
declare module 'bpmn-js-i18n-zh/lib/zeebe-properties-panel' {
  const messages: Record<string, string>;
  export default messages;
}
declare module 'camunda-bpmn-js-behaviors/lib/camunda-cloud' {
  const module: Record<string, unknown>;
  export default module;
}
declare module 'zeebe-bpmn-moddle/resources/zeebe.json' {
  const descriptor: Record<string, unknown>;
  export default descriptor;
}
declare module 'bpmn-js-properties-panel' {
  export const BpmnPropertiesPanelModule: Record<string, unknown>;
  export const BpmnPropertiesProviderModule: Record<string, unknown>;
  export const ZeebePropertiesProviderModule: Record<string, unknown>;
}
declare module '@camunda/linting/modeler' {
  const module: Record<string, unknown>;
  export default module;
}
