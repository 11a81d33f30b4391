import type { Knex } from 'knex';
import { z } from 'zod';
import { readDmn } from '../../lib/dmn/read';
import { listDecisions, publishDecisions } from '../../db/decisions';
import { HttpError } from '../http/errors';
import { listResult, type Api } from '../http/route';

/**
 * DMN decisions (docs/process-engine.md, "Decisions"): a .dmn file drawn in Camunda Modeler is
 * published here, as Camunda deploys it beside its processes; each of its decisions gets a new
 * version, and a business rule task (zeebe:calledDecision) evaluates the latest version of its
 * decision id when a case reaches it. The same people publish decisions as publish processes.
 */
const PublishBody = z.object({ xml: z.string().min(1).max(2_000_000) });

export function registerDecisionRoutes(api: Api, db: Knex): void {
  api.add({
    method: 'post',
    path: '/api/decisions',
    summary: 'Publish a DMN file: every decision in it as its next version (422 lists each problem with its element id); the same XML again makes no new version',
    tags: ['processes'],
    action: 'decisions.publish',
    access: 'processes:publish',
    status: 201,
    body: PublishBody,
    handler: async ({ body, user, audit }) => {
      const read = await readDmn(body.xml);
      if (!read.ok) {
        throw new HttpError(
          422,
          'invalid_decision',
          `The DMN file does not validate (${read.problems.length} problem${read.problems.length === 1 ? '' : 's'})`,
          read.problems.map((p) => ({ field: p.elementId || 'definitions', reason: p.message })),
        );
      }
      const decisions = await publishDecisions(db, body.xml, read.model, user.id);
      await audit(db, { status: 201, targetType: 'decision', targetId: read.model.id, detail: { decisions } });
      return { definitionsId: read.model.id, decisions };
    },
  });

  api.add({
    method: 'get',
    path: '/api/decisions',
    summary: 'The published decisions, each at its latest version',
    tags: ['processes'],
    access: 'processes:read',
    handler: async () => {
      const rows = await listDecisions(db);
      return listResult(
        'decisions',
        rows.map((r) => ({ id: r.decision_id, ...r })),
        rows.length,
        0,
        false,
      );
    },
  });
}
