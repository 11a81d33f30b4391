import { heartbeat } from '@temporalio/activity';
import type { Knex } from 'knex';
import { lastEndedCycle, rateCycle } from '../db/credit/ratings';
import { beijingToday } from '../lib/credit/days';

/** The credit system's scheduled work (docs/credit.md). */
export function createCreditActivities(db: Knex) {
  return {
    /** Rates a cycle: the given year, else the one that ended before `at` (Beijing days). Idempotent. */
    async rateCreditYear(input: { at: string; year: number | null }): Promise<{ year: number; enterprises: number; staff: number }> {
      const year = input.year ?? (await lastEndedCycle(db, beijingToday(new Date(input.at))));
      const summary = await rateCycle(db, year, { heartbeat: (done) => heartbeat(done) });
      return { year, enterprises: summary.enterprises, staff: summary.staff };
    },
  };
}

export type CreditActivities = ReturnType<typeof createCreditActivities>;
