import type { Knex } from 'knex';
import { z } from 'zod';
import { nestsDeeperThan } from '../http/variables';
import { PROCESS_SORTABLE, VERSION_SORTABLE, findProcess, findVersion, listProcesses, listVersions, lockProcess, processNames, setCodingRule, setCurrentVersion, storedCodingRule, updateProcessSettings } from '../../db/processes';
import { DEFAULT_CODING_RULE, codingRuleProblem } from '../../lib/cases/case-numbers';
import { PROCESS_CATEGORY_IDS, PROCESS_STATUSES } from '../../lib/processes/lifecycle';
import { publishProcess } from '../../lib/processes/store';
import type { ProcessProblem } from '../../lib/bpmn/compile';
import { HttpError, badRequest, notFound, type FieldProblem } from '../http/errors';
import { listQuery } from '../http/list-query';
import { listResult, type Api } from '../http/route';

/** Process definitions (E2): publish BPMN, list versions, choose the version new cases use. */
const KEY = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'is not a process key');
const KeyParams = z.object({ key: KEY });
const VersionParams = z.object({ key: KEY, version: z.coerce.number().int().positive() });

// The lifecycle's lists are lib/processes/lifecycle.ts, the ones the admin UI offers.
const Status = z.enum(PROCESS_STATUSES, { error: `must be one of ${PROCESS_STATUSES.join(', ')}` });
const Category = z.enum(PROCESS_CATEGORY_IDS, { error: `must be one of ${PROCESS_CATEGORY_IDS.join(', ')}` });

const PublishBody = z.object({
  xml: z.string().min(1, 'is required').max(900_000, 'is too large'),
  /** false publishes without switching new cases to this version. */
  makeCurrent: z.boolean().default(true),
  /** The status afterwards; left out, a new process is a draft and an existing one keeps its status. */
  status: Status.optional(),
  /**
   * Camunda forms (form-js JSON) published with the diagram, by form id, as Camunda deploys
   * .form files beside a .bpmn: the ones the diagram links (zeebe:formDefinition formId) are
   * checked and pinned to the version; a linked form left out is kept from the latest version.
   */
  forms: z
    .record(z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'is not a form id'), z.unknown())
    .refine((f) => Object.keys(f).length <= 50, 'has more than 50 forms')
    // Checked before anything stringifies it: a body nested thousands deep overflows JSON.stringify.
    .refine((f) => !nestsDeeperThan(f, 40), 'nests more than 40 levels deep')
    .refine((f) => nestsDeeperThan(f, 40) || JSON.stringify(f).length <= 900_000, 'is too large')
    .optional(),
});

/**
 * A process's lifecycle settings. Strict, so a field this route does not change (the starter
 * roles are part of the diagram, changed in the designer and published as a version) is refused
 * by name instead of silently ignored.
 */
const SettingsBody = z
  .object({ status: Status.optional(), category: Category.optional() })
  .strict()
  .refine((b) => b.status !== undefined || b.category !== undefined, { error: 'give status or category' });

const ProcessList = listQuery({
  sortable: PROCESS_SORTABLE,
  defaultSort: ['process_key', 'ASC'],
  filter: z.object({ q: z.string().max(64).optional(), id: z.array(z.string().max(64)).max(100).optional(), status: Status.optional(), category: Category.optional() }),
});

const VersionList = listQuery({
  sortable: VERSION_SORTABLE,
  defaultSort: ['version', 'DESC'],
  filter: z.object({}),
});

export function registerProcessRoutes(api: Api, db: Knex): void {
  // A process without a rule of its own numbers its cases by the default pattern.
  const codingRuleOf = async (conn: Knex | Knex.Transaction, key: string) => (await storedCodingRule(conn, key)) ?? DEFAULT_CODING_RULE;
  api.add({
    method: 'get',
    path: '/api/processes',
    summary: 'Processes with their current and latest versions',
    tags: ['processes'],
    access: 'processes:read',
    query: ProcessList,
    handler: async ({ query }) => {
      const page = await listProcesses(db, query);
      return listResult('processes', page.rows, page.total, query.offset, page.hasMore);
    },
  });

  api.add({
    method: 'get',
    path: '/api/process-names',
    summary: 'The name of every process (事项), for the lists’ pickers: what a filter by 事项 offers',
    tags: ['processes'],
    access: 'signed-in',
    handler: async () => [...(await processNames(db))].map(([id, name]) => ({ id, name })),
  });

  api.add({
    method: 'post',
    path: '/api/processes',
    summary:
      'Publish BPMN XML as the next version of its process (422 lists every problem with its element id); the XML of the latest version again makes no new version (`unchanged: true`). A new process is a draft, not offered to applicants, until it is enabled',
    tags: ['processes'],
    action: 'processes.publish',
    access: 'processes:publish',
    status: 201,
    body: PublishBody,
    handler: async ({ body, user, audit }) => {
      // Drawn in the designer, a process is tried out before applicants see it: a draft until enabled.
      const result = await publishProcess(db, body.xml, {
        publishedBy: user.id,
        source: 'api',
        makeCurrent: body.makeCurrent,
        skipIfUnchanged: true,
        newStatus: 'draft',
        setStatus: body.status,
        forms: body.forms,
      });
      if (!result.ok) {
        throw new HttpError(422, 'invalid_process', `The process does not validate (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'})`, result.problems.map(processProblemDetail));
      }
      const published = { ...result.published, unchanged: result.unchanged, warnings: result.warnings.map(processProblemDetail) };
      await audit(db, { status: 201, targetType: 'process', targetId: `${published.processKey}@${published.version}`, detail: published });
      return published;
    },
  });

  api.add({
    method: 'get',
    path: '/api/processes/:key',
    summary: 'One process with its current version',
    tags: ['processes'],
    access: 'processes:read',
    params: KeyParams,
    handler: async ({ params }) => {
      const row = await findProcess(db, params.key);
      if (!row) throw notFound('Process');
      return { id: row.process_key, ...row, coding_rule: await codingRuleOf(db, params.key) };
    },
  });

  api.add({
    method: 'get',
    path: '/api/processes/:key/versions',
    summary: 'Every published version of a process, newest first, with who published it and when',
    tags: ['processes'],
    access: 'processes:read',
    params: KeyParams,
    query: VersionList,
    handler: async ({ params, query }) => {
      const current = await findProcess(db, params.key);
      if (!current) throw notFound('Process');
      const page = await listVersions(db, params.key, query);
      const rows = page.rows.map((r) => ({ ...r, current: r.version === current.current_version }));
      return listResult('versions', rows, page.total, query.offset, page.hasMore);
    },
  });

  api.add({
    method: 'get',
    path: '/api/processes/:key/versions/:version',
    summary: 'One version with its BPMN XML and compiled graph',
    tags: ['processes'],
    access: 'processes:read',
    params: VersionParams,
    handler: async ({ params }) => {
      const row = await findVersion(db, params.key, params.version);
      if (!row) throw notFound('Process version');
      const { current_version, ...rest } = row;
      return { ...rest, current: current_version === params.version };
    },
  });

  api.add({
    method: 'put',
    path: '/api/processes/:key/current',
    summary: 'Choose the version new cases use; running cases keep theirs',
    tags: ['processes'],
    action: 'processes.set_current',
    access: 'processes:publish',
    params: KeyParams,
    body: z.object({ version: z.number().int().positive() }),
    handler: async ({ params, body, audit }) =>
      db.transaction(async (trx) => {
        if (!(await findProcess(trx, params.key))) throw notFound('Process');
        if (!(await setCurrentVersion(trx, params.key, body.version))) {
          throw new HttpError(422, 'invalid_reference', `Version ${body.version} of ${params.key} does not exist`, [{ field: 'body.version', reason: 'does not exist' }]);
        }
        await audit(trx, { targetType: 'process', targetId: params.key, detail: { currentVersion: body.version } });
        return { processKey: params.key, currentVersion: body.version };
      }),
  });

  api.add({
    method: 'put',
    path: '/api/processes/:key/settings',
    summary: 'Set the lifecycle status (draft, enabled, disabled: only enabled processes may be started) and the category of a process',
    tags: ['processes'],
    action: 'processes.settings',
    access: 'processes:publish',
    params: KeyParams,
    body: SettingsBody,
    handler: async ({ params, body, audit }) =>
      db.transaction(async (trx) => {
        const row = await lockProcess(trx, params.key);
        if (!row) throw notFound('Process');
        const before = { status: row.status, category: row.category };
        const after = { ...before, ...body };
        await updateProcessSettings(trx, params.key, body);
        await audit(trx, { targetType: 'process', targetId: params.key, detail: { before, after } });
        return { processKey: params.key, ...after };
      }),
  });

  api.add({
    method: 'put',
    path: '/api/processes/:key/coding-rule',
    summary: 'Set the case-number pattern of a process, e.g. "ZZ-{yyyy}-{seq:6}"',
    tags: ['processes'],
    action: 'processes.coding_rule',
    access: 'processes:publish',
    params: KeyParams,
    body: z.object({ pattern: z.string().trim().min(1).max(64) }),
    handler: async ({ params, body, user, audit }) => {
      const problem = codingRuleProblem(body.pattern);
      if (problem) throw badRequest(`Invalid coding rule: ${problem}`, [{ field: 'body.pattern', reason: problem }]);
      return db.transaction(async (trx) => {
        if (!(await findProcess(trx, params.key))) throw notFound('Process');
        const before = await codingRuleOf(trx, params.key);
        await setCodingRule(trx, params.key, body.pattern, user.id);
        await audit(trx, { targetType: 'process', targetId: params.key, detail: { before, after: body.pattern } });
        return { processKey: params.key, pattern: body.pattern };
      });
    },
  });
}

/** A publishing problem as the error format's detail; a lint rule's report keeps its rule and Chinese wording. */
function processProblemDetail(p: ProcessProblem): FieldProblem {
  return { field: p.elementId, reason: p.message, ...(p.rule ? { rule: p.rule } : {}), ...(p.zh ? { zh: p.zh } : {}) };
}
