import type { Knex } from 'knex';
import { isBlackListed } from '../credit/lists';
import { pageOf, type Page, type PageParams } from '../paging';
import { enterpriseOf } from '../registries/lookups';

/**
 * The tender's records (000 主要功能 7; tables tenders, tender_bids, deposit_entries,
 * tender_scores): the announcement, bids, the deposit ledger, experts' scores. The only module
 * that touches these tables: the tender API (bidders register, experts score) and the tender
 * process's activities both call it. The expert pool and draw are in tender-experts.ts.
 */
type Db = Knex | Knex.Transaction;
export class TenderError extends Error {
  constructor(
    readonly kind: 'not_found' | 'conflict' | 'invalid' | 'forbidden',
    message: string,
  ) {
    super(message);
  }
}

/** Qualification levels, strongest first, for screening and prequalification. */
export const LEVEL_RANK: Record<string, number> = { level_1: 4, level_2: 3, level_3: 2, provisional: 1, none: 0 };

export interface TenderRequirements {
  /** Lowest qualification level a bidder must hold (valid on the closing day). */
  minLevel?: string | null;
  /** Registered capital, yuan. */
  minCapital?: number | null;
  /** A district the bidder must be registered in or already manage a project in. */
  districtCode?: string | null;
  /** Declared number of employees. */
  minEmployees?: number | null;
}

export interface TenderRow {
  case_id: number;
  project_id: number;
  tenderer: 'developer' | 'owners_assembly';
  tenderer_organisation_id: number;
  title: string;
  status: 'open' | 'closed' | 'awarded' | 'failed';
  requirements: string;
  deposit_amount: string;
  opens_at: Date;
  closes_at: Date;
  winner_enterprise_id: number | null;
}

export async function tenderOf(db: Db, caseId: number, forUpdate = false): Promise<TenderRow | null> {
  const q = db('tenders').where('case_id', caseId);
  if (forUpdate) q.forUpdate();
  return ((await q.first()) as TenderRow | undefined) ?? null;
}

const money = (v: number) => Math.round(v * 100) / 100;

/**
 * Writes one double-entry transaction: the bank line and the bidder's sub-account line, summing
 * to zero. Keyed by txnKey, so writing it again changes nothing.
 */
async function postTransaction(trx: Knex.Transaction, caseId: number, txnKey: string, kind: 'payment' | 'refund', enterpriseId: number, amount: number): Promise<void> {
  const a = money(amount);
  const [bank, bidder] = kind === 'payment' ? [a, -a] : [-a, a];
  await trx('deposit_entries')
    .insert([
      { case_id: caseId, txn_key: txnKey, line: 1, account: 'bank', enterprise_id: enterpriseId, kind, amount: bank },
      { case_id: caseId, txn_key: txnKey, line: 2, account: 'bidder', enterprise_id: enterpriseId, kind, amount: bidder },
    ])
    .onConflict(['txn_key', 'line'])
    .ignore();
}

/**
 * A bidder registers on an open tender (投标报名) and pays the deposit into its sub-account.
 * One bid per enterprise; bid numbers follow registration order.
 */
export async function registerBid(db: Knex, input: { caseId: number; enterpriseId: number; userId: number; depositPaid: number }): Promise<{ id: number; bidNo: string }> {
  return db.transaction(async (trx) => {
    const tender = await tenderOf(trx, input.caseId, true);
    if (!tender) throw new TenderError('not_found', 'No such tender');
    if (tender.status !== 'open' || new Date(tender.closes_at).getTime() <= Date.now()) throw new TenderError('conflict', 'Bid registration for this tender is closed');
    const enterprise = await enterpriseOf(trx, input.enterpriseId);
    if (enterprise?.kind !== 'property_service') throw new TenderError('forbidden', 'Only property-service enterprises in the registry may bid');
    // 黑榜 (C5): an enterprise on the credit black list is barred from tenders (docs/credit.md).
    if (await isBlackListed(trx, input.enterpriseId)) throw new TenderError('forbidden', 'An enterprise on the credit black list may not bid (信用黑名单企业不得参与投标)');
    if (money(input.depositPaid) !== money(Number(tender.deposit_amount))) throw new TenderError('invalid', `The deposit is ${Number(tender.deposit_amount).toFixed(2)} yuan`);
    if (await trx('tender_bids').where({ case_id: input.caseId, enterprise_id: input.enterpriseId }).first('id')) throw new TenderError('conflict', 'This enterprise has already registered a bid');
    const count = Number(((await trx('tender_bids').where('case_id', input.caseId).count({ n: '*' })) as Array<{ n: number | string }>)[0].n);
    const bidNo = `B${String(count + 1).padStart(3, '0')}`;
    const [id] = await trx('tender_bids').insert({ case_id: input.caseId, enterprise_id: input.enterpriseId, bid_no: bidNo, registered_by: input.userId });
    await postTransaction(trx, input.caseId, `payment:${input.caseId}:${input.enterpriseId}`, 'payment', input.enterpriseId, Number(tender.deposit_amount));
    return { id: Number(id), bidNo };
  });
}

export interface LedgerLine {
  enterprise_id: number;
  account: 'bank' | 'bidder';
  kind: 'payment' | 'refund';
  amount: number;
  txn_key: string;
}

export async function ledgerOf(db: Knex, caseId: number): Promise<LedgerLine[]> {
  const rows = (await db('deposit_entries').where('case_id', caseId).orderBy('id').select('enterprise_id', 'account', 'kind', 'amount', 'txn_key')) as Array<LedgerLine & { amount: string }>;
  return rows.map((r) => ({ ...r, amount: Number(r.amount) }));
}

/** Balances: the bank side and each bidder's sub-account (negative = owed to the bidder). */
export async function balancesOf(db: Knex, caseId: number): Promise<{ bank: number; bidders: Record<number, number> }> {
  const rows = (await db('deposit_entries').where('case_id', caseId).groupBy('account', 'enterprise_id').select('account', 'enterprise_id', db.raw('SUM(amount) AS balance'))) as Array<{
    account: string;
    enterprise_id: number;
    balance: string;
  }>;
  const bidders: Record<number, number> = {};
  let bank = 0;
  for (const r of rows) {
    if (r.account === 'bank') bank = money(bank + Number(r.balance));
    else bidders[r.enterprise_id] = Number(r.balance);
  }
  return { bank, bidders };
}

/** Refunds (退还保证金) every sub-account that still holds money; each refund once. */
export async function refundDeposits(db: Knex, caseId: number): Promise<Array<{ enterpriseId: number; amount: number }>> {
  return db.transaction(async (trx) => {
    const owed = (await trx('deposit_entries').where({ case_id: caseId, account: 'bidder' }).groupBy('enterprise_id').select('enterprise_id', trx.raw('SUM(amount) AS balance'))) as Array<{ enterprise_id: number; balance: string }>;
    const refunds: Array<{ enterpriseId: number; amount: number }> = [];
    for (const o of owed) {
      const amount = -Number(o.balance);
      if (amount <= 0) continue;
      await postTransaction(trx, caseId, `refund:${caseId}:${o.enterprise_id}`, 'refund', o.enterprise_id, amount);
      refunds.push({ enterpriseId: o.enterprise_id, amount });
    }
    return refunds;
  });
}

/** An expert's scores for the bids under evaluation (replaces their earlier ones). */
export async function recordScores(db: Knex, input: { caseId: number; expertId: number; scores: Array<{ bidId: number; score: number; comment?: string | null }> }): Promise<void> {
  await db.transaction(async (trx) => {
    const evaluated = new Set((await trx('tender_bids').where('case_id', input.caseId).whereIn('status', ['eligible', 'shortlisted']).pluck('id')) as number[]);
    for (const s of input.scores) if (!evaluated.has(s.bidId)) throw new TenderError('invalid', `Bid ${s.bidId} is not under evaluation in this tender`);
    for (const s of input.scores) {
      await trx('tender_scores')
        .insert({ case_id: input.caseId, bid_id: s.bidId, expert_id: input.expertId, score: s.score, comment: s.comment ?? null, scored_at: new Date() })
        .onConflict(['bid_id', 'expert_id'])
        .merge(['score', 'comment', 'scored_at']);
    }
  });
}

/**
 * 发布招标公告: the tender row, written once per case (a retry keeps the first announcement and
 * its closing time), answered as stored.
 */
export async function announceTender(
  db: Knex,
  t: { caseId: number; projectId: number; tenderer: TenderRow['tenderer']; tendererOrganisationId: number; title: string; requirements: TenderRequirements; depositAmount: number; opensAt: Date; closesAt: Date },
): Promise<TenderRow> {
  await db('tenders')
    .insert({
      case_id: t.caseId,
      project_id: t.projectId,
      tenderer: t.tenderer,
      tenderer_organisation_id: t.tendererOrganisationId,
      title: t.title.slice(0, 255),
      status: 'open',
      requirements: JSON.stringify(t.requirements),
      deposit_amount: t.depositAmount,
      opens_at: t.opensAt,
      closes_at: t.closesAt,
    })
    .onConflict('case_id')
    .ignore();
  return (await tenderOf(db, t.caseId))!;
}

/** Closes bid registration (open → closed, under the row lock registerBid takes too); answers the tender as it was. */
export async function closeBidding(db: Knex, caseId: number): Promise<TenderRow> {
  return db.transaction(async (trx) => {
    const t = (await tenderOf(trx, caseId, true))!;
    if (t.status === 'open') await trx('tenders').where('case_id', caseId).update({ status: 'closed', updated_at: new Date() });
    return t;
  });
}

/** The tender's end: awarded to the winner, or failed (流标). */
export async function closeTender(db: Knex, caseId: number, outcome: { status: 'awarded'; winnerEnterpriseId: number } | { status: 'failed' }): Promise<void> {
  await db('tenders')
    .where('case_id', caseId)
    .update({ status: outcome.status, ...(outcome.status === 'awarded' ? { winner_enterprise_id: outcome.winnerEnterpriseId } : {}), updated_at: new Date() });
}

export async function tendererOrganisationIdOf(db: Db, caseId: number): Promise<number | undefined> {
  const t = (await db('tenders').where('case_id', caseId).first('tenderer_organisation_id')) as { tenderer_organisation_id: number } | undefined;
  return t?.tenderer_organisation_id;
}

/** A bid with what screening and prequalification judge it by (the bidder's registry data). */
export interface ScreenedBid {
  id: number;
  enterprise_id: number;
  bid_no: string;
  status: string;
  name: string;
  qualification_level: string;
  qualification_valid_until: Date | string | null;
  registered_capital: string | null;
  district_code: string;
  employees: number | null;
}

/** The tender's bids in bid-number order, optionally only those in some statuses. */
export async function bidsOf(db: Db, caseId: number, statuses?: string[]): Promise<ScreenedBid[]> {
  const q = db('tender_bids as b')
    .join('enterprises as e', 'e.id', 'b.enterprise_id')
    .where('b.case_id', caseId)
    .orderBy('b.bid_no')
    .select('b.id', 'b.enterprise_id', 'b.bid_no', 'b.status', 'e.name', 'e.qualification_level', 'e.qualification_valid_until', 'e.registered_capital', 'e.district_code', 'e.employees');
  if (statuses) q.whereIn('b.status', statuses);
  return (await q) as ScreenedBid[];
}

export async function bidderEnterpriseIds(db: Db, caseId: number): Promise<number[]> {
  return (await db('tender_bids').where('case_id', caseId).pluck('enterprise_id')) as number[];
}

/** Screening's or prequalification's verdict on a bid; setting it again writes the same. */
export async function judgeBid(db: Db, bidId: number, status: 'eligible' | 'ineligible' | 'shortlisted' | 'not_shortlisted', screening: Record<string, unknown>): Promise<void> {
  await db('tender_bids')
    .where('id', bidId)
    .update({ status, screening: JSON.stringify(screening) });
}

/** Average score per bid, rounded to cents. */
export async function averageScores(db: Db, caseId: number): Promise<Map<number, number>> {
  const rows = (await db('tender_scores').where('case_id', caseId).groupBy('bid_id').select('bid_id', db.raw('AVG(score) AS average'))) as Array<{ bid_id: number; average: string }>;
  return new Map(rows.map((a) => [a.bid_id, Math.round(Number(a.average) * 100) / 100]));
}

export async function setAverageScore(db: Db, bidId: number, average: number | null): Promise<void> {
  await db('tender_bids').where('id', bidId).update({ average_score: average });
}

/** Refunds already posted to bidders' sub-accounts (one per bidder: refundDeposits keys them). */
export async function refundsOf(db: Db, caseId: number): Promise<Array<{ enterprise_id: number; amount: string }>> {
  return (await db('deposit_entries').where({ case_id: caseId, kind: 'refund', account: 'bidder' }).select('enterprise_id', 'amount')) as Array<{ enterprise_id: number; amount: string }>;
}

/** One tender with its case number and project, as the tender page shows it; undefined when none. */
export async function tenderDetail(db: Db, caseId: number): Promise<(Record<string, unknown> & { tenderer_organisation_id: number; requirements: unknown }) | undefined> {
  const row = (await db('tenders as t')
    .join('cases as c', 'c.id', 't.case_id')
    .join('property_projects as p', 'p.id', 't.project_id')
    .where('t.case_id', caseId)
    .first('t.*', 'c.number as case_number', 'p.name as project_name', 'p.code as project_code')) as (Record<string, unknown> & { tenderer_organisation_id: number; requirements: string }) | undefined;
  return row ? { ...row, requirements: JSON.parse(row.requirements) as unknown } : undefined;
}

/** The bids as the tender page lists them; `enterpriseId` confines them to one bidder's own. */
export async function bidList(db: Db, caseId: number, enterpriseId?: number) {
  const q = db('tender_bids as b')
    .join('enterprises as e', 'e.id', 'b.enterprise_id')
    .where('b.case_id', caseId)
    .orderBy('b.bid_no')
    .select('b.id', 'b.bid_no', 'b.enterprise_id', 'e.name as enterprise_name', 'b.status', 'b.screening', 'b.average_score', 'b.registered_at');
  if (enterpriseId !== undefined) q.where('b.enterprise_id', enterpriseId);
  return ((await q) as Array<{ screening: string | null }>).map((b) => ({ ...b, screening: b.screening ? (JSON.parse(b.screening) as unknown) : null }));
}

/** Every expert's score of every bid, with the expert's name. */
export async function scoresOf(db: Db, caseId: number) {
  return db('tender_scores as s').join('experts as x', 'x.id', 's.expert_id').where('s.case_id', caseId).orderBy('s.id').select('s.bid_id', 'x.name as expert_name', 's.score', 's.comment');
}

export interface TenderFilter {
  status?: TenderRow['status'];
}

/**
 * One page of announced tenders. Announcements are for every signed-in user (bidders find them
 * here), so the list has no scope. Each sort is served by an index in its order — (closes_at),
 * (opens_at), and with a status (status, closes_at) / (status, opens_at) (migrations 050, 085) —
 * so a page reads its rows in index order and stops; the bounded count reads tenders alone (the
 * left-joined rows are eliminated).
 */
export async function listTenders(db: Knex, params: PageParams & { filter: TenderFilter }): Promise<Page<Record<string, unknown> & { requirements: unknown }>> {
  // LEFT JOINs although both rows always exist (foreign keys): they keep tenders the driving table,
  // so the page is read in index order; with inner joins MariaDB may start from the projects and sort everything.
  const q = db('tenders as t')
    .leftJoin('cases as c', 'c.id', 't.case_id')
    .leftJoin('property_projects as p', 'p.id', 't.project_id')
    .select('t.case_id as id', 't.case_id', 'c.number as case_number', 't.title', 't.status', 't.deposit_amount', 't.opens_at', 't.closes_at', 't.requirements', 'p.name as project_name');
  if (params.filter.status) q.where('t.status', params.filter.status);
  const page = await pageOf<Record<string, unknown> & { requirements: string }>(q, params, { closes_at: 't.closes_at', opens_at: 't.opens_at' }, 't.case_id');
  return { ...page, rows: page.rows.map((r) => ({ ...r, requirements: JSON.parse(r.requirements) as unknown })) };
}
