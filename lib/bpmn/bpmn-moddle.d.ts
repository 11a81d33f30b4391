// bpmn-moddle 10 publishes its types behind package "exports", which CommonJS module
// resolution does not read; this is the one constructor and method the compiler uses.
declare module 'bpmn-moddle' {
  export class BpmnModdle {
    constructor(packages?: Record<string, unknown>);
    fromXML(xml: string, typeName?: string): Promise<unknown>;
  }
}
