import type { Knex } from 'knex';
import { z } from 'zod';
import { moveTargetProblem, type ProcessGraph } from '../../lib/bpmn/graph';
import type { IncidentBatchResult } from '../../lib/cases/incident-batch';
import type { LazyTemporalClient } from '../../lib/temporal/client';
import { modifyCaseUpdate, terminateUpdate, type CaseModification } from '../../workflows/case/contract';
import type { SessionUser } from '../auth/sessions';
import { actorOf, fromWorkflowError, sendToCase } from '../cases/access';
import { BATCH_BOUND, caseIncident, incidentCaseIds, listIncidents } from '../../db/cases/incidents';
import { findVisibleCase, type VisibleCase } from '../../db/cases/cases';
import { processVersionGraph } from '../../db/processes';
import { HttpError, missingOrDenied, toHttpError } from '../http/errors';
import { listQuery } from '../http/list-query';
import { listResult, type Api } from '../http/route';

/**
 * Operating cases, as Camunda Operate does (docs/process-engine.md "Operating cases
 * (incidents)"): the list of cases stopped at an incident, retrying the element that failed,
 * moving the token to another element, and the same retry or termination over many cases.
 * Administrators only (`cases:admin`, the permission terminate already needs); which cases they
 * reach is the ordinary case visibility rule. The workflow has the last word on whether an
 * operation applies (its update validator), refusals become 409/422 as for every case command.
 */
const IncidentFilter = z.object({
  q: z.string().max(64).optional(),
  process_key: z.string().max(64).optional(),
  node_id: z.string().max(128).optional(),
  district_code: z.string().max(16).optional(),
});
const IncidentList = listQuery({ sortable: ['incident_at'] as const, defaultSort: ['incident_at', 'DESC'], filter: IncidentFilter });

const IdParams = z.object({ id: z.coerce.number().int().positive() });
const Comment = z.string().trim().max(2000);
const RetryBody = z.object({ comment: Comment.optional() });
const MoveBody = z.object({ toNodeId: z.string().min(1).max(128), comment: Comment.optional() });
const BatchBody = z
  .object({
    action: z.enum(['retry', 'terminate']),
    comment: Comment.optional(),
    /** The rows chosen in the list… */
    ids: z.array(z.number().int().positive()).min(1).max(BATCH_BOUND).optional(),
    /** …or every case the list's filter matches (at most BATCH_BOUND). */
    filter: IncidentFilter.strict().optional(),
  })
  .superRefine((b, ctx) => {
    if ((b.ids === undefined) === (b.filter === undefined)) ctx.addIssue({ code: 'custom', path: ['ids'], message: 'give either ids or filter' });
    if (b.action === 'terminate' && !b.comment) ctx.addIssue({ code: 'custom', path: ['comment'], message: 'a reason is required to terminate' });
  });

/** The 422 for a move target the case's pinned graph does not offer, naming the field. */
function moveTarget(graph: ProcessGraph | null, toNodeId: string, where: string): void {
  const node = graph && Object.hasOwn(graph.nodes, toNodeId) ? graph.nodes[toNodeId] : undefined;
  if (!node) throw new HttpError(422, 'invalid_reference', `${toNodeId} is not an element of the case’s process (${where})`, [{ field: 'body.toNodeId', reason: `is not an element of ${where}` }]);
  const problem = moveTargetProblem(node);
  if (problem) throw new HttpError(422, 'invalid_reference', `A case cannot be moved to ${toNodeId}: it ${problem}`, [{ field: 'body.toNodeId', reason: problem }]);
}

export function registerIncidentRoutes(api: Api, db: Knex, temporal: LazyTemporalClient): void {
  const visibleCase = async (id: number, user: SessionUser): Promise<VisibleCase> => {
    const row = await findVisibleCase(db, id, user);
    if (!row) throw await missingOrDenied(db, 'cases', id, 'Case', 'case');
    return row;
  };
  const handle = async (workflowId: string) => (await temporal.get()).workflow.getHandle(workflowId);
  const modify = (row: VisibleCase, modification: CaseModification) => sendToCase(async () => (await handle(row.workflow_id)).executeUpdate(modifyCaseUpdate, { args: [modification] }));
  const terminate = (row: VisibleCase, user: SessionUser, comment: string | undefined) => sendToCase(async () => (await handle(row.workflow_id)).executeUpdate(terminateUpdate, { args: [{ actor: actorOf(user), comment }] }));

  api.add({
    method: 'get',
    path: '/api/incidents',
    summary: 'Cases stopped at an incident, newest first: element, message, time (filter by process, element, district, message text)',
    tags: ['incidents'],
    access: 'cases:admin',
    query: IncidentList,
    handler: async ({ query, user }) => {
      const page = await listIncidents(db, user, query.filter, query);
      return listResult('incidents', page.rows, page.total, query.offset, page.hasMore);
    },
  });

  api.add({
    method: 'get',
    path: '/api/cases/:id/incident',
    summary: 'Where a case stopped (element, message, time), or null when it is not in incident',
    tags: ['incidents'],
    access: 'signed-in',
    params: IdParams,
    handler: async ({ params, user }) => {
      await visibleCase(params.id, user);
      return { incident: await caseIncident(db, params.id) };
    },
  });

  api.add({
    method: 'get',
    path: '/api/cases/:id/elements',
    summary: 'The elements of the case’s own process version, each with whether a token may be moved to it',
    tags: ['incidents'],
    access: 'cases:admin',
    params: IdParams,
    handler: async ({ params, user }) => {
      const row = await visibleCase(params.id, user);
      const definition = await processVersionGraph(db, row.process_key, row.process_version);
      const nodes = Object.values(definition?.graph.nodes ?? {});
      return { processKey: row.process_key, version: row.process_version, elements: nodes.map((n) => ({ id: n.id, name: n.name, kind: n.kind, movable: moveTargetProblem(n) === null })) };
    },
  });

  api.add({
    method: 'post',
    path: '/api/cases/:id/retry',
    summary: 'Run again every element a token of the case stopped at with an incident',
    tags: ['incidents'],
    action: 'cases.retry',
    access: 'cases:admin',
    params: IdParams,
    body: RetryBody,
    handler: async ({ params, body, user, audit }) => {
      const row = await visibleCase(params.id, user);
      const snapshot = await modify(row, { kind: 'retry', actor: actorOf(user), comment: body.comment || undefined });
      await audit(db, { targetType: 'case', targetId: row.id, detail: { number: row.number, comment: body.comment || null } });
      return snapshot;
    },
  });

  api.add({
    method: 'post',
    path: '/api/cases/:id/move',
    summary: 'Stop every open branch of the case and continue it at another element of its process',
    tags: ['incidents'],
    action: 'cases.move',
    access: 'cases:admin',
    params: IdParams,
    body: MoveBody,
    handler: async ({ params, body, user, audit }) => {
      const row = await visibleCase(params.id, user);
      // Checked against the version the case runs (pinned at its start), not the current one.
      const definition = await processVersionGraph(db, row.process_key, row.process_version);
      moveTarget(definition?.graph ?? null, body.toNodeId, `${row.process_key} v${row.process_version}`);
      const snapshot = await modify(row, { kind: 'move', actor: actorOf(user), toNodeId: body.toNodeId, comment: body.comment || undefined });
      await audit(db, { targetType: 'case', targetId: row.id, detail: { number: row.number, toNodeId: body.toNodeId, comment: body.comment || null } });
      return snapshot;
    },
  });

  api.add({
    method: 'post',
    path: '/api/incidents/batch',
    summary: `Retry or terminate the chosen cases in incident, or every one a filter matches (at most ${BATCH_BOUND}); answers each case's result`,
    tags: ['incidents'],
    action: 'incidents.batch',
    access: 'cases:admin',
    body: BatchBody,
    handler: async ({ body, user, audit, req }) => {
      const chosen = body.ids ? { ids: [...new Set(body.ids)], more: false } : await incidentCaseIds(db, user, body.filter ?? {});
      const action = body.action === 'retry' ? 'cases.retry' : 'cases.terminate';
      const results: IncidentBatchResult[] = [];
      // One case after another: each is a workflow update that answers once the case settled,
      // and a failure of one (refused, ended meanwhile) must not stop the others.
      for (const id of chosen.ids) {
        const row = await findVisibleCase(db, id, user);
        let result: IncidentBatchResult;
        let denied = false;
        try {
          if (!row) throw await missingOrDenied(db, 'cases', id, 'Case', 'case');
          if (row.status !== 'incident') throw new HttpError(409, 'not_in_incident', `The case is ${String(row.status)}, not stopped at an incident`);
          if (body.action === 'retry') await modify(row, { kind: 'retry', actor: actorOf(user), comment: body.comment || undefined });
          else await terminate(row, user, body.comment);
          result = { id, number: row.number as string, ok: true, status: 200 };
        } catch (err) {
          // Every refusal is the case's own answer, never the batch's 5xx.
          const e = toHttpError(fromWorkflowError(err));
          if (e.status >= 500) req.log?.error({ err, caseId: id }, 'a batch operation on a case failed');
          denied = e.deniedTarget !== undefined;
          result = { id, number: (row?.number as string | undefined) ?? null, ok: false, status: e.status, code: e.code, reason: e.message };
        }
        results.push(result);
        // Each case's operation is logged as if it had been asked alone (out of scope: denied, as a 404 there is).
        await audit(db, {
          action,
          status: result.status,
          ...(denied ? { result: 'denied' as const } : {}),
          targetType: 'case',
          targetId: id,
          detail: { batch: true, comment: body.comment || null, ...(result.ok ? {} : { code: result.code, reason: result.reason }) },
        });
      }
      const summary = { action: body.action, count: results.length, ok: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).length, more: chosen.more };
      await audit(db, { status: 200, detail: { ...summary, filter: body.filter ?? null } });
      return { ...summary, results };
    },
  });
}
