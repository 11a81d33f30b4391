import { durationMs } from '../bpmn/iso8601';

/**
 * Spans of time in users' words (issue 14): a form's duration field takes "10天", "12小时",
 * "1天12小时", "2周" or "30分钟" (an ISO-8601 duration such as P10D still passes), and the case
 * keeps the ISO-8601 duration its timers read; pages show it back as "10 天". One parser for the
 * server's check and the browser's.
 */
const UNITS: Array<{ words: string[]; iso: 'W' | 'D' | 'H' | 'M'; time: boolean }> = [
  { words: ['周', '星期', 'w', 'week', 'weeks'], iso: 'W', time: false },
  { words: ['天', '日', 'd', 'day', 'days'], iso: 'D', time: false },
  { words: ['小时', '个小时', '时', 'h', 'hour', 'hours'], iso: 'H', time: true },
  { words: ['分钟', '分', 'min', 'minute', 'minutes'], iso: 'M', time: true },
];
const PART = /(\d{1,4})\s*([^\d\s]+)/g;

/** The ISO-8601 duration a span in words (or already in ISO) stands for; null when it is neither. */
export function durationFromWords(text: string): string | null {
  const t = text.trim();
  if (!t) return null;
  if (/^P/i.test(t)) return durationMs(t.toUpperCase()) === null ? null : t.toUpperCase();
  const found = new Map<string, number>();
  let rest = t;
  for (const m of t.matchAll(PART)) {
    const unit = UNITS.find((u) => u.words.includes(m[2]!.toLowerCase()));
    if (!unit || found.has(unit.iso + unit.time)) return null;
    found.set(unit.iso + unit.time, Number(m[1]));
    rest = rest.replace(m[0], '');
  }
  if (!found.size || rest.trim() !== '') return null;
  const n = (iso: string, time: boolean) => found.get(iso + time);
  const date = [
    ['W', n('W', false)],
    ['D', n('D', false)],
  ]
    .filter(([, v]) => v !== undefined)
    .map(([u, v]) => `${v}${u}`)
    .join('');
  const time = [
    ['H', n('H', true)],
    ['M', n('M', true)],
  ]
    .filter(([, v]) => v !== undefined)
    .map(([u, v]) => `${v}${u}`)
    .join('');
  return `P${date}${time ? `T${time}` : ''}`;
}

const WORDS = {
  'zh-CN': { Y: '年', M: '个月', W: '周', D: '天', H: '小时', m: '分钟', S: '秒', join: ' ' },
  en: { Y: 'year', M: 'month', W: 'week', D: 'day', H: 'hour', m: 'minute', S: 'second', join: ' ' },
} as const;

/** An ISO-8601 duration in words ("P10D" → "10 天", "PT12H" → "12 小时"); anything else as it is. */
export function durationInWords(iso: string, locale: 'zh-CN' | 'en' = 'zh-CN'): string {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso.trim());
  if (!m || iso.trim() === 'P') return iso;
  const w = WORDS[locale];
  const parts = (['Y', 'M', 'W', 'D', 'H', 'm', 'S'] as const)
    .map((u, i) => [u, m[i + 1]] as const)
    .filter(([, v]) => v !== undefined)
    .map(([u, v]) => (locale === 'en' ? `${v} ${w[u]}${v === '1' ? '' : 's'}` : `${v} ${w[u]}`));
  return parts.length ? parts.join(w.join) : iso;
}
