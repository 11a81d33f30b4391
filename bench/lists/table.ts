import type { Row } from './measure';

/**
 * Marks a line when the API is slow in absolute terms (p95 over SLOW_MS) or far from what the
 * page must cost: ratio = p95 / (bare p50 + floor p50), where bare is the hand-written query
 * for the same page's rows and columns and floor the same user's trivial signed-in HTTP call.
 */
export const SLOW_MS = 50;
export const MAX_RATIO = 3;

const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');

export const LEGEND = [
  `p50/p95: the list over HTTP as the UI asks for it, signed in. bare p50: hand-written SQL of the same page (same`,
  `rows, columns and name joins, best index, one statement). floor p50: GET /api/auth/me as the same user, just`,
  `before the list (session check, express, JSON, HTTP). ratio = p95 / (bare p50 + floor p50): the API's p95 over`,
  `the least any page costs. Marked SLOW when p95 > ${SLOW_MS} ms, >${MAX_RATIO}x when ratio > ${MAX_RATIO}.`,
];

export function printTable(rows: Row[], out: (line: string) => void = console.log): void {
  const header = ['list', 'user', 'variant', 'rows total', 'n', 'p50 ms', 'p95 ms', 'bare p50', 'floor p50', 'ratio', ''];
  const judged = rows.map((r) => {
    const ratio = r.p95 / (r.bareP50 + r.floorP50);
    const marks = Number.isFinite(r.p95) ? [r.p95 > SLOW_MS ? 'SLOW' : '', ratio > MAX_RATIO ? `>${MAX_RATIO}x` : ''].filter(Boolean) : [];
    const cells = [r.list, r.user, r.variant, r.total, String(r.samples), ms(r.p50), ms(r.p95), ms(r.bareP50), ms(r.floorP50), Number.isFinite(ratio) ? ratio.toFixed(1) : '-', marks.length ? marks.join(' ') : (r.note ?? '')];
    return { cells, marked: marks.length > 0, failed: !Number.isFinite(r.p95) };
  });
  // Widths by code points: the search terms are Chinese (two columns each on a terminal).
  const width = (s: string) => Array.from(s).reduce((w, ch) => w + (/[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1), 0);
  const widths = header.map((h, i) => Math.max(width(h), ...judged.map((l) => width(l.cells[i]))));
  const right = new Set([3, 4, 5, 6, 7, 8, 9]);
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? ' '.repeat(widths[i] - width(c)) + c : c + ' '.repeat(widths[i] - width(c))))
      .join('  ')
      .trimEnd();
  for (const l of LEGEND) out(l);
  out('');
  out(fmt(header));
  out(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of judged) out(fmt(l.cells));
  const marked = judged.filter((l) => l.marked).length;
  const failed = judged.filter((l) => l.failed).length;
  out(`\n${marked} of ${judged.length} lines marked (p95 > ${SLOW_MS} ms or ratio > ${MAX_RATIO})${failed ? `; ${failed} not timed (the API answered an error)` : ''}.`);
}
