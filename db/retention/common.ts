import type { Knex } from 'knex';

/**
 * What every retention module shares. Each module owns the SQL of one kind of personal data
 * (docs/retention.md); the daily run (activities/retention.ts) calls them batch by batch, and
 * every batch is bounded by ids chosen first, so no statement touches an unbounded set of rows
 * or holds its locks for long.
 */
export type Db = Knex | Knex.Transaction;

/** The instant `days` before `now`. */
export const daysBefore = (now: Date, days: number): Date => new Date(now.getTime() - days * 86_400_000);

/** The calendar date (UTC) of an instant, for DATE columns such as left_on. */
export const dateOf = (d: Date): string => d.toISOString().slice(0, 10);

/**
 * A phone number masked in SQL the way the bureau prints them (138****0001): enough to answer
 * "was this my number?" and for statistics, not enough to reach the person. The column holds a
 * normalised number (lib/sms/phone.ts); shorter values become "****". For an 11-digit mobile it
 * is what lib/pii's maskPhone prints; SQL, because the sweep masks rows in place in batches.
 */
export const maskedPhoneSql = (column: string): string => `CASE WHEN CHAR_LENGTH(${column}) >= 7 THEN CONCAT(LEFT(${column}, 3), '****', RIGHT(${column}, 4)) ELSE '****' END`;

/** Column names of a table, with nullability, read once per run (other migrations add columns). */
export async function columnsOf(db: Db, table: string): Promise<Map<string, { nullable: boolean }>> {
  const info = (await db(table).columnInfo()) as unknown as Record<string, { nullable: boolean }>;
  return new Map(Object.entries(info).map(([name, c]) => [name, { nullable: c.nullable }]));
}

export async function tableExists(db: Db, table: string): Promise<boolean> {
  return db.schema.hasTable(table);
}
