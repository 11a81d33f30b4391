import type { Knex } from 'knex';
import { TASK_QUEUES } from '../../lib/config';
import type { LazyTemporalClient } from '../../lib/temporal/client';
import type { Api } from '../http/route';

// The queue is the configured one (APPROVALS_TASK_QUEUE), where the approvals worker listens: the
// fixed default would leave the check waiting 30 s for a worker that is not there, then answer 500.
export function registerSystemRoutes(api: Api, db: Knex, temporal: LazyTemporalClient, taskQueue: string = TASK_QUEUES.approvals): void {
  api.add({
    method: 'post',
    path: '/api/system/self-check',
    summary: 'Run the self-check workflow: API → Temporal → approvals worker → MySQL and back',
    tags: ['system'],
    action: 'system.self_check',
    access: 'system:check',
    handler: async ({ user, audit, req }) => {
      const client = await temporal.get();
      const started = Date.now();
      const result = await client.workflow.execute('selfCheckWorkflow', {
        taskQueue,
        workflowId: `self-check-${req.id}`,
        args: [user.username],
        workflowExecutionTimeout: '30 seconds',
      });
      const outcome = { ...(result as object), roundTripMs: Date.now() - started };
      await audit(db, { detail: outcome });
      return outcome;
    },
  });
}
