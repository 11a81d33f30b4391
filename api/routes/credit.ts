import type { Knex } from 'knex';
import { z } from 'zod';
import { districtOfRecord, IntakeRefused, intakeRecord, markRectified, noticeCaseOf, placeOfRecord, RecordIntake } from '../../db/credit/records';
import { enterpriseRanking, gradeDistribution, modelAt, scoresAt } from '../../db/credit/scores';
import { managerPoints, openSuspension } from '../../db/credit/managers';
import { enterprisesOnList } from '../../db/credit/lists';
import { cycleEndOf, ratingRun } from '../../db/credit/ratings';
import { createDraft, deleteDraft, getStandard, latestEffectiveFrom, listStandards, publishDraft, updateDraft } from '../../db/credit/standards';
import { enterpriseInScope, staffInScope } from '../../db/registries/scope';
import { beijingToday, calendarDay } from '../../lib/credit/days';
import { StandardContent } from '../../lib/credit/standard';
import { can } from '../../lib/roles';
import { conflict, forbidden, HttpError, missingOrDenied, notFound, outOfScope } from '../http/errors';
import type { Api } from '../http/route';
import type { LazyTemporalClient } from '../../lib/temporal/client';
import { startCreditNotice, type NoticeQueues } from '../credit/notices';
import { launchCase, LaunchClaimed } from '../cases/start';
import { organisationInScope } from '../../db/organisations';
import { currentVersion } from '../../db/processes';
import { claimPublication, publicationOf, ratedOnList } from '../../db/credit/publications';
import { creditReportPdf } from '../credit/report';

/**
 * Credit (docs/credit.md): the city's versioned standards (C1), the record intake for staff
 * (C2; the platform's own sources call db/credit/records.ts directly) and a subject's running
 * score with its breakdown (C4).
 */
const IdParams = z.object({ id: z.coerce.number().int().positive() });
const PublishBody = z.object({ effectiveFrom: calendarDay });
/**
 * Staff enter records by hand (source manual); the rest of the intake's fields as the intake
 * reads them. `sourceRef` is the entry form's own id (a new one per form), so the same form sent
 * twice makes one record; it is kept under the sender, so nobody meets another's.
 */
const RecordBody = RecordIntake.omit({ source: true, recordedBy: true }).extend({
  sourceRef: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,48}$/, 'the entry form’s id: letters, digits, _ or - (at most 48)'),
});
const ScoreQuery = z.object({ at: calendarDay.optional() });
const page = { limit: z.coerce.number().int().min(1).max(200).default(50), offset: z.coerce.number().int().min(0).max(100_000).default(0) };
const district = z
  .string()
  .regex(/^\d{6}$/, 'a district code')
  .optional();
const RankingQuery = z.object({ year: z.coerce.number().int().min(2000).max(2100).optional(), district_code: district, ...page });
const ListQuery = z.object({ district_code: district, ...page });
const YearParams = z.object({ year: z.coerce.number().int().min(2000).max(2100) });
const PUBLICATION_PROCESS = 'credit-publication';
const RectifiedBody = z.object({ rectifiedOn: calendarDay });

function refused(err: unknown): never {
  if (err instanceof IntakeRefused) throw new HttpError(err.status, err.status === 409 ? 'conflict' : 'invalid_record', err.message, [{ field: `body.${err.field}`, reason: err.reason }]);
  throw err;
}

export function registerCreditRoutes(api: Api, db: Knex, temporal: LazyTemporalClient, queues: NoticeQueues): void {
  api.add({
    method: 'get',
    path: '/api/credit/standards',
    summary: 'Credit standards: the published versions, newest first (and the drafts, for those who edit them)',
    tags: ['credit'],
    access: 'registries:read',
    handler: async ({ user }) => listStandards(db, { drafts: can(user.role, 'credit:standards') }),
  });

  api.add({
    method: 'get',
    path: '/api/credit/standards/:id',
    summary: 'One credit standard with its model and items',
    tags: ['credit'],
    access: 'registries:read',
    params: IdParams,
    handler: async ({ params, user }) => {
      const standard = await getStandard(db, params.id);
      // A draft is the city's working copy: to others it does not exist.
      if (!standard || (standard.status === 'draft' && !can(user.role, 'credit:standards'))) throw standard ? outOfScope('Credit standard', 'credit_standard', params.id) : notFound('Credit standard');
      return standard;
    },
  });

  api.add({
    method: 'post',
    path: '/api/credit/standards',
    summary: 'Draft a new credit standard (items and scoring model)',
    tags: ['credit'],
    action: 'credit.standards.create',
    access: 'credit:standards',
    status: 201,
    body: StandardContent,
    handler: async ({ body, user, audit }) =>
      db.transaction(async (trx) => {
        const id = await createDraft(trx, body, user.id);
        await audit(trx, { status: 201, targetType: 'credit_standard', targetId: id, detail: { name: body.name, items: body.items.length } });
        return getStandard(trx, id);
      }),
  });

  api.add({
    method: 'put',
    path: '/api/credit/standards/:id',
    summary: 'Change a draft credit standard (a published version never changes: draft the next one)',
    tags: ['credit'],
    action: 'credit.standards.update',
    access: 'credit:standards',
    params: IdParams,
    body: StandardContent,
    handler: async ({ params, body, audit }) =>
      db.transaction(async (trx) => {
        if (!(await updateDraft(trx, params.id, body))) {
          if (await getStandard(trx, params.id)) throw conflict('A published credit standard is not changed; draft the next version', [{ field: 'params.id', reason: 'published' }]);
          throw notFound('Credit standard');
        }
        await audit(trx, { targetType: 'credit_standard', targetId: params.id, detail: { name: body.name, items: body.items.length } });
        return getStandard(trx, params.id);
      }),
  });

  api.add({
    method: 'delete',
    path: '/api/credit/standards/:id',
    summary: 'Delete a draft credit standard',
    tags: ['credit'],
    action: 'credit.standards.delete',
    access: 'credit:standards',
    params: IdParams,
    status: 204,
    handler: async ({ params, audit }) =>
      db.transaction(async (trx) => {
        if (!(await deleteDraft(trx, params.id))) {
          if (await getStandard(trx, params.id)) throw conflict('A published credit standard is kept for the records scored under it', [{ field: 'params.id', reason: 'published' }]);
          throw notFound('Credit standard');
        }
        await audit(trx, { status: 204, targetType: 'credit_standard', targetId: params.id });
      }),
  });

  api.add({
    method: 'post',
    path: '/api/credit/standards/:id/publish',
    summary: 'Publish a draft as the next version, in force from a Beijing day (today or later, after the version before it)',
    tags: ['credit'],
    action: 'credit.standards.publish',
    access: 'credit:standards',
    params: IdParams,
    body: PublishBody,
    handler: async ({ params, body, user, audit }) =>
      db.transaction(async (trx) => {
        // Records already scored keep their version: a new one may not reach back before today.
        const today = beijingToday();
        if (body.effectiveFrom < today) throw new HttpError(422, 'invalid_date', 'A standard applies from today or later', [{ field: 'body.effectiveFrom', reason: `must be ${today} or later` }]);
        const latest = await latestEffectiveFrom(trx);
        if (latest && body.effectiveFrom <= latest) throw new HttpError(422, 'invalid_date', `The version in force from ${latest} must apply first`, [{ field: 'body.effectiveFrom', reason: `must be after ${latest}` }]);
        const version = await publishDraft(trx, params.id, body.effectiveFrom, user.id);
        if (version === null) {
          if (await getStandard(trx, params.id)) throw conflict('This credit standard is already published', [{ field: 'params.id', reason: 'published' }]);
          throw notFound('Credit standard');
        }
        await audit(trx, { targetType: 'credit_standard', targetId: params.id, detail: { version, effectiveFrom: body.effectiveFrom } });
        return getStandard(trx, params.id);
      }),
  });

  api.add({
    method: 'post',
    path: '/api/credit/records',
    summary: 'Record a credit item against an enterprise, its project or its manager, with evidence (a bad item is a pre-deduction until final)',
    tags: ['credit'],
    action: 'credit.records.create',
    access: 'credit:write',
    status: 201,
    body: RecordBody,
    handler: async ({ body, user, audit }) => {
      const result = await db.transaction(async (trx) => {
        // A district records within its district, a street office within its street; the record goes where its project is, else its enterprise.
        if (user.scope.kind !== 'city') {
          const place = await placeOfRecord(trx, { projectId: body.projectId, enterpriseId: body.enterpriseId });
          const scope = user.scope;
          const inPlace = scope.kind === 'district' ? place?.district_code === scope.districtCode : scope.kind === 'street' ? place?.street_code === scope.streetCode : false;
          if (place && !inPlace) throw forbidden(scope.kind === 'street' ? 'A street office records credit items of its own street only' : 'A district records credit items of its own district only');
        }
        // The same form sent twice (a double click, a retry after a timeout) is one record: its key is the sender and the form's own id.
        const result = await intakeRecord(trx, { ...body, sourceRef: `u${user.id}:${body.sourceRef}`, source: 'manual', recordedBy: user.id }).catch(refused);
        if (result.created) await audit(trx, { status: 201, targetType: 'credit_event', targetId: result.id, detail: { itemCode: body.itemCode, enterpriseId: body.enterpriseId, points: result.points, status: result.status } });
        return result;
      });
      if (result.status !== 'pending') return { ...result, notice: null };
      // The pre-deduction's notice case starts once the record is committed; if the workflow
      // service is away, the sweep starts it later (api/credit/notices.ts), so the record stands.
      const notice = await startCreditNotice(db, temporal, result.id, queues).catch(() => ({ started: false as const, reason: 'the workflow service is away: the notice starts shortly' }));
      return { ...result, notice: notice.started ? { caseId: notice.caseId, number: notice.number } : await noticeCaseOf(db, result.id) };
    },
  });

  api.add({
    method: 'get',
    path: '/api/credit/scores/enterprise/:id',
    summary: 'An enterprise’s running credit score on a day (today by default): score, grade, lists, the breakdown by area and the records that counted',
    tags: ['credit'],
    access: 'registries:read',
    params: IdParams,
    query: ScoreQuery,
    handler: async ({ params, query, user }) => {
      if (!(await enterpriseInScope(db, user.scope, params.id))) throw await missingOrDenied(db, 'enterprises', params.id, 'Enterprise', 'enterprise');
      const at = query.at ?? beijingToday();
      return (await scoresAt(db, 'enterprise', [params.id], at)).get(params.id);
    },
  });

  api.add({
    method: 'get',
    path: '/api/credit/rankings',
    summary: 'Enterprises ranked by their credit score of a cycle (this year by default), city-wide or in a district, with last cycle’s score and the grade distribution',
    tags: ['credit'],
    access: 'credit:read',
    query: RankingQuery,
    handler: async ({ query }) => {
      const year = query.year ?? Number(beijingToday().slice(0, 4));
      const [rows, grades] = await Promise.all([enterpriseRanking(db, { year, districtCode: query.district_code, limit: query.limit, offset: query.offset }), gradeDistribution(db, { year, districtCode: query.district_code })]);
      return { year, districtCode: query.district_code ?? null, grades, rows };
    },
  });

  api.add({
    method: 'get',
    path: '/api/credit/lists/:list',
    summary: 'Enterprises on the red list (红榜) or the black list (黑榜) now, newest entries first',
    tags: ['credit'],
    access: 'credit:read',
    params: z.object({ list: z.enum(['red', 'black']) }),
    query: ListQuery,
    handler: async ({ params, query }) => enterprisesOnList(db, params.list, { districtCode: query.district_code, limit: query.limit, offset: query.offset }),
  });

  api.add({
    method: 'get',
    path: '/api/credit/ratings/:year',
    summary: 'The annual rating of a year: when it ran, how many it rated and the grade distribution (404 before it ran)',
    tags: ['credit'],
    access: 'credit:read',
    params: YearParams,
    handler: async ({ params }) => {
      const run = await ratingRun(db, params.year);
      if (!run) throw notFound(`The rating of ${params.year}`);
      return run;
    },
  });

  api.add({
    method: 'post',
    path: '/api/credit/ratings/:year',
    summary: 'Rate a year’s cycle now (again), as the year-end Schedule does: the same rows are written again, nothing doubles',
    tags: ['credit'],
    action: 'credit.ratings.run',
    access: 'credit:standards',
    params: YearParams,
    status: 202,
    handler: async ({ params, audit }) => {
      const { end } = await cycleEndOf(db, params.year);
      if (end >= beijingToday()) throw new HttpError(422, 'cycle_not_ended', `The ${params.year} cycle ends on ${end}`, [{ field: 'params.year', reason: `its cycle ends on ${end}` }]);
      const client = await temporal.get();
      // One rating of a year at a time: a second request while one runs joins it.
      const workflowId = `credit-rating-${params.year}`;
      await client.workflow.start('creditRatingWorkflow', { taskQueue: queues.taskQueue, workflowId, args: [{ year: params.year }], workflowIdConflictPolicy: 'USE_EXISTING' }).catch((err: unknown) => {
        throw err instanceof Error && /already started/i.test(err.message) ? conflict(`The rating of ${params.year} is running`) : err;
      });
      await audit(db, { status: 202, targetType: 'credit_rating', targetId: params.year });
      return { year: params.year, workflowId };
    },
  });

  api.add({
    method: 'get',
    path: '/api/credit/reports/enterprise/:id',
    summary: 'An enterprise’s credit report (信用报告) as a PDF: score, grade, breakdown, lists, the records counting, annual ratings',
    tags: ['credit'],
    action: 'credit.report',
    access: 'registries:read',
    params: IdParams,
    query: ScoreQuery,
    handler: async ({ params, query, user, res, audit }) => {
      if (!(await enterpriseInScope(db, user.scope, params.id))) throw await missingOrDenied(db, 'enterprises', params.id, 'Enterprise', 'enterprise');
      const report = await creditReportPdf(db, params.id, query.at ?? beijingToday());
      await audit(db, { status: 200, targetType: 'enterprise', targetId: params.id, detail: { at: query.at ?? null } });
      res
        .status(200)
        .type('application/pdf')
        .setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(report.name)}`)
        .send(report.bytes);
    },
  });

  api.add({
    method: 'get',
    path: '/api/credit/managers/:id',
    summary: 'A person’s deduction points this cycle (own records and their project’s share), the cap for their role, and a suspension in force',
    tags: ['credit'],
    access: 'registries:read',
    params: IdParams,
    handler: async ({ params, user }) => {
      const person = await staffInScope(db, user.scope, params.id);
      if (!person) throw await missingOrDenied(db, 'enterprise_staff', params.id, 'Person', 'staff');
      const today = beijingToday();
      const [points, { model }, suspension] = await Promise.all([managerPoints(db, [params.id], today), modelAt(db, today), openSuspension(db, params.id)]);
      return { staffId: params.id, role: person.role, points: points.get(params.id) ?? 0, cap: (model.managerCaps as Record<string, number | undefined>)[person.role] ?? null, suspension };
    },
  });

  api.add({
    method: 'post',
    path: '/api/credit/publications/:year',
    summary: 'Start taking a rated year to the public (信用评定结果公示: review, leader approval, publicity, publication)',
    tags: ['credit'],
    action: 'credit.publications.start',
    access: 'credit:standards',
    params: YearParams,
    status: 201,
    handler: async ({ params, user, audit }) => {
      if (!(await ratingRun(db, params.year))) throw new HttpError(422, 'not_rated', `${params.year} has not been rated`, [{ field: 'params.year', reason: 'not rated yet' }]);
      const process = await currentVersion(db, PUBLICATION_PROCESS);
      if (!process || process.status !== 'enabled') throw conflict(`Process ${PUBLICATION_PROCESS} is not enabled`);
      const org = await organisationInScope(db, user.organisationId, { kind: 'city' });
      try {
        const created = await launchCase(db, temporal, {
          processKey: PUBLICATION_PROCESS,
          process,
          org: org!,
          districtCode: null,
          streetCode: null,
          user,
          title: `${params.year} 年度物业服务企业信用评定结果公示`,
          variables: { year: params.year, publicityPeriod: 'P7D', publicityDays: 7 },
          attachments: [],
          formData: {},
          taskQueue: queues.taskQueue,
          smsTaskQueue: queues.smsTaskQueue,
          claim: (trx, caseId) => claimPublication(trx, params.year, caseId),
        });
        await audit(db, { status: 201, targetType: 'credit_publication', targetId: params.year, detail: { caseId: created.id } });
        return { year: params.year, caseId: created.id, number: created.number };
      } catch (err) {
        if (err instanceof LaunchClaimed) throw conflict(`The ${params.year} rating is being published or is published`, [{ field: 'params.year', reason: 'in progress or published' }]);
        throw err;
      }
    },
  });

  api.add({
    method: 'get',
    path: '/api/credit/publications/:year',
    summary: 'Where the publication of a rated year stands',
    tags: ['credit'],
    access: 'credit:read',
    params: YearParams,
    handler: async ({ params }) => {
      const publication = await publicationOf(db, params.year);
      if (!publication) throw notFound(`The publication of ${params.year}`);
      return publication;
    },
  });

  api.add({
    method: 'get',
    path: '/api/public/credit/ratings/:year',
    summary: 'A year’s credit rating as published (in publicity or published): the grade distribution, the red list and the black list',
    tags: ['public'],
    access: 'public',
    params: YearParams,
    handler: async ({ params }) => {
      const publication = await publicationOf(db, params.year);
      const run = await ratingRun(db, params.year);
      // Before the leader approved it, a year's rating is the bureau's working paper.
      if (!publication || publication.status === 'review' || !run) throw notFound(`The published rating of ${params.year}`);
      const { model } = await modelAt(db, run.ratedOn);
      const [red, black] = await Promise.all([ratedOnList(db, params.year, model.redListGrades), ratedOnList(db, params.year, model.blackListGrades)]);
      return { year: params.year, status: publication.status, publicityFrom: publication.publicityFrom, publicityTo: publication.publicityTo, publishedOn: publication.publishedOn, grades: run.grades, red, black };
    },
  });

  api.add({
    method: 'post',
    path: '/api/credit/records/:id/rectified',
    summary: 'Mark a record that counts until rectified (a serious one) as rectified on a day: from then on it no longer counts',
    tags: ['credit'],
    action: 'credit.records.rectified',
    access: 'credit:write',
    params: IdParams,
    body: RectifiedBody,
    handler: async ({ params, body, user, audit }) =>
      db.transaction(async (trx) => {
        const district = await districtOfRecord(trx, params.id);
        if (!district) throw notFound('Credit record');
        if (user.scope.kind !== 'city' && (user.scope.kind !== 'district' || user.scope.districtCode !== district)) throw outOfScope('Credit record', 'credit_event', params.id);
        if (body.rectifiedOn > beijingToday()) throw new HttpError(422, 'invalid_date', 'A rectification is recorded once it is done', [{ field: 'body.rectifiedOn', reason: 'must not be in the future' }]);
        const done = await markRectified(trx, params.id, body.rectifiedOn);
        if (!done.ok) throw new HttpError(done.status, done.status === 409 ? 'conflict' : done.status === 404 ? 'not_found' : 'invalid_record', done.reason, [{ field: done.field, reason: done.reason }]);
        await audit(trx, { targetType: 'credit_event', targetId: params.id, detail: { rectifiedOn: body.rectifiedOn } });
        return { id: params.id, rectifiedOn: body.rectifiedOn };
      }),
  });

  api.add({
    method: 'post',
    path: '/api/credit/scores/recompute',
    summary: 'Recompute every running score of this cycle now (scores follow each record anyway; this is for a changed standard or a repair)',
    tags: ['credit'],
    action: 'credit.scores.recompute',
    access: 'credit:standards',
    status: 202,
    handler: async ({ audit }) => {
      const client = await temporal.get();
      // One recomputation at a time: a second request while one runs joins it.
      const workflowId = 'credit-recompute';
      await client.workflow.start('creditRecomputeWorkflow', { taskQueue: queues.taskQueue, workflowId, args: [], workflowIdConflictPolicy: 'USE_EXISTING' });
      await audit(db, { status: 202, targetType: 'credit_scores', targetId: null });
      return { workflowId };
    },
  });
}
