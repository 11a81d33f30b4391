/**
 * ISO-8601 durations, dates and repeating intervals as BPMN timers use them. Pure functions with
 * no clock of their own, so the workflow can use them deterministically.
 */
const DURATION = /^(-)?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Milliseconds of an ISO-8601 duration, or null if it is not one. Years and months count as
 * 365 and 30 days: statutory deadlines are written in days, and a timer needs one number.
 */
export function durationMs(text: string): number | null {
  const m = DURATION.exec(text.trim());
  if (!m || text.trim() === 'P' || /T$/.test(text.trim())) return null;
  const [, negative, y, mo, w, d, h, mi, s] = m;
  const n = (v: string | undefined) => (v ? Number(v) : 0);
  const ms = n(y) * 365 * DAY + n(mo) * 30 * DAY + n(w) * 7 * DAY + n(d) * DAY + n(h) * HOUR + n(mi) * MINUTE + n(s) * SECOND;
  return negative ? -ms : Math.round(ms);
}

/** Epoch milliseconds of an ISO-8601 date or date-time with a zone, or null. */
export function dateMs(text: string): number | null {
  const t = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(t)) return null;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : ms;
}

export interface Cycle {
  /** null means repeat for as long as the task is open. */
  repetitions: number | null;
  intervalMs: number;
}

/** "R3/PT1H" → 3 × 1 h; "R/PT10M" → unbounded; a plain duration → once. */
export function cycle(text: string): Cycle | null {
  const t = text.trim();
  const m = /^R(\d*)\/(P.+)$/.exec(t);
  if (m) {
    const intervalMs = durationMs(m[2]);
    if (intervalMs === null || intervalMs <= 0) return null;
    return { repetitions: m[1] === '' ? null : Number(m[1]), intervalMs };
  }
  const once = durationMs(t);
  return once !== null && once > 0 ? { repetitions: 1, intervalMs: once } : null;
}
