import type { Words } from '../words';
import type { CASE_RESULTS, CaseStatus } from './statuses';

/**
 * What a case's and a task's states and decisions are called (lib/words.ts says why the words
 * live here, not in the UI).
 */
export const CASE_STATUS_WORDS = {
  running: { 'zh-CN': '办理中', en: 'In progress' },
  supplement: { 'zh-CN': '待补正', en: 'Awaiting supplement' },
  completed: { 'zh-CN': '已办结', en: 'Completed' },
  withdrawn: { 'zh-CN': '已撤回', en: 'Withdrawn' },
  terminated: { 'zh-CN': '已终止', en: 'Terminated' },
  incident: { 'zh-CN': '异常', en: 'Incident' },
} satisfies Record<CaseStatus, { 'zh-CN': string; en: string }>;

const ENGINE_RESULT_WORDS = {
  approved: { 'zh-CN': '准予', en: 'Approved' },
  rejected: { 'zh-CN': '不予', en: 'Rejected' },
  withdrawn: { 'zh-CN': '撤回', en: 'Withdrawn' },
  terminated: { 'zh-CN': '终止', en: 'Terminated' },
} satisfies Record<(typeof CASE_RESULTS)[number], { 'zh-CN': string; en: string }>;

/**
 * The results the shipped processes' end events give (zeebe:property result) beyond the
 * engine's own: a case page or a list never shows the code.
 */
const PROCESS_RESULT_WORDS = {
  upheld: { 'zh-CN': '申诉成立', en: 'Appeal upheld' },
  confirmed: { 'zh-CN': '扣分生效', en: 'Deduction final' },
  invalid: { 'zh-CN': '无效', en: 'Invalid' },
  awarded: { 'zh-CN': '已中标', en: 'Awarded' },
  failed: { 'zh-CN': '流标', en: 'Failed' },
  erased: { 'zh-CN': '已删除', en: 'Erased' },
} satisfies Words;

export const CASE_RESULT_WORDS = { ...ENGINE_RESULT_WORDS, ...PROCESS_RESULT_WORDS };

export const TASK_STATUS_WORDS = {
  open: { 'zh-CN': '办理中', en: 'Open' },
  completed: { 'zh-CN': '已办结', en: 'Completed' },
  cancelled: { 'zh-CN': '已取消', en: 'Cancelled' },
} satisfies Words;

/** A task's decision (the outcomes the shipped processes offer) and a case's result words. */
export const OUTCOME_WORDS = {
  appeal: { 'zh-CN': '提出申诉', en: 'Appeal' },
  accept: { 'zh-CN': '接受扣分', en: 'Accept the deduction' },
  // 市局审核 of a credit appeal: `uphold` grants the appeal (the deduction is cancelled or lowered), `dismiss` refuses it.
  uphold: { 'zh-CN': '申诉成立', en: 'Uphold the appeal' },
  dismiss: { 'zh-CN': '申诉不成立', en: 'Dismiss the appeal' },
  approve: { 'zh-CN': '通过', en: 'Approve' },
  reject: { 'zh-CN': '不予通过', en: 'Reject' },
  return: { 'zh-CN': '退回', en: 'Return' },
  supply: { 'zh-CN': '补正提交', en: 'Materials supplied' },
  ...CASE_RESULT_WORDS,
} satisfies Words;
