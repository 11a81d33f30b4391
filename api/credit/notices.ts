import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { suspensionsToNotify } from '../../db/credit/managers';
import { claimNotice, noticeCasesToCheck, noticeRecord, recordsAwaitingNotice } from '../../db/credit/records';
import { organisationInScope } from '../../db/organisations';
import { currentVersion } from '../../db/processes';
import { activeAccountUser } from '../../db/sessions';
import type { LazyTemporalClient } from '../../lib/temporal/client';
import { toSessionUser } from '../auth/sessions';
import { launchCase, LaunchClaimed, resumeUnstartedCase } from '../cases/start';

/**
 * Starts each pre-deduction's notice case (信用记分告知, C3, processes/credit-deduction.bpmn):
 * right after the record is taken in, and again from a sweep for any whose start did not happen
 * (the workflow service was away, the API stopped in between). The case is claimed by the
 * record in the transaction that creates it, so a record gets one notice however many times
 * this runs; it is started in the name of the officer who recorded it, for the enterprise.
 */
export const NOTICE_PROCESS = 'credit-deduction';

export interface NoticeQueues {
  taskQueue: string;
  smsTaskQueue: string | null;
}

export type NoticeStart = { started: true; caseId: number; number: string } | { started: false; reason: string };

export async function startCreditNotice(db: Knex, temporal: LazyTemporalClient, eventId: number, queues: NoticeQueues): Promise<NoticeStart> {
  const record = await noticeRecord(db, eventId);
  if (!record || record.status !== 'pending' || record.noticeCaseId !== null) return { started: false, reason: 'not awaiting a notice' };
  const recorder = (await db('credit_events').where('id', eventId).first('recorded_by', 'district_code')) as { recorded_by: number | null; district_code: string };
  const row = recorder.recorded_by === null ? undefined : await activeAccountUser(db, recorder.recorded_by);
  if (!row) return { started: false, reason: 'its recorder is no longer an active account' };
  const process = await currentVersion(db, NOTICE_PROCESS);
  if (!process || process.status !== 'enabled') return { started: false, reason: `process ${NOTICE_PROCESS} is not enabled` };
  const org = await organisationInScope(db, record.enterpriseId, { kind: 'city' });
  if (!org) return { started: false, reason: 'its enterprise is gone' };
  try {
    const created = await launchCase(db, temporal, {
      processKey: NOTICE_PROCESS,
      process,
      org,
      districtCode: recorder.district_code,
      streetCode: null,
      user: toSessionUser(row),
      title: `信用记分告知：${record.itemName ?? record.description}（${org.name}）`,
      variables: { eventId, appealWindow: `P${record.appealDays}D` },
      attachments: [],
      formData: {},
      taskQueue: queues.taskQueue,
      smsTaskQueue: queues.smsTaskQueue,
      claim: (trx, caseId) => claimNotice(trx, eventId, caseId),
    });
    return { started: true, caseId: created.id, number: created.number };
  } catch (err) {
    if (err instanceof LaunchClaimed) return { started: false, reason: 'already notified' };
    throw err;
  }
}

/**
 * One pass of the sweep: starts the notices still missing, a bounded batch at a time, and the
 * workflows of notice cases whose row was written but whose start never came.
 */
export async function startMissingNotices(db: Knex, temporal: LazyTemporalClient, queues: NoticeQueues, log: Logger, batch = 50, olderThanMs = 120_000): Promise<number> {
  let started = 0;
  for (const caseId of await noticeCasesToCheck(db, batch)) {
    try {
      if ((await resumeUnstartedCase(db, temporal, caseId, queues, olderThanMs)) === 'resumed') {
        started++;
        log.warn({ caseId }, 'started the workflow of a credit notice case whose start had not happened');
      }
    } catch (err) {
      log.warn({ err, caseId }, 'could not start a credit notice case’s workflow; will retry');
      return started;
    }
  }
  for (const r of await recordsAwaitingNotice(db, batch)) {
    try {
      const result = await startCreditNotice(db, temporal, r.id, queues);
      if (result.started) started++;
      else log.warn({ eventId: r.id, reason: result.reason }, 'credit record awaits its notice');
    } catch (err) {
      // The workflow service is away: the next pass tries again.
      log.warn({ err, eventId: r.id }, 'could not start a credit notice; will retry');
      break;
    }
  }
  return started;
}

/**
 * Texts the enterprises whose project managers reached the credit cap (C6): a workflow per
 * suspension, under an id of its own, so the sweep starting it twice sends nothing twice.
 */
export async function alertSuspensions(db: Knex, temporal: LazyTemporalClient, queues: NoticeQueues, log: Logger, batch = 50): Promise<number> {
  let started = 0;
  const ids = await suspensionsToNotify(db, batch);
  if (!ids.length) return 0;
  const client = await temporal.get();
  for (const suspensionId of ids) {
    try {
      await client.workflow.start('creditCapAlertWorkflow', { taskQueue: queues.taskQueue, workflowId: `credit-cap-alert-${suspensionId}`, args: [{ suspensionId, smsTaskQueue: queues.smsTaskQueue }] });
      started++;
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) continue;
      log.warn({ err, suspensionId }, 'could not text a credit-cap suspension; will retry');
      break;
    }
  }
  return started;
}

/** Runs the sweep every `everyMs` in the API process; returns its stop function. */
export function startNoticeSweep(db: Knex, temporal: LazyTemporalClient, queues: NoticeQueues, log: Logger, everyMs = 60_000): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    startMissingNotices(db, temporal, queues, log)
      .then(() => alertSuspensions(db, temporal, queues, log))
      .catch((err) => log.error({ err }, 'credit notice sweep failed'))
      .finally(() => {
        running = false;
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
