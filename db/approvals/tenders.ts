import type { Knex } from 'knex';

/**
 * The tender's records (000 主要功能 7): bids, the deposit ledger, experts' scores. Used by the
 * tender API (bidders register, experts score) and by the tender process's activities.
 */
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

export async function tenderOf(db: Knex | Knex.Transaction, caseId: number, forUpdate = false): Promise<TenderRow | null> {
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
    const enterprise = (await trx('enterprises').where('id', input.enterpriseId).first('kind')) as { kind: string } | undefined;
    if (enterprise?.kind !== 'property_service') throw new TenderError('forbidden', 'Only property-service enterprises in the registry may bid');
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
  const rows = (await db('deposit_entries').where('case_id', caseId).groupBy('account', 'enterprise_id').select('account', 'enterprise_id', db.raw('SUM(amount) AS balance'))) as Array<{ account: string; enterprise_id: number; balance: string }>;
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
