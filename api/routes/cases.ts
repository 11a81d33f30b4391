import type { Knex } from 'knex';
import { z } from 'zod';
import { TASK_QUEUES } from '../../lib/config';
import { mayStartProcess, startMessageOf } from '../../lib/bpmn/graph';
import { Attachments } from '../../lib/files/attachments';
import { currentVersion } from '../../lib/processes/store';
import type { LazyTemporalClient } from '../../lib/temporal/client';
import { caseStateQuery, deliverMessageUpdate, deliverSignalSignal, terminateUpdate, withdrawUpdate, type CaseSnapshot } from '../../workflows/case/contract';
import type { SessionUser } from '../auth/sessions';
import { actorOf, sendToCase } from '../cases/access';
import { decideOnTask } from '../cases/commands';
import { checkFormData } from '../cases/form-data';
import { labelsByKey } from '../../lib/forms/form-schema';
import { launchCase } from '../cases/start';
import { COMPLETING_KINDS, isStaff, visibleVariables } from '../cases/views';
import { HttpError, conflict, forbidden, missingOrDenied, notFound, outOfScope } from '../http/errors';
import { listQuery } from '../http/list-query';
import { listVisibleCases } from '../../db/cases/lists';
import { caseHistoryPage, casesAwaitingMessage, casesAwaitingSignal, diagramMarks, findVisibleCase, linkedCases, openSupplementTaskId, openTasksOfCase, publicCaseByNumber } from '../../db/cases/cases';
import { organisationInScope } from '../../db/organisations';
import { currentVersions, processNames, processVersionGraph, versionForms } from '../../db/processes';
import { CASE_RESULT_FILTER, CASE_STATUSES, isOpenCaseStatus } from '../../lib/cases/statuses';
import { regionExists } from '../../db/regions';
import { listResult, type Api } from '../http/route';
import { Variables } from '../http/variables';

/** Cases (E1, E4): start, follow, withdraw, supply materials, and outside events. */
// Identifier names, JSON values nested at most MAX_VARIABLE_DEPTH deep (deeper ones cannot be stored or sent on).
const FormData = Variables;

const StartBody = z.object({
  processKey: z.string().min(1).max(64),
  title: z.string().trim().min(1).max(200).optional(),
  applicantOrganisationId: z.number().int().positive().optional(),
  districtCode: z.string().max(16).optional(),
  streetCode: z.string().max(16).optional(),
  formData: FormData.default({}),
  attachments: Attachments.default([]),
});

const IdParams = z.object({ id: z.coerce.number().int().positive() });
const CommentBody = z.object({ comment: z.string().max(2000).optional() });
const SupplyBody = CommentBody.extend({ formData: FormData.optional(), attachments: Attachments.optional() });
const MessageBody = z.object({ name: z.string().min(1).max(128), variables: FormData.default({}) });

/** A signal broadcast reaches at most SIGNAL_PAGES × SIGNAL_PAGE cases per call (`more` says so). */
const SIGNAL_PAGE = 500;
const SIGNAL_PAGES = 20;

export const CaseFilter = z.object({
  q: z.string().max(64).optional(),
  process_key: z.string().max(64).optional(),
  status: z.enum(CASE_STATUSES).optional(),
  result: z.enum(CASE_RESULT_FILTER).optional(),
  district_code: z.string().max(16).optional(),
  started_from: z.iso.date().optional(),
  started_to: z.iso.date().optional(),
});
export const CaseList = listQuery({
  sortable: ['id', 'number', 'started_at', 'updated_at', 'status'] as const,
  defaultSort: ['started_at', 'DESC'],
  filter: CaseFilter,
});

const HistoryList = listQuery({ sortable: ['seq', 'at'] as const, defaultSort: ['seq', 'ASC'], filter: z.object({ kind: z.string().max(32).optional() }) });

function readHistoryData(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { unreadable: true, length: text.length };
  }
}

export function registerCaseRoutes(api: Api, db: Knex, temporal: LazyTemporalClient, taskQueue: string = TASK_QUEUES.approvals, smsTaskQueue: string | null = null): void {
  const visibleCase = async (id: number, user: SessionUser) => {
    const row = await findVisibleCase(db, id, user);
    if (!row) throw await missingOrDenied(db, 'cases', id, 'Case', 'case');
    return row;
  };
  const handle = async (workflowId: string) => (await temporal.get()).workflow.getHandle(workflowId);
  const graphOf = (processKey: string, version: number) => processVersionGraph(db, processKey, version);
  /** The applicant side of a case: whoever started it, or a user of the applicant organisation. */
  const mustBeApplicant = (row: { started_by: number; applicant_organisation_id: number }, user: SessionUser) => {
    const sameOrganisation = user.scope.kind === 'organisation' && row.applicant_organisation_id === user.organisationId;
    if (row.started_by !== user.id && !sameOrganisation) throw forbidden('Only the applicant may do this');
  };

  api.add({
    method: 'post',
    path: '/api/cases',
    summary: 'Start a case of a process (its current version); answers the case number',
    tags: ['cases'],
    action: 'cases.start',
    access: 'cases:start',
    status: 201,
    body: StartBody,
    handler: async ({ body, user, audit }) => {
      const process = await currentVersion(db, body.processKey);
      if (!process) throw new HttpError(422, 'invalid_reference', `Process ${body.processKey} has no published version`, [{ field: 'body.processKey', reason: 'no published version' }]);
      // Only an enabled process may be started (docs/process-engine.md, "Process lifecycle").
      if (process.status !== 'enabled')
        throw new HttpError(409, 'process_not_enabled', `Process ${body.processKey} is ${process.status === 'draft' ? 'a draft' : 'disabled'}: it cannot be started`, [{ field: 'body.processKey', reason: `is ${process.status}` }]);
      // A message start event's cases are begun by that message, from an outside system (as in Zeebe).
      const startMessage = startMessageOf(process.graph);
      if (startMessage)
        throw new HttpError(409, 'started_by_message', `Process ${body.processKey} starts when the message ${startMessage} arrives (POST /api/messages), not from a start form`, [
          { field: 'body.processKey', reason: `starts on the message ${startMessage}` },
        ]);
      if (process.graph.options.startedByPlatform)
        throw new HttpError(409, 'started_by_platform', `Process ${body.processKey} is started by the platform (a call activity or a credit record), not from a start form`, [{ field: 'body.processKey', reason: 'started by the platform' }]);
      const starterRoles = process.graph.options.starterRoles ?? [];
      if (!mayStartProcess(user.role, process.graph.options)) {
        throw forbidden(`Your role may not start ${body.processKey} (starters: ${starterRoles.length ? starterRoles.join(', ') : 'the bureau’s staff'})`);
      }
      // Checked against the form pinned to this version (400/422 naming each field), before anything is written.
      const formData = await checkFormData(db, process.form, body.formData);
      const organisationId = body.applicantOrganisationId ?? user.organisationId;
      if (organisationId !== user.organisationId && (user.scope.kind === 'organisation' || user.scope.kind === 'none')) {
        throw forbidden('You may apply for your own organisation only');
      }
      const org = await organisationInScope(db, organisationId, organisationId === user.organisationId ? { kind: 'city' } : user.scope);
      if (!org) throw new HttpError(422, 'invalid_reference', 'The applicant organisation does not exist or is outside your scope', [{ field: 'body.applicantOrganisationId', reason: 'not found in your scope' }]);
      const districtCode = body.districtCode ?? org.district_code;
      const streetCode = body.streetCode ?? (body.districtCode ? null : org.street_code);
      if (body.districtCode && !(await regionExists(db, body.districtCode, 'district'))) {
        throw new HttpError(422, 'invalid_reference', 'Unknown district', [{ field: 'body.districtCode', reason: 'is not a district' }]);
      }
      if (body.streetCode && !(await regionExists(db, body.streetCode, 'street', districtCode))) {
        throw new HttpError(422, 'invalid_reference', 'Unknown street in that district', [{ field: 'body.streetCode', reason: 'is not a street of the district' }]);
      }
      const variables = { ...formData, ...(body.attachments.length ? { attachments: body.attachments } : {}) };
      const created = await launchCase(db, temporal, { processKey: body.processKey, process, org, districtCode, streetCode, user, title: body.title, variables, attachments: body.attachments, formData, taskQueue, smsTaskQueue });
      // Logged once the workflow exists: a start refused by Temporal leaves no "started" row in the
      // append-only log (the safety net logs the refusal itself).
      await audit(db, { status: 201, targetType: 'case', targetId: created.id, detail: { number: created.number, processKey: body.processKey, version: process.version } });
      return { id: created.id, number: created.number, checkCode: created.checkCode, processKey: body.processKey, processVersion: process.version, workflowId: created.workflowId, status: 'running' };
    },
  });

  api.add({
    method: 'get',
    path: '/api/cases',
    summary: 'Cases the caller may see (scope, own, held, copied), filtered and paginated',
    tags: ['cases'],
    access: 'signed-in',
    query: CaseList,
    handler: async ({ query, user }) => {
      const page = await listVisibleCases(db, user, query.filter, query);
      return listResult('cases', page.rows, page.total, query.offset, page.hasMore);
    },
  });

  const formsOfCase = async (processKey: string, version: number) => {
    const { form, forms } = await versionForms(db, processKey, version);
    const labels: Record<string, string> = {};
    for (const f of [...Object.values(forms), form]) for (const [key, label] of labelsByKey(f)) if (label) labels[key] = label;
    return { form, form_labels: labels };
  };

  api.add({
    method: 'get',
    path: '/api/cases/:id',
    summary: 'A case: status, current tasks and holders, deadlines, variables visible to the caller, live state',
    tags: ['cases'],
    access: 'signed-in',
    params: IdParams,
    handler: async ({ params, user }) => {
      const row = await visibleCase(params.id, user);
      const { variables, active_nodes, workflow_id, check_code, ...rest } = row;
      const definition = await graphOf(row.process_key, row.process_version);
      const openTasks = await openTasksOfCase(db, params.id);
      // Temporal unreachable or the history archived: MySQL still answers, without live state.
      const live: CaseSnapshot | null = await handle(workflow_id)
        .then((h) => h.query(caseStateQuery))
        .then((snapshot) => ({ ...snapshot, variables: visibleVariables(snapshot.variables, definition?.graph ?? null, user.role) }))
        .catch(() => null);
      const applicantSide = row.started_by === user.id || (user.scope.kind === 'organisation' && row.applicant_organisation_id === user.organisationId);
      return {
        ...rest,
        // The 事项 by its name: pages never show the process key.
        process_name: definition?.graph.name ?? (await processNames(db, [row.process_key])).get(row.process_key) ?? row.process_key,
        workflow_id,
        ...(applicantSide || isStaff(user.role) ? { check_code } : {}),
        variables: visibleVariables(variables ? (JSON.parse(variables) as Record<string, unknown>) : {}, definition?.graph ?? null, user.role),
        active_nodes: active_nodes ? (JSON.parse(active_nodes) as string[]) : [],
        open_tasks: openTasks,
        // Call activities: the case that called this one and the cases it called, where visible.
        linked: await linkedCases(db, params.id, user),
        live,
        // The pinned start form shows the application read-only; the labels of every pinned form
        // name the other variables, so no page shows them as raw JSON.
        ...(await formsOfCase(row.process_key, row.process_version)),
      };
    },
  });

  api.add({
    method: 'get',
    path: '/api/cases/:id/history',
    summary: 'Every step of a case: decisions, comments, timers, SMS, messages',
    tags: ['cases'],
    access: 'signed-in',
    params: IdParams,
    query: HistoryList,
    handler: async ({ params, query, user }) => {
      await visibleCase(params.id, user);
      const page = await caseHistoryPage(db, params.id, query.filter, query);
      // A row cut short by an earlier write (see api/http/variables.ts) must not make the whole history unreadable.
      const rows = page.rows.map((r) => ({ ...r, data: r.data ? readHistoryData(r.data) : null }));
      return listResult('history', rows, page.total, query.offset, page.hasMore);
    },
  });

  api.add({
    method: 'get',
    path: '/api/cases/:id/diagram',
    summary: 'What the BPMN viewer needs: the XML of the case’s version, its completed, active and overdue elements, and the end events it ended at with its result',
    tags: ['cases'],
    access: 'signed-in',
    params: IdParams,
    handler: async ({ params, user }) => {
      const row = await visibleCase(params.id, user);
      const definition = await graphOf(row.process_key, row.process_version);
      const { completed, overdue, ended } = await diagramMarks(db, params.id, COMPLETING_KINDS);
      const active = row.active_nodes ? (JSON.parse(row.active_nodes) as string[]) : [];
      // A case that ended marks its end events with its result (准予, 不予 …); one still running marks none.
      const finished = !isOpenCaseStatus(row.status);
      return { processKey: row.process_key, version: row.process_version, xml: definition?.xml ?? null, completed, active, overdue, ended: finished ? ended : [], result: finished ? (row.result ?? null) : null };
    },
  });

  api.add({
    method: 'post',
    path: '/api/cases/:id/withdraw',
    summary: 'The applicant withdraws (撤回) a case no reviewer has decided on yet',
    tags: ['cases'],
    action: 'cases.withdraw',
    access: 'signed-in',
    params: IdParams,
    body: CommentBody,
    handler: async ({ params, body, user }) => {
      const row = await visibleCase(params.id, user);
      mustBeApplicant(row, user);
      return sendToCase(async () => (await handle(row.workflow_id)).executeUpdate(withdrawUpdate, { args: [{ actor: actorOf(user), comment: body.comment }] }));
    },
  });

  api.add({
    method: 'post',
    path: '/api/cases/:id/supply',
    summary: 'The applicant supplies missing materials (补正) after the case was returned to them',
    tags: ['cases'],
    action: 'cases.supply',
    access: 'signed-in',
    params: IdParams,
    body: SupplyBody,
    handler: async ({ params, body, user }) => {
      const row = await visibleCase(params.id, user);
      mustBeApplicant(row, user);
      const taskId = await openSupplementTaskId(db, params.id);
      if (!taskId) throw conflict('The case is not waiting for materials from the applicant');
      return decideOnTask(db, temporal, taskId, user, { outcome: 'supply', comment: body.comment, formData: body.formData, attachments: body.attachments });
    },
  });

  api.add({
    method: 'post',
    path: '/api/cases/:id/terminate',
    summary: 'An administrator ends a case (e.g. one stopped by an incident)',
    tags: ['cases'],
    action: 'cases.terminate',
    access: 'cases:admin',
    params: IdParams,
    body: CommentBody,
    handler: async ({ params, body, user }) => {
      const row = await visibleCase(params.id, user);
      return sendToCase(async () => (await handle(row.workflow_id)).executeUpdate(terminateUpdate, { args: [{ actor: actorOf(user), comment: body.comment }] }));
    },
  });

  api.add({
    method: 'post',
    path: '/api/cases/:id/messages',
    summary: 'Deliver an outside event (deposit paid, SMS reply…) to a case; kept until the case waits for it',
    tags: ['cases'],
    action: 'cases.message',
    access: 'cases:message',
    params: IdParams,
    body: MessageBody,
    handler: async ({ params, body, user }) => {
      const row = await visibleCase(params.id, user);
      return sendToCase(async () => (await handle(row.workflow_id)).executeUpdate(deliverMessageUpdate, { args: [{ name: body.name, variables: body.variables, actor: actorOf(user) }] }));
    },
  });

  /**
   * Cases of the enabled processes a message starts (their current version's message start
   * event), applied for by the sender's organisation, the message's variables as start
   * variables. Zeebe's one-case-per-correlation-key rule for message starts is not applied.
   */
  const startByMessage = async (user: SessionUser, name: string, variables: Record<string, unknown>, place: { organisationId?: number; districtCode?: string }) => {
    const processes = (await currentVersions(db, { status: 'enabled' })).filter((v) => startMessageOf(v.graph) === name);
    if (!processes.length) return [];
    const organisationId = place.organisationId ?? user.organisationId;
    const org = await organisationInScope(db, organisationId, organisationId === user.organisationId ? { kind: 'city' } : user.scope);
    if (!org) throw new HttpError(422, 'invalid_reference', 'The applicant organisation does not exist or is outside your scope', [{ field: 'body.applicantOrganisationId', reason: 'not found in your scope' }]);
    if (place.districtCode && !(await regionExists(db, place.districtCode, 'district'))) throw new HttpError(422, 'invalid_reference', 'Unknown district', [{ field: 'body.districtCode', reason: 'is not a district' }]);
    const started: Array<{ id: number; number: string; processKey: string }> = [];
    for (const p of processes) {
      const created = await launchCase(db, temporal, {
        processKey: p.process_key,
        process: p,
        org,
        districtCode: place.districtCode ?? org.district_code,
        streetCode: place.districtCode ? null : org.street_code,
        user,
        variables,
        attachments: [],
        formData: {},
        taskQueue,
        smsTaskQueue,
      });
      started.push({ id: created.id, number: created.number, processKey: p.process_key });
    }
    return started;
  };

  api.add({
    method: 'post',
    path: '/api/messages',
    summary: 'Correlate an outside event by message name and correlation key (a waiting case’s key, else a case number)',
    tags: ['cases'],
    action: 'cases.correlate',
    access: 'cases:message',
    body: MessageBody.extend({
      correlationKey: z.string().min(1).max(128),
      /** For a case the message starts: who applies (default: the sender's organisation) and where (default: its district). */
      applicantOrganisationId: z.number().int().positive().optional(),
      districtCode: z
        .string()
        .regex(/^\d{6}$/)
        .optional(),
    }),
    handler: async ({ body, user, audit }) => {
      const targets = await casesAwaitingMessage(db, body.name, body.correlationKey);
      if (!targets.length) {
        // No case waits for it: it starts a case of each enabled process whose start event is this message.
        const started = await startByMessage(user, body.name, body.variables, { organisationId: body.applicantOrganisationId, districtCode: body.districtCode });
        if (!started.length) throw notFound('A case waiting for this message, or a process it starts,');
        await audit(db, { targetType: 'case', targetId: started[0].id, detail: { message: body.name, correlationKey: body.correlationKey, started: started.map((c) => c.number) } });
        return { delivered: [], started };
      }
      // A case found by its number (no subscription under the key) takes it at any waiter of the name.
      for (const t of targets) {
        const delivery = { name: body.name, variables: body.variables, actor: actorOf(user), ...(t.subscribed ? { correlationKey: body.correlationKey } : {}) };
        await sendToCase(async () => (await handle(t.workflow_id)).executeUpdate(deliverMessageUpdate, { args: [delivery] }));
      }
      return { delivered: targets.map((t) => t.id) };
    },
  });

  api.add({
    method: 'post',
    path: '/api/signals',
    summary: 'Broadcast a signal (台风预警, 专项检查启动…) to every case waiting for it now, as Camunda 8 broadcasts',
    tags: ['cases'],
    action: 'signals.broadcast',
    access: 'cases:admin',
    body: MessageBody,
    handler: async ({ body, user, audit }) => {
      // Every case subscribed now, page by page (a signal is not kept for cases that wait later).
      // A case that ended since it was read is skipped, not an error of the broadcast.
      const client = await temporal.get();
      let delivered = 0;
      let skipped = 0;
      let after = 0;
      let more = false;
      for (let pages = 0; ; pages++) {
        if (pages === SIGNAL_PAGES) {
          more = true;
          break;
        }
        const page = await casesAwaitingSignal(db, body.name, after, SIGNAL_PAGE);
        for (const t of page) {
          try {
            await client.workflow.getHandle(t.workflow_id).signal(deliverSignalSignal, { name: body.name, variables: body.variables, actor: actorOf(user) });
            delivered++;
          } catch {
            skipped++;
          }
        }
        if (page.length < SIGNAL_PAGE) break;
        after = page[page.length - 1].id;
      }
      const result = { signal: body.name, delivered, skipped, more };
      await audit(db, { status: 200, targetType: 'signal', targetId: body.name, detail: result });
      return result;
    },
  });

  api.add({
    method: 'get',
    path: '/api/public/cases/:number',
    summary: 'Public status of a case by its number and check code (E4)',
    tags: ['public'],
    access: 'public',
    params: z.object({ number: z.string().min(1).max(64) }),
    query: z.object({ checkCode: z.string().min(1).max(16) }),
    handler: async ({ params, query }) => {
      const row = await publicCaseByNumber(db, params.number);
      // One answer for "no such case" and "wrong code", so numbers cannot be probed.
      if (!row) throw notFound('Case');
      if (row.check_code !== query.checkCode.toUpperCase()) throw outOfScope('Case', 'case', params.number);
      const { check_code: _hidden, ...visible } = row;
      return visible;
    },
  });
}
