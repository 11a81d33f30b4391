import { heartbeat } from '@temporalio/activity';
import type { Knex } from 'knex';
import { lastEndedCycle, rateCycle } from '../db/credit/ratings';
import { recomputeAllScores } from '../db/credit/scores';
import { markSuspensionNotified, suspensionAlert } from '../db/credit/managers';
import { userPhones } from '../db/accounts';
import { beijingToday } from '../lib/credit/days';

/** The credit system's scheduled work (docs/credit.md). */
export function createCreditActivities(db: Knex) {
  return {
    /** The texts of a suspension at the cap: one per recipient account with a phone, each with its key. */
    async creditCapAlertMessages(suspensionId: number): Promise<Array<{ to: string; text: string; idempotencyKey: string; userId: number }>> {
      const alert = await suspensionAlert(db, suspensionId);
      if (!alert) return [];
      const phones = await userPhones(db, alert.userIds);
      return phones.filter((p): p is { id: number; phone: string } => Boolean(p.phone)).map((p) => ({ to: p.phone, text: alert.text, idempotencyKey: `credit-cap/${suspensionId}/${p.id}`, userId: p.id }));
    },

    async markCreditCapAlertSent(suspensionId: number): Promise<void> {
      await markSuspensionNotified(db, suspensionId);
    },

    /** Every running score of today's cycle computed again (idempotent). */
    async recomputeCreditScores(): Promise<{ enterprises: number; staff: number }> {
      return recomputeAllScores(db, { heartbeat: (done) => heartbeat(done) });
    },

    /** Rates a cycle: the given year, else the one that ended before `at` (Beijing days). Idempotent. */
    async rateCreditYear(input: { at: string; year: number | null }): Promise<{ year: number; enterprises: number; staff: number }> {
      const year = input.year ?? (await lastEndedCycle(db, beijingToday(new Date(input.at))));
      const summary = await rateCycle(db, year, { heartbeat: (done) => heartbeat(done) });
      return { year, enterprises: summary.enterprises, staff: summary.staff };
    },
  };
}

export type CreditActivities = ReturnType<typeof createCreditActivities>;
