import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { activeUserIdsByUsername } from '../../db/accounts';
import { insertVersion, latestVersion, lockProcessForPublishing, markPublished, updateProcessSettings } from '../../db/processes';
import { compileBpmn, type ProcessProblem } from '../bpmn/compile';
import { isExpression } from '../bpmn/feel';
import type { BusinessRuleTaskNode, ProcessGraph } from '../bpmn/graph';
import { publishedDecisionIds } from '../../db/decisions';
import { REGISTRY_REFS } from '../../db/registries/references';
import { sameForm } from '../forms/form-schema';
import { decideVersionForms, embeddedForms, formLinks } from './forms';
import type { ProcessStatus } from './lifecycle';

/**
 * Published process definitions: every version keeps its XML (what the modeller drew) and its
 * compiled graph (what cases run), and its Camunda forms (the start form a start is checked
 * against, the task forms by id; lib/processes/forms.ts decides them). A version is never edited; publishing adds the next one. This
 * module decides what to publish; the SQL is db/processes.ts.
 */
export interface PublishedVersion {
  processKey: string;
  version: number;
  name: string;
  checksum: string;
  current: boolean;
  /** The process's lifecycle status after this publication (lib/processes/lifecycle.ts). */
  status: ProcessStatus;
}

export type PublishResult = { ok: true; published: PublishedVersion; unchanged: boolean; warnings: ProcessProblem[] } | { ok: false; problems: ProcessProblem[] };

export const checksumOf = (xml: string) => crypto.createHash('sha256').update(xml).digest('hex');

export async function publishProcess(
  db: Knex,
  xml: string,
  /**
   * `forms`: Camunda forms published with the diagram, by form id, or a function answering them
   * for the ids the diagram links. A linked form not given is the embedded one or the latest
   * version's (lib/processes/forms.ts).
   * `skipIfUnchanged`: no new version when the XML (checksum) and every form are the latest's.
   * `newStatus`: the status of a process published for the first time; an existing one keeps
   * its own. Enabled unless said: the shipped processes and the engine's tests publish processes
   * meant to run at once; the designer's route (POST /api/processes) publishes drafts.
   * `setStatus`: the status the process has afterwards, new or not (left out: as above).
   */
  opts: {
    publishedBy: number | null;
    source: 'api' | 'shipped';
    makeCurrent?: boolean;
    skipIfUnchanged?: boolean;
    forms?: Record<string, unknown> | ((formIds: string[]) => Record<string, unknown>);
    newStatus?: ProcessStatus;
    setStatus?: ProcessStatus;
  },
): Promise<PublishResult> {
  const compiled = await compileBpmn(xml);
  if (!compiled.ok) return { ok: false, problems: compiled.problems };
  const { graph } = compiled;
  const nobody = await usersNamingNobody(db, graph);
  if (nobody.length) return { ok: false, problems: nobody };
  // A decision not yet published is no refusal (as in Camunda, it is resolved when a case gets there), but said.
  compiled.warnings.push(...(await undeployedDecisions(db, graph)));
  const ids = [...new Set(formLinks(graph).map((l) => l.formId))];
  const given = (typeof opts.forms === 'function' ? opts.forms(ids) : opts.forms) ?? {};
  const embedded = await embeddedForms(xml);
  if (embedded.problems.length) return { ok: false, problems: embedded.problems };
  const checksum = checksumOf(xml);
  const name = graph.name.slice(0, 128);
  // A form problem is found only once the latest version is read; thrown, it rolls the
  // transaction back, so a refused first publication leaves no process row behind.
  const refused = new Error('refused');
  let formProblems: ProcessProblem[] = [];
  return db
    .transaction(async (trx) => {
      const proc = await lockProcessForPublishing(trx, graph.processKey, name, opts.setStatus ?? opts.newStatus ?? 'enabled');
      if (opts.setStatus && proc.status !== opts.setStatus) await updateProcessSettings(trx, graph.processKey, { status: opts.setStatus });
      const status = opts.setStatus ?? proc.status;
      const latest = await latestVersion(trx, graph.processKey);
      const decided = decideVersionForms(graph, { given, embedded: embedded.forms, latest: latest ? { form: latest.form, forms: latest.forms } : null }, REGISTRY_REFS);
      if (decided.problems.length) {
        formProblems = decided.problems;
        throw refused;
      }
      const { form, forms } = decided;
      const warnings = [...compiled.warnings, ...decided.warnings];
      if (opts.skipIfUnchanged && latest?.checksum === checksum && sameForm(latest.form, form) && sameForm(latest.forms, forms)) {
        // The same diagram and forms again are the same version; asked to, it becomes the current one.
        const makeCurrent = opts.makeCurrent === true && proc.current_version !== latest.version;
        if (makeCurrent) await markPublished(trx, graph.processKey, latest.name, latest.version);
        return { ok: true as const, unchanged: true, warnings, published: { processKey: graph.processKey, version: latest.version, name: latest.name, checksum, current: makeCurrent || proc.current_version === latest.version, status } };
      }
      const version = (latest?.version ?? 0) + 1;
      await insertVersion(trx, { processKey: graph.processKey, version, name, xml, graph, checksum, form, forms, publishedBy: opts.publishedBy, source: opts.source });
      const makeCurrent = opts.makeCurrent !== false || proc.current_version === null;
      await markPublished(trx, graph.processKey, name, makeCurrent ? version : null);
      return { ok: true as const, unchanged: false, warnings, published: { processKey: graph.processKey, version, name: graph.name, checksum, current: makeCurrent, status } };
    })
    .catch((err: unknown): PublishResult => {
      if (err === refused) return { ok: false, problems: formProblems };
      throw err;
    });
}

/**
 * Usernames written literally as a user task's assignee or candidate users must be active
 * accounts: a task for nobody would wait for ever (Camunda's Tasklist would show it to nobody).
 * FEEL expressions are resolved when the task starts.
 */
async function usersNamingNobody(db: Knex, graph: ProcessGraph): Promise<ProcessProblem[]> {
  const named: Array<{ elementId: string; what: string; username: string }> = [];
  for (const node of Object.values(graph.nodes)) {
    if (node.kind !== 'userTask') continue;
    if (node.assignee && !isExpression(node.assignee)) named.push({ elementId: node.id, what: 'assignee', username: node.assignee });
    for (const u of node.candidateUsers) if (!isExpression(u)) named.push({ elementId: node.id, what: 'candidate user', username: u });
  }
  if (!named.length) return [];
  const active = await activeUserIdsByUsername(db, [...new Set(named.map((n) => n.username))]);
  return named.filter((n) => !active.has(n.username)).map((n) => ({ elementId: n.elementId, message: `${n.what} "${n.username}" is not an active user` }));
}

// The version reads and the current-version switch are SQL of the processes' own module.
export { currentVersion, setCurrentVersion } from '../../db/processes';

/** Business rule tasks naming (literally) a decision that has no published version. */
async function undeployedDecisions(db: Knex, graph: ProcessGraph): Promise<ProcessProblem[]> {
  const calls = Object.values(graph.nodes).filter((n) => n.kind === 'businessRuleTask' && !isExpression(n.decisionId)) as BusinessRuleTaskNode[];
  const published = await publishedDecisionIds(db, [...new Set(calls.map((c) => c.decisionId))]);
  return calls
    .filter((c) => !published.has(c.decisionId))
    .map((c) => ({
      elementId: c.id,
      rule: 'decision-not-published',
      message: `the decision ${c.decisionId} is not published yet (POST /api/decisions): cases stop at an incident here until it is`,
      zh: `决策 ${c.decisionId} 尚未发布（POST /api/decisions）：发布前案件到达此处将转为异常`,
    }));
}
