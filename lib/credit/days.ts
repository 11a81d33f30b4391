import { z } from 'zod';

/** Today's date in Beijing (UTC+8, no daylight saving), YYYY-MM-DD: credit records and cycles run on Beijing calendar days. */
export function beijingToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** A DATE column as mysql2 hands it over (a Date at UTC midnight: db/connection.ts reads with `timezone: 'Z'`) as YYYY-MM-DD. */
export function dayOf(value: Date | string | null): string | null {
  if (value === null) return null;
  return typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10);
}

/** A Beijing calendar day as the API takes it: YYYY-MM-DD, and a day the calendar has (no 2026-02-30). */
export const calendarDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD')
  .refine((d) => {
    const t = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
  }, 'not a day of the calendar');
