import { addDays, beijingDate } from '../../activities/approvals/support';
import { balancesOf, ledgerOf } from '../../db/approvals/tenders';
import { isBlackListed } from '../../db/credit/lists';
import { refreshScores } from '../../db/credit/scores';
import { DEMO_EXPERTS } from '../../db/seeds/approvals-demo';
import { DEMO_PASSWORD } from '../../db/seeds/demo';
import { readFileBytes } from '../../db/files';
import { hashPassword } from '../../lib/passwords';
import { waitFor } from '../helpers/wait';
import { recordHistory, caseOf, decide, historyOf, openTaskAt, startCase, startPlatform, waitForEnd, waitForSms, type Platform } from './harness';
import { readPdf } from './pdf-text';

/**
 * Tender (招投标) through the API: filing and announcement, bids with deposits, the bid window
 * (a short timer here), screening, prequalification, the expert draw with a conflict excluded,
 * scoring by the drawn experts, award publicity and filing, refunds that bring the deposit
 * ledger back to zero; a failed tender, a negotiated selection, a return and a rejection.
 */
describe('tender approval', () => {
  let p: Platform;
  let project: { id: number; name: string };
  const ids: Record<string, number> = {};
  const phones: Record<string, string> = { dongwu: '13800000009', hengtai: '13800000010', alpha: '13900000101', beta: '13900000102' };

  beforeAll(async () => {
    p = await startPlatform('tender');
    project = await p.db('property_projects').where('district_code', '320508').orderBy('id').first('id', 'name');
    ids.dongwu = (await p.db('organisations').where('code', 'ENT-91320508MA1DONGWU').first('id')).id;
    ids.hengtai = (await p.db('organisations').where('code', 'ENT-91320576MA1HENGTAI').first('id')).id;
    const others = (await p.db('enterprises').where('kind', 'property_service').whereNotIn('id', [ids.dongwu, ids.hengtai]).orderBy('id').limit(2).pluck('id')) as number[];
    [ids.alpha, ids.beta] = others;
    // Two more bidders with accounts, and every bidder's registry data set for screening.
    const hash = await hashPassword(DEMO_PASSWORD);
    for (const [key, username] of [
      ['alpha', 'alpha.ent'],
      ['beta', 'beta.ent'],
    ] as const) {
      await p.db('users').insert({ username, display_name: `${key}物业`, phone: phones[key], role: 'enterprise', organisation_id: ids[key], password_hash: hash });
    }
    const valid = addDays(beijingDate(), 400);
    const set = (id: number, level: string, capital: number, employees: number) => p.db('enterprises').where('id', id).update({ qualification_level: level, qualification_valid_until: valid, registered_capital: capital, employees });
    await set(ids.dongwu, 'level_1', 10_000_000, 200);
    await set(ids.hengtai, 'level_2', 5_000_000, 120);
    await set(ids.alpha, 'level_2', 8_000_000, 150);
    await set(ids.beta, 'level_3', 3_000_000, 80);
    // The bidders' credit is this test's to set (the last test): the demo's random records put none on the black list.
    const bidders = [ids.dongwu, ids.hengtai, ids.alpha, ids.beta];
    await p.db('credit_events').whereIn('enterprise_id', bidders).update({ status: 'cancelled' });
    await refreshScores(p.db, { enterpriseIds: bidders, staffIds: [] });
  });
  afterAll(async () => {
    await p?.stop();
  });

  const tenderForm = (overrides: Record<string, unknown> = {}) => ({
    projectId: project.id,
    tenderer: 'developer',
    title: `${project.name}前期物业服务招标`,
    minLevel: 'level_2',
    minCapital: 2_000_000,
    minEmployees: 50,
    depositAmount: 50_000,
    bidWindow: 'PT15S',
    publicityPeriod: 'PT1S',
    minBidders: 2,
    shortlistSize: 2,
    expertCount: 3,
    termMonths: 36,
    feePerSqm: 2.8,
    ...overrides,
  });
  const openTender = async (caseId: number) => waitFor('the tender to open', async () => (await p.db('tenders').where({ case_id: caseId, status: 'open' }).first('case_id')) ?? null);
  const bid = async (username: string, caseId: number, depositPaid = 50_000) => (await p.as(username)).post(`/api/tenders/${caseId}/bids`).send({ depositPaid });

  it('runs a tender from filing to award: screening, prequalification, expert draw and scoring, publicity, filing, refunds', async () => {
    const started = await startCase(p, 'chengtou.dev', 'tender', tenderForm());
    expect(started.number).toMatch(/^ZB-\d{4}-\d{5}$/);
    await decide(p, started.id, 'cityFiling', 'city.staff', { outcome: 'approve', comment: '准予备案' });
    await openTender(started.id);

    // Bids with deposits; wrong deposits, second bids and non-enterprises are refused.
    expect((await bid('hengtai.ent', started.id, 100)).status).toBe(422);
    for (const u of ['dongwu.ent', 'hengtai.ent', 'alpha.ent', 'beta.ent']) expect((await bid(u, started.id)).status).toBe(201);
    expect((await bid('dongwu.ent', started.id)).status).toBe(409);
    expect((await bid('chengtou.dev', started.id)).status).toBe(403);
    const open = (await (await p.as('dongwu.ent')).get('/api/tenders').query({ filter: JSON.stringify({ status: 'open' }) })).body as Array<{ case_id: number }>;
    expect(open.map((t) => t.case_id)).toContain(started.id);

    // The window closes on its timer; screening and prequalification follow.
    await waitFor('screening', async () => (await caseOf(p.db, started.id)).variables.bidderBand, { timeoutMs: 90_000 });
    expect((await bid('dongwu.ent', started.id)).status).toBe(409);
    const v = (await caseOf(p.db, started.id)).variables;
    expect(v).toMatchObject({ bidCount: 4, eligibleCount: 3, bidderBand: 'many' });
    const scoringTasks = await openTaskAt(p.db, started.id, 'scoring', 3);
    const bids = (await p.db('tender_bids').where('case_id', started.id).orderBy('bid_no').select('id', 'enterprise_id', 'status')) as Array<{ id: number; enterprise_id: number; status: string }>;
    const statusOf = (key: string) => bids.find((b) => b.enterprise_id === ids[key])!.status;
    expect([statusOf('dongwu'), statusOf('alpha'), statusOf('hengtai'), statusOf('beta')]).toEqual(['shortlisted', 'shortlisted', 'not_shortlisted', 'ineligible']);

    // The draw: 徐静 works for 东吴 (shortlisted) and is excluded; three of the rest are drawn.
    const draw = (await p.db('tender_expert_draws as d').join('experts as x', 'x.id', 'd.expert_id').where('d.case_id', started.id).select('x.name', 'd.selected', 'd.excluded_reason')) as Array<{
      name: string;
      selected: number;
      excluded_reason: string | null;
    }>;
    expect(draw.filter((d) => d.selected)).toHaveLength(3);
    expect(draw.find((d) => d.name === '徐静')).toMatchObject({ selected: 0, excluded_reason: '回避：受聘于投标企业' });
    const experts = (await p
      .db('users')
      .whereIn(
        'id',
        scoringTasks.map((t) => t.assignee_id!),
      )
      .pluck('username')) as string[];
    expect(experts).not.toContain('expert.xu');

    // Each drawn expert scores the two shortlisted bids, then completes the scoring task.
    const shortlisted = bids.filter((b) => b.status === 'shortlisted');
    const alphaBid = shortlisted.find((b) => b.enterprise_id === ids.alpha)!;
    const dongwuBid = shortlisted.find((b) => b.enterprise_id === ids.dongwu)!;
    const outsider = await (await p.as('expert.xu')).post(`/api/tenders/${started.id}/scores`).send({ scores: [{ bidId: alphaBid.id, score: 99 }] });
    expect(outsider.status).toBe(403);
    for (const [i, username] of experts.entries()) {
      const agent = await p.as(username);
      const scored = await agent.post(`/api/tenders/${started.id}/scores`).send({
        scores: [
          { bidId: alphaBid.id, score: 90 - i },
          { bidId: dongwuBid.id, score: 80 + i },
        ],
      });
      expect(scored.status).toBe(200);
      const userId = (await p.db('users').where('username', username).first('id')).id as number;
      const task = scoringTasks.find((t) => t.assignee_id === userId)!;
      const res = await agent.post(`/api/tasks/${task.id}/decide`).send({ outcome: 'approve', comment: '已评分' });
      expect(res.status).toBe(200);
      await waitForSms(p.db, started.workflowId, `1380000002${DEMO_EXPERTS.findIndex((e) => e.username === username)}`, '评标专家');
    }

    await decide(p, started.id, 'awardFiling', 'city.staff', { outcome: 'approve', comment: '中标备案' });
    const done = await waitForEnd(p.db, started.id);
    expect(done.result).toBe('awarded');
    expect(done.variables.winnerEnterpriseId).toBe(ids.alpha);

    // The award in the registry, the tender closed, the announcement published.
    expect(await p.db('tender_awards').where('case_ref', started.number).first('project_id', 'enterprise_id', 'tenderer', 'term_months')).toEqual({ project_id: project.id, enterprise_id: ids.alpha, tenderer: 'developer', term_months: 36 });
    expect(await p.db('tenders').where('case_id', started.id).first('status', 'winner_enterprise_id')).toEqual({ status: 'awarded', winner_enterprise_id: ids.alpha });
    expect(await p.db('approval_publicity').where('case_id', started.id).orderBy('id').pluck('kind')).toEqual(['tender_announcement', 'tender_award']);

    // The deposit ledger: every transaction balances, and after the refunds so does every sub-account.
    const ledger = await ledgerOf(p.db, started.id);
    expect(ledger.filter((l) => l.kind === 'payment')).toHaveLength(8);
    expect(ledger.filter((l) => l.kind === 'refund')).toHaveLength(8);
    const byTxn = new Map<string, number>();
    for (const l of ledger) byTxn.set(l.txn_key, (byTxn.get(l.txn_key) ?? 0) + l.amount);
    expect([...byTxn.values()].every((sum) => Math.abs(sum) < 0.005)).toBe(true);
    const balances = await balancesOf(p.db, started.id);
    expect(balances.bank).toBe(0);
    expect(Object.values(balances.bidders)).toEqual([0, 0, 0, 0]);
    const view = (await (await p.as('chengtou.dev')).get(`/api/tenders/${started.id}`)).body as { bids: unknown[]; scores: unknown[]; balances: { bank: number } };
    expect(view.bids).toHaveLength(4);
    expect(view.scores).toHaveLength(6);
    const ownView = (await (await p.as('beta.ent')).get(`/api/tenders/${started.id}`)).body as { bids: Array<{ enterprise_id: number }>; scores?: unknown };
    expect(ownView.bids.map((b) => b.enterprise_id)).toEqual([ids.beta]);
    expect(ownView.scores).toBeUndefined();

    // Texts: the award to every bidder and the tenderer, the refunds to every bidder.
    for (const key of ['dongwu', 'hengtai', 'alpha', 'beta']) {
      await waitForSms(p.db, started.workflowId, phones[key], '中标候选人');
      await waitForSms(p.db, started.workflowId, phones[key], '保证金50000.00元已退还');
    }
    await waitForSms(p.db, started.workflowId, '13800000012', '中标候选人');

    // The tender filing form: numbered by its rule, Chinese text in an embedded font.
    const doc = await p.db('approval_documents').where({ case_id: started.id, kind: 'tender_filing' }).first('number', 'file_id');
    expect(doc.number).toMatch(/^ZBBA-\d{4}-\d{4}$/);
    // Stored encrypted: read through the one reader, which decrypts and checks it.
    const pdf = readPdf((await readFileBytes(p.db, p.filesDir, doc.file_id))!);
    expect(pdf.unmappedCodes).toBe(0);
    expect(pdf.text).toContain('物业管理招标备案表');
    expect(pdf.text).toContain(doc.number);

    const kinds = (await historyOf(p.db, started.id)).filter((h) => h.kind === 'service_completed').map((h) => h.node_id);
    expect(kinds).toEqual(['filingForm', 'announce', 'screen', 'shortlist', 'drawExperts', 'tally', 'awardPublicity', 'recordAward', 'refund']);
    await recordHistory(p, 'tender', started.workflowId, 'award');
  });

  it('fails when no bidder registers, refunds nothing and tells the tenderer', async () => {
    const started = await startCase(p, 'chengtou.dev', 'tender', tenderForm({ bidWindow: 'PT2S' }));
    await decide(p, started.id, 'cityFiling', 'city.staff', { outcome: 'approve' });
    const done = await waitForEnd(p.db, started.id);
    expect(done.result).toBe('failed');
    expect((await p.db('tenders').where('case_id', started.id).first('status')).status).toBe('failed');
    expect(await ledgerOf(p.db, started.id)).toEqual([]);
    await waitForSms(p.db, started.workflowId, '13800000012', '已流标');
  });

  it('goes to negotiated selection when too few bidders qualify', async () => {
    const started = await startCase(p, 'chengtou.dev', 'tender', tenderForm({ bidWindow: 'PT8S', minBidders: 3 }));
    await decide(p, started.id, 'cityFiling', 'city.staff', { outcome: 'approve' });
    await openTender(started.id);
    expect((await bid('hengtai.ent', started.id)).status).toBe(201);
    expect((await bid('beta.ent', started.id)).status).toBe(201);
    await decide(p, started.id, 'negotiation', 'city.staff', { outcome: 'approve', comment: '协议选聘', formData: { selectedBidNo: 'B001' } });
    await decide(p, started.id, 'awardFiling', 'city.staff', { outcome: 'approve' });
    const done = await waitForEnd(p.db, started.id);
    expect(done.result).toBe('awarded');
    expect(done.variables).toMatchObject({ bidderBand: 'few', eligibleCount: 1, winnerEnterpriseId: ids.hengtai });
    expect(await p.db('tender_expert_draws').where('case_id', started.id)).toEqual([]);
    expect((await balancesOf(p.db, started.id)).bank).toBe(0);
    await recordHistory(p, 'tender', started.workflowId, 'negotiated');
  });

  it('goes back to the tenderer for supplement, then is rejected at filing: no tender opens', async () => {
    const started = await startCase(p, 'chengtou.dev', 'tender', tenderForm());
    await decide(p, started.id, 'cityFiling', 'city.staff', { outcome: 'return', returnTo: 'applicant', comment: '请补充招标文件' });
    await waitFor('the supplement step', async () => (await caseOf(p.db, started.id)).status === 'supplement');
    expect((await (await p.as('chengtou.dev')).post(`/api/cases/${started.id}/supply`).send({ comment: '已补充', formData: { depositAmount: 60_000 } })).status).toBe(200);
    await decide(p, started.id, 'cityFiling', 'city.staff', { outcome: 'reject', comment: '不符合招标条件' });
    expect((await waitForEnd(p.db, started.id)).result).toBe('rejected');
    expect(await p.db('tenders').where('case_id', started.id)).toEqual([]);
  });

  it('refuses a bid from an enterprise on the credit black list, and screens out one listed after it registered', async () => {
    // Final deductions that take a score below 60 (grade C, the black list): 80 − 25 = 55.
    const deduct = async (enterpriseId: number, tag: string) => {
      await p.db('credit_events').insert({
        enterprise_id: enterpriseId,
        district_code: '320508',
        category: 'penalty',
        points: -25,
        source: 'manual',
        source_ref: `blacklist-${tag}-${process.pid}`,
        occurred_on: beijingDate(),
        valid_until: addDays(beijingDate(), 300),
        description: '违规被行政处罚（测试）',
        status: 'final',
      });
      await refreshScores(p.db, { enterpriseIds: [enterpriseId], staffIds: [] });
    };
    const clear = async (enterpriseId: number) => {
      await p.db('credit_events').where('source_ref', 'like', `blacklist-%-${process.pid}`).where('enterprise_id', enterpriseId).update({ status: 'cancelled' });
      await refreshScores(p.db, { enterpriseIds: [enterpriseId], staffIds: [] });
    };
    const started = await startCase(p, 'chengtou.dev', 'tender', tenderForm({ bidWindow: 'PT10S', minBidders: 1 }));
    await decide(p, started.id, 'cityFiling', 'city.staff', { outcome: 'approve' });
    await openTender(started.id);
    try {
      await deduct(ids.alpha, 'alpha');
      expect(await isBlackListed(p.db, ids.alpha)).toBe(true);
      const refused = await bid('alpha.ent', started.id);
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toContain('black list');
      expect((await bid('hengtai.ent', started.id)).status).toBe(201);
      await deduct(ids.hengtai, 'hengtai');
      const done = await waitForEnd(p.db, started.id);
      expect(done.variables).toMatchObject({ bidCount: 1, eligibleCount: 0, bidderBand: 'none' });
      const screened = (await p.db('tender_bids').where({ case_id: started.id, enterprise_id: ids.hengtai }).first('status', 'screening')) as { status: string; screening: string };
      expect(screened.status).toBe('ineligible');
      expect(JSON.parse(screened.screening).reasons).toContain('列入信用黑名单');
      expect((done.variables.screening as Array<{ credit: string }>)[0].credit).toMatch(/^信用等级 C（55 分），在效不良记录 \d+ 条.*，列入信用黑名单$/);
    } finally {
      await clear(ids.alpha);
      await clear(ids.hengtai);
    }
    // Its grade restored, the enterprise leaves the list the same day (the standard keeps no one longer).
    expect(await isBlackListed(p.db, ids.alpha)).toBe(false);
    const stay = await p.db('credit_list_entries').where({ subject_type: 'enterprise', subject_id: ids.alpha, list: 'black' }).orderBy('id', 'desc').first('entered_on', 'left_on');
    expect(stay.left_on).not.toBeNull();
  });
});
