import type { Knex } from 'knex';
import { walkPlan, type ListPlan } from '../../db/cases/lists';
import type { LoggedOperation } from '../../db/operation-log';
import { processNames } from '../../db/processes';
import { regionNames } from '../../db/regions';
import { actionWords, targetWords } from '../../lib/audit/action-words';
import { CASE_RESULT_WORDS, CASE_STATUS_WORDS, OUTCOME_WORDS, TASK_STATUS_WORDS } from '../../lib/cases/words';
import type { LedgerColumn } from '../../lib/exports/ledger';
import { maskPhone } from '../../lib/pii';
import { OPERATION_RESULT_WORDS, ROLE_WORDS, SMS_STATUS_WORDS, wordFor } from '../../lib/words';

/**
 * The columns of the 办件台账 (cases and 我发起的/抄送我的), the inbox ledgers and the operation
 * log's export, in the words of the screens they come from: names instead of keys and codes.
 */
export const EXPORT_MAX = 100_000;

type Row = Record<string, unknown>;
type Named = Row & { process_name?: string; district_name?: string };

const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
const at = (v: unknown) => (v instanceof Date ? v : v ? new Date(String(v)) : null);

/** A plan's rows with the names of their process and district, looked up once per chunk. */
export async function* namedRows(db: Knex, plan: ListPlan<Row>): AsyncGenerator<Named[]> {
  const processes = new Map<string, string>();
  for await (const rows of walkPlan(db, plan, { max: EXPORT_MAX })) {
    const unknown = rows.map((r) => String(r.process_key)).filter((k) => !processes.has(k));
    for (const [k, name] of await processNames(db, unknown)) processes.set(k, name);
    const districts = await regionNames(
      db,
      rows.map((r) => r.district_code).filter((c): c is string => typeof c === 'string'),
    );
    yield rows.map((r) => ({ ...r, process_name: processes.get(String(r.process_key)), district_name: typeof r.district_code === 'string' ? districts.get(r.district_code) : undefined }));
  }
}

export const CASE_LEDGER: Array<LedgerColumn<Named>> = [
  { header: '办件编号', width: 22, value: (r) => text(r.number) },
  { header: '事项', width: 24, value: (r) => r.process_name ?? text(r.process_key) },
  { header: '标题', width: 36, value: (r) => text(r.title) },
  { header: '申请单位', width: 28, value: (r) => text(r.applicant_name) },
  { header: '区县', value: (r) => r.district_name ?? text(r.district_code) },
  { header: '状态', value: (r) => wordFor(CASE_STATUS_WORDS, text(r.status)) },
  { header: '结果', value: (r) => wordFor(CASE_RESULT_WORDS, text(r.result)) },
  { header: '当前环节', width: 20, value: (r) => text(r.current_steps) },
  { header: '申请人', value: (r) => text(r.started_by_name) },
  { header: '申请时间', width: 18, value: (r) => at(r.started_at) },
  { header: '办结时间', width: 18, value: (r) => at(r.ended_at) },
  { header: '最近更新', width: 18, value: (r) => at(r.updated_at) },
];

export const COPIED_LEDGER: Array<LedgerColumn<Named>> = [...CASE_LEDGER, { header: '抄送时间', width: 18, value: (r) => at(r.copied_at) }];

export const TASK_LEDGER: Array<LedgerColumn<Named>> = [
  { header: '办件编号', width: 22, value: (r) => text(r.case_number) },
  { header: '标题', width: 36, value: (r) => text(r.case_title) },
  { header: '事项', width: 24, value: (r) => r.process_name ?? text(r.process_key) },
  { header: '区县', value: (r) => r.district_name ?? text(r.district_code) },
  { header: '环节', width: 20, value: (r) => text(r.name) },
  { header: '任务状态', value: (r) => wordFor(TASK_STATUS_WORDS, text(r.status)) },
  { header: '办理人', value: (r) => text(r.assignee_name) },
  { header: '到达时间', width: 18, value: (r) => at(r.created_at) },
  { header: '办理期限', width: 18, value: (r) => at(r.due_at) },
  { header: '是否超期', value: (r) => Boolean(r.overdue) },
  { header: '办结时间', width: 18, value: (r) => at(r.completed_at) },
  { header: '办理结果', value: (r) => wordFor(OUTCOME_WORDS, text(r.outcome)) },
  { header: '办理意见', width: 36, value: (r) => text(r.comment) },
  { header: '办件状态', value: (r) => wordFor(CASE_STATUS_WORDS, text(r.case_status)) },
  { header: '办件结果', value: (r) => wordFor(CASE_RESULT_WORDS, text(r.case_result)) },
];

export const OPERATION_LEDGER: Array<LedgerColumn<LoggedOperation & { target_name?: string | null }>> = [
  { header: '时间', width: 18, value: (r) => at(r.at) },
  { header: '用户', value: (r) => text(r.username) },
  { header: '角色', width: 14, value: (r) => wordFor(ROLE_WORDS, text(r.role)) },
  { header: '地址', width: 16, value: (r) => text(r.ip) },
  { header: '操作', width: 20, value: (r) => actionWords(String(r.action)) },
  { header: '对象', width: 24, value: (r) => targetWords(text(r.target_type), text(r.target_id), r.target_name) },
  { header: '结果', value: (r) => wordFor(OPERATION_RESULT_WORDS, text(r.result)) },
  { header: '状态码', value: (r) => (typeof r.status === 'number' ? r.status : text(r.status)) },
  { header: '请求号', width: 24, value: (r) => text(r.request_id) },
  { header: '详情', width: 60, value: (r) => (r.detail === null || r.detail === undefined ? null : JSON.stringify(r.detail)) },
];

/** The SMS log; numbers masked (138****0001) unless the export is a clear one (pii:export). */
export const smsLedger = (clearPhones: boolean): Array<LedgerColumn<Row>> => [
  { header: '编号', value: (r) => Number(r.id) },
  { header: '手机号', width: 16, value: (r) => (typeof r.phone === 'string' ? (clearPhones ? r.phone : maskPhone(r.phone)) : null) },
  { header: '短信内容', width: 60, value: (r) => text(r.text) },
  { header: '状态', value: (r) => wordFor(SMS_STATUS_WORDS, text(r.status)) },
  { header: '条数', value: (r) => (typeof r.part_count === 'number' ? r.part_count : null) },
  { header: '短信猫', width: 18, value: (r) => text(r.modem_imei) },
  { header: '尝试次数', value: (r) => (typeof r.attempts === 'number' ? r.attempts : null) },
  { header: '创建时间', width: 18, value: (r) => at(r.created_at) },
  { header: '发送时间', width: 18, value: (r) => at(r.sent_at) },
  { header: '送达时间', width: 18, value: (r) => at(r.delivered_at) },
  { header: '失败时间', width: 18, value: (r) => at(r.failed_at) },
  { header: '错误', width: 30, value: (r) => text(r.error_text) },
];
