import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { BackupActivities } from '../activities/backup';

const { runPlatformBackup } = proxyActivities<BackupActivities>({
  // A run of a large installation takes a while; the heartbeat tells a dead worker from a slow one.
  startToCloseTimeout: '3 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '1 minute', backoffCoefficient: 2, maximumInterval: '30 minutes', maximumAttempts: 6 },
});

/** Set by Temporal on every workflow a Schedule starts: the instant it was scheduled for. */
const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/**
 * The daily backup (R3), started by the Temporal Schedule `platform-backup`
 * (lib/backup/schedule.ts). The run is keyed by the scheduled time, so a retried activity, or a
 * worker that crashed half way, writes the same folder again instead of a second backup.
 */
export async function backupWorkflow(): Promise<{ name: string; dir: string; reused: boolean; deleted: string[] }> {
  const info = workflowInfo();
  const scheduled = info.typedSearchAttributes.get(SCHEDULED_START);
  return runPlatformBackup({ at: (scheduled ?? info.runStartTime).toISOString() });
}
