import { Linter } from 'bpmnlint';
import StaticResolver from 'bpmnlint/lib/resolver/static-resolver';
import correctness from 'bpmnlint/config/correctness';
import camundaCompat from 'bpmnlint-plugin-camunda-compat';
import { resolver as camundaRules } from '@camunda/linting/lib/compiled-config';
import { getErrorMessage } from '@camunda/linting/lib/utils/error-messages';
import type { ModdleElement } from './moddle';
import { lintMessageZh } from './lint-messages';

/**
 * Camunda's own lint rules (bpmnlint with bpmnlint-plugin-camunda-compat, as Camunda Modeler
 * runs them), the same in the designer while drawing and on the server at publishing.
 *
 * One rule set for every file: Camunda 8.8's, whatever version a file declares. What the
 * platform runs is decided by its own compiler (lib/bpmn/compile.ts); Camunda's rules check that
 * what is published stays a valid Camunda 8 file, and one set keeps the verdict the same for the
 * same drawing. Older versions' rules would forbid what the platform runs (candidate users,
 * inclusive gateways, version tags before 8.2, 8.1, 8.6).
 *
 * Isomorphic: rules and configurations are resolved from the statically bundled copies
 * @camunda/linting ships for browsers, so the designer and Node lint with identical code.
 */
export const CAMUNDA_LINT_VERSION = '8.8';
const CONFIG = `camunda-cloud-${CAMUNDA_LINT_VERSION.replace('.', '-')}`;

/**
 * Rules left out: they concern Camunda SaaS features the platform has no counterpart for
 * (connectors' secrets, AI agents), or how Zeebe implements user tasks (job worker or Camunda
 * user task), which means nothing here: the platform runs every user task itself.
 */
const SKIPPED_RULES = new Set(['secrets', 'unresolvable-secret-reference', 'connector-properties', 'agent-fromai-contract', 'agent-tool-documentation', 'agent-tool-output-key', 'zeebe-user-task']);

/**
 * Rules Camunda treats as errors that the platform deliberately runs, so they only warn (the
 * file still publishes and runs here, but Camunda 8 itself would refuse it):
 * - task-schedule: a due date written as a duration (`P10D`, due ten days after the task opens)
 *   is the platform's shorthand; Camunda 8 wants a date or `=now() + duration("P10D")`.
 * - subscription: a message caught without a correlation key is correlated to its own case,
 *   since the platform delivers messages to a case, not by key.
 */
const WARN_ONLY_RULES = new Set(['task-schedule', 'subscription']);

export interface LintReport {
  elementId: string;
  /** The rule's name, e.g. `camunda-compat/implementation` or `bpmnlint/start-event-required`. */
  rule: string;
  category: 'error' | 'warn';
  /** In English, as Camunda Modeler words it. */
  message: string;
  zh: string;
  /** The rule's structured detail (error type, property, node), for the designer's properties panel. */
  data?: Record<string, unknown>;
  path?: Array<string | number>;
}

interface RawReport {
  id?: string;
  message: string;
  category?: string;
  path?: Array<string | number>;
  data?: Record<string, unknown>;
}

const rules = (): Record<string, unknown> => {
  const configs = (camundaCompat as { configs: Record<string, { rules: Record<string, unknown> }> }).configs;
  const out: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(configs[CONFIG].rules)) {
    if (SKIPPED_RULES.has(name.replace(/^.*\//, ''))) continue;
    // The rules read the modeler they word messages for; the platform's designer is a web modeler.
    const category = WARN_ONLY_RULES.has(name) ? 'warn' : Array.isArray(setting) ? setting[0] : setting;
    out[name.startsWith('bpmnlint/') ? name : `camunda-compat/${name}`] = Array.isArray(setting) ? [category, { ...(setting[1] as object), modeler: 'web' }] : category;
  }
  return out;
};

/** Resolves the bpmnlint configuration this module builds from the bundled rules. */
class BundledResolver {
  private configs = new StaticResolver({ 'config:bpmnlint/correctness': correctness });
  resolveRule(pkg: string, name: string): unknown {
    return camundaRules.resolveRule(pkg, name);
  }
  resolveConfig(pkg: string, name: string): unknown {
    return this.configs.resolveConfig(pkg, name);
  }
}

/**
 * A flow node's `incoming`/`outgoing` lists are optional in BPMN XML (the flows' sourceRef and
 * targetRef say it all, and that is what Zeebe and the platform's compiler read), but Camunda's
 * rules read the lists: files written by hand or by tools other than Modeler would be reported
 * as gateways without flows. The lists are completed from the flows, in document order, before
 * linting; definitions are linted after the compiler has read them.
 */
function completeFlowReferences(container: ModdleElement): void {
  const elements = (container.flowElements as ModdleElement[] | undefined) ?? [];
  for (const el of elements) {
    if (el.$type === 'bpmn:SequenceFlow') {
      for (const [end, list] of [
        [el.sourceRef, 'outgoing'],
        [el.targetRef, 'incoming'],
      ] as const) {
        const node = end as ModdleElement | undefined;
        if (!node) continue;
        const refs = ((node[list] as ModdleElement[] | undefined) ??= []);
        if (!refs.includes(el)) refs.push(el);
      }
    } else if (el.flowElements) {
      completeFlowReferences(el);
    }
  }
}

/**
 * Lints parsed definitions (bpmn-moddle with the zeebe extension: the server's reader or the
 * designer's live model). Errors come first, then warnings, each in document order of the rule.
 */
export async function camundaLint(definitions: ModdleElement): Promise<LintReport[]> {
  // A linter per run: bpmnlint caches rule instances, and some rules keep what they saw (the
  // flows already met) in their instance, which would leak from one diagram into the next.
  for (const root of (definitions.rootElements as ModdleElement[] | undefined) ?? []) if (root.$type === 'bpmn:Process') completeFlowReferences(root);
  const linter = new Linter({ config: { extends: ['bpmnlint:correctness'], rules: rules() }, resolver: new BundledResolver() });
  const byRule = (await linter.lint(definitions)) as Record<string, RawReport[]>;
  const reports: LintReport[] = [];
  for (const [rule, list] of Object.entries(byRule)) {
    for (const r of list) {
      if (r.category !== 'error' && r.category !== 'warn') continue;
      const message = String(getErrorMessage(r, 'Camunda Cloud', `${CAMUNDA_LINT_VERSION}.0`, 'web'));
      reports.push({ elementId: r.id ?? 'definitions', rule, category: r.category, message, zh: lintMessageZh(rule, r, message), data: r.data, path: r.path });
    }
  }
  return reports.sort((a, b) => (a.category === b.category ? 0 : a.category === 'error' ? -1 : 1));
}
