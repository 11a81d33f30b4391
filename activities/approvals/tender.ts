import crypto from 'node:crypto';
import { organisationUserIds } from '../../db/accounts';
import { caseInfo } from '../../db/cases/cases';
import { organisationName } from '../../db/organisations';
import { publish } from '../../db/approvals/publicity';
import { managesProjectIn, projectOf } from '../../db/registries/lookups';
import { conflictsWith, drawnExperts, expertPool, recordDrawOnce, type DrawRow } from '../../db/approvals/tender-experts';
import { blackListedAmong } from '../../db/credit/lists';
import { creditStanding, standingInWords } from '../../db/credit/scores';
import { announceTender, averageScores, bidsOf, closeBidding, closeTender, judgeBid, LEVEL_RANK, refundDeposits, refundsOf, setAverageScore, type ScreenedBid, type TenderRequirements } from '../../db/approvals/tenders';
import { recordTenderAward } from '../../db/registries/approvals';
import { QUALIFICATION_LEVELS } from '../../db/registries/enterprises';
import { durationMs } from '../../lib/bpmn/iso8601';
import type { ServiceTaskInput, ServiceTaskResult } from '../../lib/cases/changes';
import { beijingDate, BUREAU, header, issueDocument, numberVariable, variable, type ApprovalDeps } from './support';

/**
 * Tender (招投标, 000 主要功能 7, 002 §3.3.1): filing and announcement, bid registration with
 * deposits, automatic screening, prequalification, the random expert draw, scoring, award,
 * filing and deposit refunds. The bids, ledger and scores live in db/approvals/tenders.ts, the
 * expert pool and draw in db/approvals/tender-experts.ts; these activities move them along as
 * the case advances.
 */
const LEVEL_NAMES = QUALIFICATION_LEVELS as Record<string, string>;

const dateText = (d: Date | string | null) => (d === null ? null : d instanceof Date ? beijingDate(d) : String(d).slice(0, 10));

function requirementsOf(input: ServiceTaskInput): TenderRequirements {
  const n = (name: string) => numberVariable(input, name) ?? null;
  const s = (name: string) => {
    const v = variable<string>(input, name);
    return typeof v === 'string' && v.trim() ? v.trim() : null;
  };
  return { minLevel: s('minLevel'), minCapital: n('minCapital'), districtCode: s('requiredDistrict'), minEmployees: n('minEmployees') };
}

function describe(r: TenderRequirements): string {
  const parts = [
    r.minLevel ? `资质${LEVEL_NAMES[r.minLevel] ?? r.minLevel}及以上` : null,
    r.minCapital ? `注册资本不低于${r.minCapital}元` : null,
    r.districtCode ? `在${r.districtCode}区域注册或有在管项目` : null,
    r.minEmployees ? `员工不少于${r.minEmployees}人` : null,
  ].filter(Boolean);
  return parts.join('；') || '无特别条件';
}

export function createTenderActivities(deps: ApprovalDeps) {
  const { db } = deps;
  const bids = (caseId: number, statuses?: string[]): Promise<ScreenedBid[]> => bidsOf(db, caseId, statuses);
  const winnerVariables = (b: ScreenedBid) => ({ winnerBidId: b.id, winnerBidNo: b.bid_no, winnerEnterpriseId: b.enterprise_id, winnerName: b.name });

  return {
    /** 打印招标备案表: the filing form with its number, once the city bureau has filed the tender. */
    async approvalTenderFilingForm(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const c = await caseInfo(db, input.caseId);
      const projectId = numberVariable(input, 'projectId');
      const project = (await projectOf(db, projectId ?? 0)) as { name: string; address: string; code: string } | undefined;
      if (!project) throw new Error(`project ${projectId} not found`);
      const tendererName = await organisationName(db, c.applicantOrganisationId);
      if (tendererName === undefined) throw new Error(`organisation ${c.applicantOrganisationId} not found`);
      const title = '物业管理招标备案表';
      const r = requirementsOf(input);
      const doc = await issueDocument(deps, {
        caseInfo: c,
        kind: 'tender_filing',
        numberRule: header(input, 'numberRule', 'ZBBA-{yyyy}-{seq:4}'),
        title,
        data: { projectId, requirements: r },
        build: (number, issuedOn) => ({
          title,
          number,
          subtitle: `（案件编号 ${c.number}）`,
          rows: [
            ['招标项目', `${project.name}（${project.code}）`],
            ['项目地址', project.address],
            ['招标人', tendererName],
            ['招标人类别', variable(input, 'tenderer') === 'owners_assembly' ? '业主大会' : '建设单位'],
            ['投标人条件', describe(r)],
            ['投标保证金', `${Number(variable(input, 'depositAmount') ?? 0).toFixed(2)} 元`],
            ['评标专家人数', String(variable(input, 'expertCount') ?? '')],
          ],
          paragraphs: ['该招标已在本局备案，招标人应按备案内容发布招标公告并组织招标。'],
          issuer: BUREAU,
          issuedOn,
        }),
      });
      return { variables: { tenderFilingNo: doc.number, tenderFilingFileId: doc.fileId }, note: `${title} ${doc.number}` };
    },

    /** 发布招标公告: opens bid registration until now + bidWindow and publishes the announcement. */
    async approvalTenderOpen(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const c = await caseInfo(db, input.caseId);
      const windowMs = durationMs(String(variable(input, 'bidWindow') ?? 'P20D'));
      if (!windowMs) throw new Error('bidWindow is not an ISO duration');
      const project = (await projectOf(db, numberVariable(input, 'projectId') ?? 0)) as { id: number; name: string };
      const r = requirementsOf(input);
      const title = String(variable(input, 'title') ?? `${project.name}物业服务招标`);
      const now = new Date();
      const tender = await announceTender(db, {
        caseId: c.id,
        projectId: project.id,
        tenderer: variable(input, 'tenderer') === 'owners_assembly' ? 'owners_assembly' : 'developer',
        tendererOrganisationId: c.applicantOrganisationId,
        title,
        requirements: r,
        depositAmount: Number(variable(input, 'depositAmount') ?? 0),
        opensAt: now,
        closesAt: new Date(now.getTime() + windowMs),
      });
      await publish(db, {
        caseId: c.id,
        kind: 'tender_announcement',
        title: `招标公告：${title}`,
        body: `招标项目：${project.name}。投标人条件：${describe(r)}。投标保证金${Number(tender.deposit_amount).toFixed(2)}元。报名截止：${tender.closes_at.toISOString()}。备案编号：${String(variable(input, 'tenderFilingNo') ?? '')}。`,
        data: { caseNumber: c.number, projectId: project.id, closesAt: tender.closes_at.toISOString() },
      });
      return { variables: { tenderTitle: title, bidsCloseAt: tender.closes_at.toISOString() }, note: `招标公告已发布，报名截止 ${tender.closes_at.toISOString()}` };
    },

    /** 资格审查: closes registration and screens every bid against the tender's conditions. */
    async approvalTenderScreen(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const c = await caseInfo(db, input.caseId);
      const tender = await closeBidding(db, c.id);
      const r = JSON.parse(tender.requirements) as TenderRequirements;
      const closing = beijingDate(tender.closes_at);
      let eligible = 0;
      const registered = await bids(c.id);
      // Listed after registering (its grade fell since): still barred at screening.
      const blackListed = await blackListedAmong(
        db,
        registered.map((b) => b.enterprise_id),
      );
      for (const b of registered) {
        if (b.status !== 'registered') {
          if (b.status !== 'ineligible') eligible++;
          continue;
        }
        const reasons: string[] = [];
        const validUntil = dateText(b.qualification_valid_until);
        if (r.minLevel && ((LEVEL_RANK[b.qualification_level] ?? 0) < (LEVEL_RANK[r.minLevel] ?? 0) || !validUntil || validUntil < closing)) {
          reasons.push(`资质${LEVEL_NAMES[b.qualification_level] ?? b.qualification_level}${validUntil && validUntil < closing ? '（已过期）' : ''}，低于${LEVEL_NAMES[r.minLevel]}`);
        }
        if (r.minCapital && Number(b.registered_capital ?? 0) < r.minCapital) reasons.push(`注册资本${Number(b.registered_capital ?? 0)}元，低于${r.minCapital}元`);
        if (r.districtCode && b.district_code !== r.districtCode && !(await managesProjectIn(db, b.enterprise_id, r.districtCode))) {
          reasons.push(`不在${r.districtCode}区域注册且无在管项目`);
        }
        if (r.minEmployees && Number(b.employees ?? 0) < r.minEmployees) reasons.push(`员工${Number(b.employees ?? 0)}人，少于${r.minEmployees}人`);
        if (blackListed.has(b.enterprise_id)) reasons.push('列入信用黑名单');
        await judgeBid(db, b.id, reasons.length ? 'ineligible' : 'eligible', { reasons });
        if (!reasons.length) eligible++;
      }
      const all = await bids(c.id);
      // Which way the tender goes (000 主要功能 7.3): none → failed, too few → negotiated selection,
      // too many → prequalification down to shortlistSize, else straight to evaluation.
      const minBidders = numberVariable(input, 'minBidders') ?? 3;
      const shortlistSize = numberVariable(input, 'shortlistSize') ?? 5;
      const bidderBand = eligible === 0 ? 'none' : eligible < minBidders ? 'few' : eligible > shortlistSize ? 'many' : 'normal';
      return {
        variables: {
          bidderBand,
          bidCount: all.length,
          eligibleCount: eligible,
          screening: await Promise.all(all.map(async (b) => ({ bidNo: b.bid_no, enterprise: b.name, status: b.status, credit: standingInWords(await creditStanding(db, b.enterprise_id)) }))),
        },
        note: `报名截止：${all.length}家报名，${eligible}家通过资格审查`,
      };
    },

    /** 资格预审: more eligible bidders than shortlistSize — keep the strongest (level, capital, registration order). */
    async approvalTenderShortlist(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const c = await caseInfo(db, input.caseId);
      const size = numberVariable(input, 'shortlistSize') ?? 5;
      const ranked = (await bids(c.id, ['eligible', 'shortlisted', 'not_shortlisted'])).sort(
        (a, b) => (LEVEL_RANK[b.qualification_level] ?? 0) - (LEVEL_RANK[a.qualification_level] ?? 0) || Number(b.registered_capital ?? 0) - Number(a.registered_capital ?? 0) || a.bid_no.localeCompare(b.bid_no),
      );
      for (const [i, b] of ranked.entries()) {
        await judgeBid(db, b.id, i < size ? 'shortlisted' : 'not_shortlisted', { reasons: [], prequalificationRank: i + 1 });
      }
      return { variables: { shortlisted: ranked.slice(0, size).map((b) => b.bid_no) }, note: `资格预审：${ranked.length}家中选定${Math.min(size, ranked.length)}家` };
    },

    /**
     * 随机抽取评标专家: draws expertCount experts from the pool with a cryptographic random order,
     * excluding anyone employed by or related to a bidder under evaluation. The draw is recorded
     * (selected and excluded, with reasons); a retry answers the recorded draw.
     */
    async approvalTenderDrawExperts(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const c = await caseInfo(db, input.caseId);
      const drawn = () => drawnExperts(db, c.id);
      let selected = await drawn();
      if (!selected.length) {
        const count = numberVariable(input, 'expertCount') ?? 5;
        const evaluated = (await bids(c.id, ['eligible', 'shortlisted'])).map((b) => b.enterprise_id);
        const pool = await expertPool(db);
        const conflicts = await conflictsWith(db, evaluated);
        const rows: DrawRow[] = [];
        const candidates: typeof pool = [];
        for (const e of pool) {
          const reason = e.employer_enterprise_id && evaluated.includes(e.employer_enterprise_id) ? '受聘于投标企业' : conflicts.find((k) => k.expert_id === e.id)?.relation;
          if (reason) rows.push({ expert_id: e.id, draw_order: null, selected: false, excluded_reason: `回避：${reason}` });
          else candidates.push(e);
        }
        if (candidates.length < count) throw new Error(`only ${candidates.length} experts without conflicts, ${count} needed`);
        for (let i = candidates.length - 1; i > 0; i--) {
          const j = crypto.randomInt(i + 1);
          [candidates[i], candidates[j]] = [candidates[j], candidates[i]];
        }
        candidates.slice(0, count).forEach((e, i) => rows.push({ expert_id: e.id, draw_order: i + 1, selected: true, excluded_reason: null }));
        // One insert: a concurrent retry's rows collide on (case, expert) and are ignored whole.
        await recordDrawOnce(db, c.id, rows);
        selected = await drawn();
      }
      return { variables: { drawnExperts: selected.map((s) => s.username), drawnExpertNames: selected.map((s) => s.name) }, note: `抽取评标专家：${selected.map((s) => s.name).join('、')}` };
    },

    /** 汇总评分: average of the experts' scores per bid; the highest wins (earlier bid number on a tie). */
    async approvalTenderTally(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const c = await caseInfo(db, input.caseId);
      const evaluated = await bids(c.id, ['eligible', 'shortlisted']);
      const avg = await averageScores(db, c.id);
      for (const b of evaluated) await setAverageScore(db, b.id, avg.get(b.id) ?? null);
      const ranking = evaluated.map((b) => ({ bid: b, score: avg.get(b.id) ?? null })).sort((a, b) => (b.score ?? -1) - (a.score ?? -1) || a.bid.bid_no.localeCompare(b.bid.bid_no));
      if (!ranking.length || ranking[0].score === null) throw new Error('no bid under evaluation has a score');
      return {
        variables: { ...winnerVariables(ranking[0].bid), ranking: ranking.map((r) => ({ bidNo: r.bid.bid_no, enterprise: r.bid.name, score: r.score })) },
        note: `评标结果：${ranking.map((r) => `${r.bid.bid_no} ${r.bid.name} ${r.score ?? '-'}`).join('；')}`,
      };
    },

    /** 协议选聘结果: the bid the city bureau chose (selectedBidNo), or the only eligible one. */
    async approvalTenderNegotiated(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const c = await caseInfo(db, input.caseId);
      const eligible = await bids(c.id, ['eligible']);
      const chosen = String(variable(input, 'selectedBidNo') ?? '');
      const winner = eligible.find((b) => b.bid_no === chosen) ?? (chosen ? undefined : eligible[0]);
      if (!winner) throw new Error(`selected bid "${chosen}" is not an eligible bid of this tender`);
      return { variables: winnerVariables(winner), note: `协议选聘：${winner.bid_no} ${winner.name}` };
    },

    /** 中标备案登记: the award in the project registry (model layer) and the tender closed as awarded. */
    async approvalTenderAward(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const c = await caseInfo(db, input.caseId);
      const enterpriseId = numberVariable(input, 'winnerEnterpriseId')!;
      const written = await recordTenderAward(db, {
        caseRef: c.number,
        projectId: numberVariable(input, 'projectId')!,
        enterpriseId,
        tenderer: variable(input, 'tenderer') === 'owners_assembly' ? 'owners_assembly' : 'developer',
        awardedOn: beijingDate(),
        termMonths: numberVariable(input, 'termMonths') ?? null,
        feePerSqm: numberVariable(input, 'feePerSqm') ?? null,
        announcementNo: String(variable(input, 'tenderFilingNo') ?? '') || null,
      });
      await closeTender(db, c.id, { status: 'awarded', winnerEnterpriseId: enterpriseId });
      return { variables: { awardRecorded: true }, note: `${written.applied ? '已登记' : '此前已登记'}中标结果` };
    },

    /** 流标: no eligible bidder; the tender closes as failed. */
    async approvalTenderFail(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      await closeTender(db, input.caseId, { status: 'failed' });
      return { variables: { tenderFailed: true }, note: '无合格投标人，流标' };
    },

    /** 退还保证金: every sub-account still holding a deposit is refunded; bidders are texted. */
    async approvalTenderRefund(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const c = await caseInfo(db, input.caseId);
      await refundDeposits(db, c.id);
      const refunded = await refundsOf(db, c.id);
      const sms = [];
      for (const r of refunded) {
        const userIds = await organisationUserIds(db, r.enterprise_id, ['enterprise']);
        if (userIds.length) sms.push({ userIds, text: `【苏州物业监管平台】招标项目（案件${c.number}）的投标保证金${Number(r.amount).toFixed(2)}元已退还，请注意查收。` });
      }
      return { variables: { depositsRefunded: refunded.length }, sms, note: `退还保证金${refunded.length}笔` };
    },
  };
}
