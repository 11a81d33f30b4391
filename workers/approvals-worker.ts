import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Knex } from 'knex';
import { TASK_QUEUES } from '../lib/config';
import { createApprovalActivities } from '../activities';
import { dataConverter } from '../lib/temporal/codec';

/**
 * Builds the approvals worker. Tests call this with their own connection and database; the
 * process entry point (approvals.ts) adds signal handling around it.
 */
export async function createApprovalsWorker(opts: { connection: NativeConnection; namespace: string; db: Knex; taskQueue?: string; workflowBundle?: WorkerOptions['workflowBundle'] }): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? TASK_QUEUES.approvals,
    // Case inputs (application forms) and activity data are encrypted before they reach Temporal.
    dataConverter: dataConverter(),
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: createApprovalActivities({ db: opts.db }),
  });
}
