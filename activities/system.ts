import type { Knex } from 'knex';

export function createSystemActivities(db: Knex) {
  return {
    /** The database server's clock, proving the worker reaches MySQL. */
    async databaseClock(): Promise<string> {
      const [rows] = (await db.raw('SELECT UTC_TIMESTAMP(3) AS now')) as [Array<{ now: Date | string }>];
      const now = rows[0].now;
      return now instanceof Date ? now.toISOString() : String(now);
    },
  };
}

export type SystemActivities = ReturnType<typeof createSystemActivities>;
