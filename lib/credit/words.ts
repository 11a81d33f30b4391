import type { Words } from '../words';
import type { CREDIT_SUBJECTS, DATA_CLASSES, SCORE_AREAS } from './standard';

/**
 * What the credit standard's codes are called (lib/words.ts says why words live here): the
 * server's report and the UI's screens read the same words.
 */
export const SCORE_AREA_WORDS = {
  basic_info: { 'zh-CN': '基础信息', en: 'Basic information' },
  performance: { 'zh-CN': '履约服务', en: 'Service performance' },
  safety: { 'zh-CN': '安全管理', en: 'Safety management' },
  disputes: { 'zh-CN': '矛盾处置', en: 'Dispute handling' },
} satisfies Record<(typeof SCORE_AREAS)[number], { 'zh-CN': string; en: string }>;

/** The areas of a score's breakdown: the standard's, and 其他 for records from before standards (no item; lib/credit/score.ts). */
export const BREAKDOWN_AREA_WORDS = { ...SCORE_AREA_WORDS, other: { 'zh-CN': '其他', en: 'Other' } } satisfies Words;

export const DATA_CLASS_WORDS = {
  self_check: { 'zh-CN': '自查', en: 'Self-check' },
  daily_service: { 'zh-CN': '日常服务行为', en: 'Daily service' },
  business_info: { 'zh-CN': '经营性信息', en: 'Business information' },
} satisfies Record<(typeof DATA_CLASSES)[number], { 'zh-CN': string; en: string }>;

export const CREDIT_SUBJECT_WORDS = {
  enterprise: { 'zh-CN': '企业', en: 'Enterprise' },
  manager: { 'zh-CN': '项目经理', en: 'Project manager' },
  project: { 'zh-CN': '项目', en: 'Project' },
} satisfies Record<(typeof CREDIT_SUBJECTS)[number], { 'zh-CN': string; en: string }>;

export const CREDIT_KIND_WORDS = {
  good: { 'zh-CN': '加分', en: 'Good' },
  bad: { 'zh-CN': '扣分', en: 'Bad' },
} satisfies Words;

export const CREDIT_LIST_WORDS = {
  red: { 'zh-CN': '红榜', en: 'Red list' },
  black: { 'zh-CN': '黑榜', en: 'Black list' },
} satisfies Words;
