import type { Knex } from 'knex';
import { pingDatabase } from '../../db/connection';
import { listModems } from '../../db/sms/modems';
import type { Router } from 'express';
import { temporal as proto } from '@temporalio/proto';
import type { LazyTemporalClient } from '../../lib/temporal/client';

/**
 * Liveness says the process is up; readiness says it can do its work (MySQL and Temporal answer).
 * /readyz also reports, without depending on them, the workers (pollers on their task queues in
 * the last minute, from Temporal's DescribeTaskQueue) and the modems (their health as the SMS
 * worker last recorded it in sms_modems). Each component is ok, degraded or down with a reason;
 * `health` is the worst of them, and a worker or the modems being down only make it degraded.
 */
export type ComponentStatus = 'ok' | 'degraded' | 'down';
export interface Component {
  status: ComponentStatus;
  reason?: string;
  [detail: string]: unknown;
}

export interface HealthOptions {
  namespace: string;
  approvalsTaskQueue: string;
  smsTaskQueue: string;
}

/** A poller counts when Temporal saw it poll within this window. */
export const POLLER_WINDOW_MS = 60_000;

export function registerHealthRoutes(router: Router, db: Knex, temporal: LazyTemporalClient, opts: HealthOptions): void {
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const [mysql, temporalState] = await Promise.all([probe(() => pingDatabase(db)), probe(async () => (await temporal.get()).connection.workflowService.getSystemInfo({}))]);
    const [approvals, sms, modems] = await Promise.all([
      temporalState.status === 'ok' ? workerComponent(temporal, opts.namespace, opts.approvalsTaskQueue) : unknownWorker(opts.approvalsTaskQueue),
      temporalState.status === 'ok' ? workerComponent(temporal, opts.namespace, opts.smsTaskQueue) : unknownWorker(opts.smsTaskQueue),
      mysql.status === 'ok' ? modemComponent(db) : Promise.resolve<Component>({ status: 'down', reason: 'MySQL does not answer, where the modems report' }),
    ]);
    const components: Record<string, Component> = { mysql, temporal: temporalState, workerApprovals: approvals, workerSms: sms, modems };
    const ready = mysql.status === 'ok' && temporalState.status === 'ok';
    const health: ComponentStatus = !ready ? 'down' : Object.values(components).every((c) => c.status === 'ok') ? 'ok' : 'degraded';
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not ready',
      health,
      // The two readiness checks, as before: "ok" or "unavailable: <reason>".
      checks: { mysql: asCheck(mysql), temporal: asCheck(temporalState) },
      components,
    });
  });
}

const asCheck = (c: Component) => (c.status === 'ok' ? 'ok' : `unavailable: ${c.reason}`);

async function probe(fn: () => Promise<unknown>): Promise<Component> {
  try {
    await withTimeout(fn(), 3_000);
    return { status: 'ok' };
  } catch (err) {
    return { status: 'down', reason: err instanceof Error ? err.message : String(err) };
  }
}

const unknownWorker = async (taskQueue: string): Promise<Component> => ({ status: 'down', taskQueue, reason: 'Temporal does not answer, so its pollers cannot be seen' });

const { TaskQueueType, TaskQueueKind } = proto.api.enums.v1;

/** Pollers of the queue's workflow and activity tasks that Temporal saw in the last minute. */
export async function workerComponent(temporal: LazyTemporalClient, namespace: string, taskQueue: string, now = Date.now()): Promise<Component> {
  try {
    const service = (await temporal.get()).workflowService;
    const recent = async (taskQueueType: proto.api.enums.v1.TaskQueueType) => {
      const described = await withTimeout(service.describeTaskQueue({ namespace, taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL }, taskQueueType }), 3_000);
      return (described.pollers ?? []).filter((p) => {
        const seconds = Number(p.lastAccessTime?.seconds?.toString() ?? 0);
        return seconds > 0 && now - seconds * 1000 <= POLLER_WINDOW_MS;
      });
    };
    const [workflowPollers, activityPollers] = await Promise.all([recent(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW), recent(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)]);
    const identities = [...new Set([...workflowPollers, ...activityPollers].map((p) => p.identity ?? '?'))];
    const counts = { taskQueue, workflowPollers: workflowPollers.length, activityPollers: activityPollers.length, identities };
    if (workflowPollers.length && activityPollers.length) return { status: 'ok', ...counts };
    if (workflowPollers.length || activityPollers.length) {
      return { status: 'degraded', ...counts, reason: `only ${workflowPollers.length ? 'workflow' : 'activity'} tasks of queue ${taskQueue} were polled in the last minute` };
    }
    return { status: 'down', ...counts, reason: `no worker polled task queue ${taskQueue} in the last minute` };
  } catch (err) {
    return { status: 'down', taskQueue, reason: `could not describe task queue ${taskQueue}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/**
 * The modems as the SMS worker last recorded them (db/sms/modems.ts writes a row on every
 * status change). A modem that is not `ready` makes this degraded; none ready makes it down.
 * Rows change only when a status changes, so after the SMS worker died they show its last word:
 * read them with workerSms.
 */
export async function modemComponent(db: Knex): Promise<Component> {
  try {
    const rows = await withTimeout(listModems(db), 3_000);
    const modems = rows.map((r) => ({ imei: r.imei, port: r.port, status: r.status, reason: r.reason, since: r.status_since }));
    const ready = rows.filter((r) => r.status === 'ready').length;
    if (!rows.length) return { status: 'down', ready: 0, total: 0, modems, reason: 'no modem has reported (is the SMS worker running?)' };
    if (ready === rows.length) return { status: 'ok', ready, total: rows.length, modems };
    const notReady = rows.filter((r) => r.status !== 'ready').map((r) => `${r.port} ${r.status}${r.reason ? ` (${r.reason})` : ''}`);
    return { status: ready ? 'degraded' : 'down', ready, total: rows.length, modems, reason: `${ready} of ${rows.length} modems ready; ${notReady.join('; ')}`.slice(0, 500) };
  } catch (err) {
    return { status: 'down', reason: err instanceof Error ? err.message : String(err) };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
