import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { RetentionActivities } from '../activities/retention';

const { runRetention } = proxyActivities<RetentionActivities>({
  // Batches are short, but a first run over years of data takes a while: the heartbeat after
  // every batch tells a dead worker from a busy one.
  startToCloseTimeout: '3 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '1 minute', backoffCoefficient: 2, maximumInterval: '30 minutes', maximumAttempts: 6 },
});

/** Set by Temporal on every workflow a Schedule starts: the instant it was scheduled for. */
const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/**
 * The daily retention sweep (docs/retention.md), started by the Temporal Schedule
 * `platform-retention` (lib/retention/schedule.ts). The cut-offs are computed from the scheduled
 * instant, so a retried or caught-up run draws the same lines as the run it replaces.
 */
export async function retentionWorkflow(): Promise<Record<string, number>> {
  const info = workflowInfo();
  const scheduled = info.typedSearchAttributes.get(SCHEDULED_START);
  return runRetention({ at: (scheduled ?? info.runStartTime).toISOString() });
}
