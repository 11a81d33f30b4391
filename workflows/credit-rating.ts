import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CreditActivities } from '../activities/credit';

const { rateCreditYear, recomputeCreditScores } = proxyActivities<CreditActivities>({
  // Thousands of subjects in batches; the heartbeat after each batch tells a dead worker from a busy one.
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '1 minute', backoffCoefficient: 2, maximumInterval: '30 minutes', maximumAttempts: 10 },
});

/** Set by Temporal on every workflow a Schedule starts: the instant it was scheduled for. */
const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/**
 * The annual credit rating (docs/credit.md), started by the Schedule `credit-annual-rating` at
 * the year's end, or for a given year from the API. Without a year it rates the cycle that ended
 * before the scheduled instant, so a run caught up or retried rates the same cycle.
 */
export async function creditRatingWorkflow(input?: { year?: number }): Promise<{ year: number; enterprises: number; staff: number }> {
  const info = workflowInfo();
  const scheduled = info.typedSearchAttributes.get(SCHEDULED_START);
  return rateCreditYear({ at: (scheduled ?? info.runStartTime).toISOString(), year: input?.year ?? null });
}

/** Every running score computed again, on demand (POST /api/credit/scores/recompute). */
export async function creditRecomputeWorkflow(): Promise<{ enterprises: number; staff: number }> {
  return recomputeCreditScores();
}
