/**
 * Words people read for the codes the system stores, in Chinese and English. The admin UI's
 * catalogues (admin-ui/src/i18n) are built from these lists and the server writes them in what
 * it makes for people (the Excel ledgers of lib/exports), so a role or a state is called the same
 * everywhere. A code missing from a list is shown as itself.
 */
export type Locale = 'zh-CN' | 'en';

import type { Role } from './roles';

export type Words = Record<string, { 'zh-CN': string; en: string }>;

/** One locale's words as a catalogue section ({ running: '办理中', … }). */
export function catalogue(words: Words, locale: Locale): Record<string, string> {
  return Object.fromEntries(Object.entries(words).map(([code, w]) => [code, w[locale]]));
}

/** The word for a code, or the code itself when it has none. */
export function wordFor(words: Words, code: string | null | undefined, locale: Locale = 'zh-CN'): string {
  if (code === null || code === undefined || code === '') return '';
  return (words as Record<string, { 'zh-CN': string; en: string } | undefined>)[code]?.[locale] ?? code;
}

export const ROLE_WORDS = {
  sysadmin: { 'zh-CN': '系统管理员', en: 'System administrator' },
  security_admin: { 'zh-CN': '安全管理员', en: 'Security administrator' },
  audit_admin: { 'zh-CN': '审计管理员', en: 'Audit administrator' },
  city_staff: { 'zh-CN': '市局工作人员', en: 'City bureau staff' },
  city_leader: { 'zh-CN': '市局领导', en: 'City bureau leader' },
  admin_centre: { 'zh-CN': '行政服务中心', en: 'Administrative centre' },
  district_staff: { 'zh-CN': '区局工作人员', en: 'District bureau staff' },
  street_office: { 'zh-CN': '街道办事处', en: 'Street office' },
  enterprise: { 'zh-CN': '物业服务企业', en: 'Property enterprise' },
  project_manager: { 'zh-CN': '项目经理', en: 'Project manager' },
  developer: { 'zh-CN': '建设单位', en: 'Developer' },
  owners_committee: { 'zh-CN': '业主委员会', en: "Owners' committee" },
  public: { 'zh-CN': '业主/公众', en: 'Owner / public' },
  expert: { 'zh-CN': '评标专家', en: 'Evaluation expert' },
} satisfies Record<Role, { 'zh-CN': string; en: string }>;

/** How an operation in the log ended. */
export const OPERATION_RESULT_WORDS = {
  ok: { 'zh-CN': '成功', en: 'OK' },
  denied: { 'zh-CN': '拒绝', en: 'Denied' },
  failed: { 'zh-CN': '失败', en: 'Failed' },
} satisfies Words;

/** Where an SMS stands in the message log. */
export const SMS_STATUS_WORDS = {
  queued: { 'zh-CN': '排队', en: 'Queued' },
  sending: { 'zh-CN': '发送中', en: 'Sending' },
  sent: { 'zh-CN': '已发送', en: 'Sent' },
  delivered: { 'zh-CN': '已送达', en: 'Delivered' },
  failed: { 'zh-CN': '失败', en: 'Failed' },
} satisfies Words;
