import type { Knex } from 'knex';
import { databaseClock } from '../db/connection';

export function createSystemActivities(db: Knex) {
  return {
    /** The database server's clock, proving the worker reaches MySQL. */
    async databaseClock(): Promise<string> {
      return databaseClock(db);
    },
  };
}

export type SystemActivities = ReturnType<typeof createSystemActivities>;
