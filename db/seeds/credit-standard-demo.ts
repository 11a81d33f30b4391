import type { Knex } from 'knex';
import { DEFAULT_MODEL, type StandardContent, type StandardItem } from '../../lib/credit/standard';
import { createDraft, publishDraft } from '../credit/standards';

/**
 * The demo's credit standard (version 1): items in the four areas Suzhou's 2025 standard scores,
 * with the default model (docs/credit.md). In force from 1 January three years back, so the
 * demo's records of every year are scored under it. Written directly: publishing by the API
 * applies from today on.
 */
const bad = (code: string, name: string, dataClass: StandardItem['dataClass'], area: StandardItem['area'], pointsMin: number, pointsMax: number, extra: Partial<StandardItem> = {}): StandardItem => ({
  code,
  name,
  dataClass,
  area,
  kind: 'bad',
  pointsMin,
  pointsMax,
  validityMonths: 12,
  veto: false,
  subjects: ['enterprise', 'project'],
  evidenceRequired: true,
  managerShare: 0,
  ...extra,
});
const good = (code: string, name: string, pointsMin: number, pointsMax: number): StandardItem => ({ ...bad(code, name, 'business_info', 'performance', pointsMin, pointsMax), kind: 'good' });

export const DEMO_STANDARD: StandardContent = {
  name: '苏州市物业服务企业信用评价标准（示例）',
  model: DEFAULT_MODEL,
  items: [
    bad('B-BI-01', '基础信息未按期更新', 'business_info', 'basic_info', 1, 2),
    bad('B-BI-02', '项目经理未持证上岗', 'business_info', 'basic_info', 2, 2, { subjects: ['manager'] }),
    bad('B-PF-01', '业主投诉经查实', 'daily_service', 'performance', 1, 3, { managerShare: 0.5 }),
    bad('B-PF-02', '日常检查不合格', 'daily_service', 'performance', 2, 2),
    bad('B-PF-03', '未按期完成自查', 'self_check', 'performance', 1, 1),
    bad('B-SF-01', '整改逾期未完成', 'daily_service', 'safety', 3, 5, { managerShare: 0.5 }),
    bad('B-SF-02', '发生安全责任事故', 'daily_service', 'safety', 10, 20, { validityMonths: null }),
    bad('B-SF-03', '发生重大安全责任事故（一票否决）', 'daily_service', 'safety', 30, 30, { validityMonths: 24, veto: true }),
    bad('B-DS-01', '引发集体信访', 'daily_service', 'disputes', 5, 5, { managerShare: 0.5 }),
    bad('B-DS-02', '违规使用专项维修资金', 'business_info', 'disputes', 5, 10),
    good('G-HN-01', '获评市级优秀物业管理项目', 5, 5),
    good('G-HN-02', '获评区级表彰', 3, 3),
    good('G-PR-01', '住建部门书面表扬', 2, 2),
    good('G-PR-02', '防汛抢险等突发事件处置表现突出', 1, 3),
  ],
};

/** Publishes the demo standard once (nothing when a standard exists). */
export async function seedCreditStandard(db: Knex, year: number): Promise<void> {
  if (await db('credit_standards').first('id')) return;
  await db.transaction(async (trx) => {
    const id = await createDraft(trx, DEMO_STANDARD, null);
    await publishDraft(trx, id, `${year - 3}-01-01`, null);
  });
}
