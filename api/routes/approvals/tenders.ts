import type { Knex } from 'knex';
import { z } from 'zod';
import { balancesOf, ledgerOf, recordScores, registerBid, TenderError } from '../../../db/approvals/tenders';
import type { SessionUser } from '../../auth/sessions';
import { HttpError, conflict, forbidden, notFound } from '../../http/errors';
import { listQuery, pageOf } from '../../http/list-query';
import { listResult, type Api } from '../../http/route';

/**
 * The tender's outside parts (000 主要功能 7): enterprises see open tenders and register bids
 * with their deposit; drawn experts score the bids under evaluation; the bureau, the tenderer
 * and the experts see bids, the draw, scores and the deposit ledger. The process itself moves
 * on its own timers and tasks (processes/tender.bpmn).
 */
const CaseParams = z.object({ caseId: z.coerce.number().int().positive() });
const BidBody = z.object({ depositPaid: z.number().positive().max(100_000_000) });
const ScoresBody = z.object({
  scores: z.array(z.object({ bidId: z.number().int().positive(), score: z.number().min(0).max(100), comment: z.string().max(500).optional() })).min(1).max(100),
});
const TenderList = listQuery({
  sortable: ['closes_at', 'opens_at'] as const,
  defaultSort: ['closes_at', 'ASC'],
  filter: z.object({ status: z.enum(['open', 'closed', 'awarded', 'failed']).optional() }),
});

function fromTenderError(err: unknown): unknown {
  if (!(err instanceof TenderError)) return err;
  if (err.kind === 'not_found') return notFound('Tender');
  if (err.kind === 'forbidden') return forbidden(err.message);
  if (err.kind === 'invalid') return new HttpError(422, 'invalid_bid', err.message);
  return conflict(err.message);
}

const CITY_ROLES = ['sysadmin', 'city_staff', 'city_leader', 'admin_centre'];

export function registerTenderRoutes(api: Api, db: Knex): void {
  const tender = async (caseId: number) => {
    const row = (await db('tenders as t')
      .join('cases as c', 'c.id', 't.case_id')
      .join('property_projects as p', 'p.id', 't.project_id')
      .where('t.case_id', caseId)
      .first('t.*', 'c.number as case_number', 'p.name as project_name', 'p.code as project_code')) as (Record<string, unknown> & { tenderer_organisation_id: number; requirements: string }) | undefined;
    if (!row) throw notFound('Tender');
    return { ...row, requirements: JSON.parse(row.requirements) as unknown };
  };
  const expertOf = async (user: SessionUser) => (await db('experts').where({ user_id: user.id, active: true }).first('id')) as { id: number } | undefined;
  const isDrawn = async (caseId: number, expertId: number) => Boolean(await db('tender_expert_draws').where({ case_id: caseId, expert_id: expertId, selected: true }).first('id'));

  api.add({
    method: 'get',
    path: '/api/tenders',
    summary: 'Announced tenders (招标公告), open ones first: project, conditions, deposit, closing time',
    tags: ['tenders'],
    access: 'signed-in',
    query: TenderList,
    handler: async ({ query }) => {
      const q = db('tenders as t')
        .join('cases as c', 'c.id', 't.case_id')
        .join('property_projects as p', 'p.id', 't.project_id')
        .select('t.case_id as id', 't.case_id', 'c.number as case_number', 't.title', 't.status', 't.deposit_amount', 't.opens_at', 't.closes_at', 't.requirements', 'p.name as project_name');
      if (query.filter.status) q.where('t.status', query.filter.status);
      const page = await pageOf<{ requirements: string }>(q, query, { closes_at: 't.closes_at', opens_at: 't.opens_at' }, 't.case_id');
      return listResult('tenders', page.rows.map((r) => ({ ...r, requirements: JSON.parse(r.requirements) as unknown })), page.total, query.offset);
    },
  });

  api.add({
    method: 'get',
    path: '/api/tenders/:caseId',
    summary: 'One tender; the bureau, the tenderer and drawn experts also see bids, draw, scores and the deposit ledger; a bidder its own bid',
    tags: ['tenders'],
    access: 'signed-in',
    params: CaseParams,
    handler: async ({ params, user }) => {
      const t = await tender(params.caseId);
      const expert = await expertOf(user);
      const full = CITY_ROLES.includes(user.role) || user.organisationId === t.tenderer_organisation_id || (expert ? await isDrawn(params.caseId, expert.id) : false);
      const bidsQuery = db('tender_bids as b')
        .join('enterprises as e', 'e.id', 'b.enterprise_id')
        .where('b.case_id', params.caseId)
        .orderBy('b.bid_no')
        .select('b.id', 'b.bid_no', 'b.enterprise_id', 'e.name as enterprise_name', 'b.status', 'b.screening', 'b.average_score', 'b.registered_at');
      if (!full) bidsQuery.where('b.enterprise_id', user.organisationId);
      const bids = ((await bidsQuery) as Array<{ screening: string | null }>).map((b) => ({ ...b, screening: b.screening ? (JSON.parse(b.screening) as unknown) : null }));
      const ledger = (await ledgerOf(db, params.caseId)).filter((l) => full || l.enterprise_id === user.organisationId);
      if (!full) return { ...t, bids, ledger };
      const draw = await db('tender_expert_draws as d').join('experts as x', 'x.id', 'd.expert_id').where('d.case_id', params.caseId).orderBy('d.id').select('x.name', 'd.selected', 'd.draw_order', 'd.excluded_reason');
      const scores = await db('tender_scores as s').join('experts as x', 'x.id', 's.expert_id').where('s.case_id', params.caseId).orderBy('s.id').select('s.bid_id', 'x.name as expert_name', 's.score', 's.comment');
      return { ...t, bids, draw, scores, ledger, balances: await balancesOf(db, params.caseId) };
    },
  });

  api.add({
    method: 'post',
    path: '/api/tenders/:caseId/bids',
    summary: 'An enterprise registers a bid on an open tender (投标报名) and pays the deposit into its sub-account',
    tags: ['tenders'],
    action: 'tenders.bid',
    access: 'signed-in',
    status: 201,
    params: CaseParams,
    body: BidBody,
    handler: async ({ params, body, user, audit }) => {
      if (user.role !== 'enterprise') throw forbidden('Only property-service enterprises register bids');
      try {
        const bid = await registerBid(db, { caseId: params.caseId, enterpriseId: user.organisationId, userId: user.id, depositPaid: body.depositPaid });
        await audit(db, { status: 201, targetType: 'tender_bid', targetId: bid.id, detail: { caseId: params.caseId, bidNo: bid.bidNo } });
        return bid;
      } catch (err) {
        throw fromTenderError(err);
      }
    },
  });

  api.add({
    method: 'post',
    path: '/api/tenders/:caseId/scores',
    summary: 'A drawn expert holding an open scoring task records scores (0–100) for the bids under evaluation',
    tags: ['tenders'],
    action: 'tenders.score',
    access: 'signed-in',
    params: CaseParams,
    body: ScoresBody,
    handler: async ({ params, body, user }) => {
      const expert = await expertOf(user);
      if (!expert || !(await isDrawn(params.caseId, expert.id))) throw forbidden('Only the experts drawn for this tender score it');
      const task = await db('case_tasks').where({ case_id: params.caseId, assignee_id: user.id, status: 'open', node_id: 'scoring' }).first('id');
      if (!task) throw conflict('You have no open scoring task on this tender');
      try {
        await recordScores(db, { caseId: params.caseId, expertId: expert.id, scores: body.scores });
      } catch (err) {
        throw fromTenderError(err);
      }
      return { recorded: body.scores.length };
    },
  });
}
