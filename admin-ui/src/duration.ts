/**
 * A span of time in the reader's words: "2 天 3 小时", "45 分钟", "不足 1 分钟" (never an ISO
 * duration or a count of milliseconds). Two units at most, the larger first: a reader wants to
 * know "about how long", not the seconds.
 */
type Translate = (key: string, options?: Record<string, unknown>) => string;

const UNITS: Array<[unit: 'days' | 'hours' | 'minutes', ms: number]> = [
  ['days', 86_400_000],
  ['hours', 3_600_000],
  ['minutes', 60_000],
];

export function spanInWords(ms: number, translate: Translate): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 60_000) return translate('duration.under_a_minute');
  const first = UNITS.findIndex(([, size]) => ms >= size);
  const [unit, size] = UNITS[first];
  const whole = Math.floor(ms / size);
  const words = [translate(`duration.${unit}`, { smart_count: whole })];
  const next = UNITS[first + 1];
  if (next) {
    const more = Math.floor((ms - whole * size) / next[1]);
    if (more > 0) words.push(translate(`duration.${next[0]}`, { smart_count: more }));
  }
  return words.join(' ');
}
