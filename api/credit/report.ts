import type { Knex } from 'knex';
import { listStaysOf } from '../../db/credit/lists';
import { ratingsOf } from '../../db/credit/ratings';
import { validRecordsOf } from '../../db/credit/records';
import { scoresAt } from '../../db/credit/scores';
import { enterpriseOf } from '../../db/registries/lookups';
import { BUREAU } from '../../activities/approvals/support';
import { chineseDate, renderDocumentPdf } from '../../lib/approvals/pdf';
import { BREAKDOWN_AREA_WORDS } from '../../lib/credit/words';

/**
 * 信用报告: one enterprise's credit on a day as a printable PDF — score and grade with the breakdown
 * by area, the lists it is on, the records counting that day, and its annual ratings and list
 * stays. Made on request from what the database holds; nothing is stored.
 */
/** An ideographic space between a record's parts, as a printed Chinese list sets them. */
const GAP = '\u3000';

export async function creditReportPdf(db: Knex, enterpriseId: number, day: string): Promise<{ bytes: Buffer; name: string }> {
  const enterprise = (await enterpriseOf(db, enterpriseId))!;
  const score = (await scoresAt(db, 'enterprise', [enterpriseId], day)).get(enterpriseId)!;
  const [records, ratings, stays] = await Promise.all([validRecordsOf(db, enterpriseId, day, 60), ratingsOf(db, 'enterprise', enterpriseId), listStaysOf(db, 'enterprise', enterpriseId)]);
  const lists = [score.redList ? '红榜' : null, score.blackList ? '黑榜' : null].filter(Boolean).join('、') || '未列入';
  const areas = Object.entries(score.areas)
    .map(([area, a]) => `${BREAKDOWN_AREA_WORDS[area as keyof typeof BREAKDOWN_AREA_WORDS]?.['zh-CN'] ?? area} +${a.good} / −${a.bad}`)
    .join('；');
  const number = `XYBG-${enterpriseId}-${day.replace(/-/g, '')}`;
  const bytes = await renderDocumentPdf({
    title: '物业服务企业信用报告',
    number,
    subtitle: `（截至 ${chineseDate(day)}）`,
    rows: [
      ['企业名称', enterprise.name],
      ['统一社会信用代码', enterprise.credit_code],
      ['信用得分', `${score.score} 分（基础分 ${score.base}，加分 ${score.good}，扣分 ${score.bad}）`],
      ['信用等级', `${score.grade}${score.veto ? '（一票否决）' : ''}`],
      ['红黑榜', lists],
      ['分项', areas || '—'],
      ['年度评定', ratings.map((r) => `${r.year} 年 ${r.grade}（${r.score} 分）`).join('；') || '—'],
      ['榜单记录', stays.map((s) => `${s.list === 'red' ? '红榜' : '黑榜'} ${s.enteredOn} 至 ${s.leftOn ?? '今'}`).join('；') || '—'],
    ],
    paragraphs: [
      `在效信用记录 ${records.length} 条${records.length === 60 ? '（仅列最近 60 条）' : ''}：`,
      ...records.map(
        (r) => `${r.occurredOn}${GAP}${r.points > 0 ? '+' : ''}${r.points} 分${GAP}${r.itemCode ? `${r.itemCode} ${r.itemName ?? ''}` : ''}${GAP}${r.description}${r.validUntil ? `（有效至 ${r.validUntil}）` : '（整改前有效）'}`,
      ),
    ],
    issuer: BUREAU,
    issuedOn: day,
  });
  return { bytes, name: `信用报告-${enterprise.name}-${day}.pdf` };
}
