/**
 * The credit screens (issue 15, part 8): 信用记分, 信用排名, 红黑榜, 企业信用 / 我的信用 and 信用标准.
 * They load on first use (App.tsx); their charts load ECharts only when drawn (Chart.tsx).
 */
export { CreditRecordEntry } from './RecordEntry';
export { CreditRankings } from './Rankings';
export { CreditLists } from './Lists';
export { EnterpriseCreditPage, MyCredit } from './EnterpriseCredit';
export { CreditStandardList, CreditStandardShow } from './Standards';
export { CreditStandardEdit } from './StandardEditor';
