import { proxyActivities } from '@temporalio/workflow';
import type { SystemActivities } from '../activities/system';

const { databaseClock } = proxyActivities<SystemActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

/**
 * The smallest round trip through every part an approval uses: the API starts a workflow, the
 * approvals worker runs it and its activity reads MySQL. Operators run it from the API to prove
 * a deployment's wiring.
 */
export async function selfCheckWorkflow(requestedBy: string): Promise<{ requestedBy: string; databaseTime: string }> {
  const databaseTime = await databaseClock();
  return { requestedBy, databaseTime };
}
