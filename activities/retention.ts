import { Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import { accountForErasure, accountsPastRetention, anonymiseAccounts, openCasesOf } from '../db/retention/accounts';
import { anonymiseMembers, membersPastRetention } from '../db/retention/committee-members';
import { dateOf, daysBefore } from '../db/retention/common';
import { addRunCounts, erasureOf, finishRun, openRun, recordErasure, type Counts } from '../db/retention/records';
import { deleteExpiredSessions } from '../db/retention/sessions';
import { deleteInboundParts, deleteTopicRecipients, inboundToRedact, messagesToRedact, redactInbound, redactMessages, redactReplies, repliesToRedact } from '../db/retention/sms';
import { anonymiseStaff, staffPastRetention } from '../db/retention/staff';
import type { ServiceTaskInput, ServiceTaskResult } from '../lib/cases/changes';
import { loadConfig, type Config } from '../lib/config';
import { normalisePhone } from '../lib/sms/phone';

/**
 * Retention and minimisation (PIPL art. 19 and 47; docs/retention.md, docs/pia.md).
 *
 * - `runRetention`: the daily sweep the Temporal Schedule `platform-retention` starts
 *   (workflows/retention.ts). Each kind of personal data is drained in batches of
 *   RETENTION_BATCH_SIZE rows chosen by id first, one short transaction each; a row changed
 *   once is never chosen again (markers: anonymised_at, redacted_at), so a retried or repeated
 *   run changes nothing twice. The counts go to retention_runs and the worker's log.
 * - `personalDataCheck` / `personalDataErase`: the service tasks of 个人信息删除申请
 *   (processes/personal-data-deletion.bpmn): what the reviewer should know, and on approval the
 *   anonymisation of the requester's own data that no legal duty requires keeping.
 *
 * Not touched, by design: the operation log (append-only, kept ≥ 180 days and archived by its own
 * job: 等保 and the Cybersecurity Law art. 21) and case records (application forms, decisions,
 * certificates: kept as administrative records under the archival rules).
 */
export interface RetentionSettings {
  staffLeftDays: number;
  disabledAccountDays: number;
  committeeMemberDays: number;
  smsDays: number;
  sessionDays: number;
  batchSize: number;
}

export function retentionSettings(config: Config): RetentionSettings {
  return {
    staffLeftDays: config.RETENTION_STAFF_LEFT_DAYS,
    disabledAccountDays: config.RETENTION_DISABLED_ACCOUNT_DAYS,
    committeeMemberDays: config.RETENTION_COMMITTEE_MEMBER_DAYS,
    smsDays: config.RETENTION_SMS_DAYS,
    sessionDays: config.RETENTION_SESSION_DAYS,
    batchSize: config.RETENTION_BATCH_SIZE,
  };
}

/** The history's username of changes the sweep makes (registry_changes). */
export const RETENTION_ACTOR = 'retention';

interface Hooks {
  heartbeat?: () => void;
  log?: (message: string, counts: Counts) => void;
  /** Called after each batch with its kind and rows changed (the run's row is updated there). */
  onBatch?: (kind: string, changed: number) => Promise<void>;
}

/**
 * Repeats `batch` until it changes fewer rows than a full batch. `select` chooses at most
 * `limit` rows and `apply` changes exactly those, so every statement is bounded.
 */
async function drain(db: Knex, limit: number, select: () => Promise<number[]>, apply: (trx: Knex.Transaction, ids: number[]) => Promise<number>, hooks: Hooks, kind: string): Promise<number> {
  let total = 0;
  for (;;) {
    const ids = await select();
    if (ids.length === 0) break;
    const changed = await db.transaction((trx) => apply(trx, ids));
    total += changed;
    await hooks.onBatch?.(kind, changed);
    hooks.heartbeat?.();
    // Fewer than asked: the last batch. None changed although some were chosen: someone else did
    // them meanwhile (a concurrent run); stop rather than choose the same rows again.
    if (ids.length < limit || changed === 0) break;
  }
  return total;
}

/** Deletes in bounded statements until one deletes fewer than a batch. */
async function drainDeletes(limit: number, remove: () => Promise<number>, hooks: Hooks, kind: string): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await remove();
    total += n;
    await hooks.onBatch?.(kind, n);
    hooks.heartbeat?.();
    if (n < limit) break;
  }
  return total;
}

/** One sweep at `now` (the scheduled instant): every kind past its retention, counted per kind. */
export async function sweepRetention(db: Knex, s: RetentionSettings, now: Date, hooks: Hooks = {}): Promise<Counts> {
  const n = s.batchSize;
  const counts: Counts = {};
  const staffBefore = dateOf(daysBefore(now, s.staffLeftDays));
  counts.staff = await drain(
    db,
    n,
    () => staffPastRetention(db, staffBefore, n),
    (trx, ids) => anonymiseStaff(trx, ids, RETENTION_ACTOR),
    hooks,
    'staff',
  );
  const membersBefore = dateOf(daysBefore(now, s.committeeMemberDays));
  counts.committeeMembers = await drain(
    db,
    n,
    () => membersPastRetention(db, membersBefore, n),
    (trx, ids) => anonymiseMembers(trx, ids, RETENTION_ACTOR),
    hooks,
    'committeeMembers',
  );
  const accountsBefore = daysBefore(now, s.disabledAccountDays);
  counts.accounts = await drain(
    db,
    n,
    () => accountsPastRetention(db, accountsBefore, n),
    (trx, ids) => anonymiseAccounts(trx, ids),
    hooks,
    'accounts',
  );
  const sessionsBefore = daysBefore(now, s.sessionDays);
  counts.sessions = await drainDeletes(n, () => deleteExpiredSessions(db, sessionsBefore, n), hooks, 'sessions');
  const smsBefore = daysBefore(now, s.smsDays);
  counts.smsMessages = await drain(db, n, () => messagesToRedact(db, { before: smsBefore }, n), redactMessages, hooks, 'smsMessages');
  counts.smsInbound = await drain(db, n, () => inboundToRedact(db, { before: smsBefore }, n), redactInbound, hooks, 'smsInbound');
  counts.smsReplies = await drain(db, n, () => repliesToRedact(db, { before: smsBefore }, n), redactReplies, hooks, 'smsReplies');
  counts.smsInboundParts = await drainDeletes(n, () => deleteInboundParts(db, smsBefore, n), hooks, 'smsInboundParts');
  counts.smsTopicRecipients = await drainDeletes(n, () => deleteTopicRecipients(db, { closedBefore: smsBefore }, n), hooks, 'smsTopicRecipients');
  hooks.log?.('retention sweep', counts);
  return counts;
}

/** What no legal duty requires keeping of one account, anonymised (the deletion request). */
export async function erasePersonalData(db: Knex, userId: number, batchSize: number): Promise<Counts> {
  const account = await accountForErasure(db, userId);
  if (!account) throw new Error(`account ${userId} not found`);
  const phone = account.phone ? normalisePhone(account.phone) : null;
  const n = batchSize;
  const hooks: Hooks = {};
  const counts: Counts = {};
  // SMS first, the account last: a retry after a crash still knows the phone number.
  counts.smsMessages = await drain(db, n, () => messagesToRedact(db, { userId, phoneNormalised: phone }, n), redactMessages, hooks, 'smsMessages');
  counts.smsInbound = await drain(db, n, () => inboundToRedact(db, { senderNormalised: phone }, n), redactInbound, hooks, 'smsInbound');
  counts.smsReplies = await drain(db, n, () => repliesToRedact(db, { phoneNormalised: phone }, n), redactReplies, hooks, 'smsReplies');
  counts.smsTopicRecipients = await drainDeletes(n, () => deleteTopicRecipients(db, { phoneNormalised: phone }, n), hooks, 'smsTopicRecipients');
  counts.account = await db.transaction((trx) => anonymiseAccounts(trx, [userId]));
  return counts;
}

function activityHooks(): Hooks {
  try {
    const ctx = Context.current();
    return { heartbeat: () => ctx.heartbeat(), log: (m, counts) => ctx.log.info(m, { counts }) };
  } catch {
    return {};
  }
}

export function createRetentionActivities(db: Knex, env: NodeJS.ProcessEnv = process.env) {
  return {
    /** The scheduled sweep; `at` is the scheduled instant, which is also the run's key. */
    async runRetention(input: { at: string }): Promise<Counts> {
      const settings = retentionSettings(loadConfig(env));
      const runKey = input.at;
      await openRun(db, runKey, { ...settings });
      const hooks = activityHooks();
      await sweepRetention(db, settings, new Date(input.at), {
        ...hooks,
        onBatch: async (kind, changed) => {
          if (changed > 0) await addRunCounts(db, runKey, { [kind]: changed });
        },
      });
      // The run's total over every attempt (a retry counts only the rows it changed itself).
      const total = await finishRun(db, runKey);
      hooks.log?.('retention run finished', total);
      return total;
    },

    /** 个人信息删除申请, before review: what the reviewer weighs (variables shown on the case). */
    async personalDataCheck(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const otherOpenCases = await openCasesOf(db, input.applicantUserId, input.caseId);
      return {
        variables: { otherOpenCases, retainedByLaw: '办件记录（按档案管理规定保存）、操作日志（不少于6个月）' },
        note: `申请人另有在办案件 ${otherOpenCases} 件；依法须保存的办件记录和操作日志不在删除范围内。`,
      };
    },

    /** 个人信息删除申请, approved: anonymises the requester's data; a retry finds the record and stops. */
    async personalDataErase(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const done = await erasureOf(db, input.caseId);
      const counts = done?.counts ?? (await erasePersonalData(db, input.applicantUserId, retentionSettings(loadConfig(env)).batchSize));
      if (!done) await recordErasure(db, input.caseId, input.applicantUserId, counts);
      return {
        variables: { erasure: counts },
        note: `已删除（匿名化）申请人的个人信息：账号 ${counts.account} 个，短信 ${counts.smsMessages} 条，收到的短信 ${counts.smsInbound} 条，短信回复 ${counts.smsReplies} 条。`,
      };
    },
  };
}

export type RetentionActivities = ReturnType<typeof createRetentionActivities>;
