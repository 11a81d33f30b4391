// bpmnlint, Camunda's compatibility plugin and @camunda/linting's bundled rules ship no
// TypeScript types for the entry points lib/bpmn/lint.ts imports; these are the parts it uses.
declare module 'bpmnlint' {
  export class Linter {
    constructor(options: { config: { extends?: string | string[]; rules?: Record<string, unknown> }; resolver: { resolveRule(pkg: string, name: string): unknown; resolveConfig(pkg: string, name: string): unknown } });
    lint(definitions: unknown): Promise<Record<string, unknown[]>>;
  }
}
declare module 'bpmnlint/lib/resolver/static-resolver' {
  export default class StaticResolver {
    constructor(cache: Record<string, unknown>);
    resolveRule(pkg: string, name: string): unknown;
    resolveConfig(pkg: string, name: string): unknown;
  }
}
declare module 'bpmnlint/config/correctness' {
  const config: { rules: Record<string, string> };
  export default config;
}
declare module 'bpmnlint-plugin-camunda-compat' {
  const plugin: { configs: Record<string, { rules: Record<string, unknown> }> };
  export default plugin;
}
declare module '@camunda/linting/lib/compiled-config' {
  export const resolver: { resolveRule(pkg: string, name: string): unknown; resolveConfig(pkg: string, name: string): unknown };
}
declare module '@camunda/linting/lib/utils/error-messages' {
  export function getErrorMessage(report: unknown, executionPlatform: string, executionPlatformVersion: string, modeler?: string): string;
}
