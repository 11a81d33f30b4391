import type { Knex } from 'knex';
import { z } from 'zod';
import { holdsOpenTask } from '../../../db/cases/tasks';
import { activeExpertOfUser, drawOf, isDrawnFor } from '../../../db/approvals/tender-experts';
import { balancesOf, bidList, ledgerOf, listTenders, recordScores, registerBid, scoresOf, tenderDetail, TenderError } from '../../../db/approvals/tenders';
import type { SessionUser } from '../../auth/sessions';
import { HttpError, conflict, forbidden, notFound } from '../../http/errors';
import { listQuery } from '../../http/list-query';
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
  scores: z
    .array(z.object({ bidId: z.number().int().positive(), score: z.number().min(0).max(100), comment: z.string().max(500).optional() }))
    .min(1)
    .max(100),
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
    const row = await tenderDetail(db, caseId);
    if (!row) throw notFound('Tender');
    return row;
  };
  const expertOf = (user: SessionUser) => activeExpertOfUser(db, user.id);
  const isDrawn = (caseId: number, expertId: number) => isDrawnFor(db, caseId, expertId);

  api.add({
    method: 'get',
    path: '/api/tenders',
    summary: 'Announced tenders (招标公告), open ones first: project, conditions, deposit, closing time',
    tags: ['tenders'],
    access: 'signed-in',
    query: TenderList,
    handler: async ({ query }) => {
      const page = await listTenders(db, query);
      return listResult('tenders', page.rows, page.total, query.offset, page.hasMore);
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
      // A bidder who is none of those sees its own bid only.
      const bids = await bidList(db, params.caseId, full ? undefined : user.organisationId);
      const ledger = (await ledgerOf(db, params.caseId)).filter((l) => full || l.enterprise_id === user.organisationId);
      if (!full) return { ...t, bids, ledger };
      const draw = await drawOf(db, params.caseId);
      const scores = await scoresOf(db, params.caseId);
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
      if (!(await holdsOpenTask(db, { caseId: params.caseId, userId: user.id, nodeId: 'scoring' }))) throw conflict('You have no open scoring task on this tender');
      try {
        await recordScores(db, { caseId: params.caseId, expertId: expert.id, scores: body.scores });
      } catch (err) {
        throw fromTenderError(err);
      }
      return { recorded: body.scores.length };
    },
  });
}
