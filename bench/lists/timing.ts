/**
 * Timing of repeated calls: warm-ups first (JIT, connection pool, buffer pool), then samples, with
 * a time budget so a list that is slow today cannot stretch the run past its ten minutes — at
 * least MIN_SAMPLES are taken whatever the budget (three for calls of a second or more).
 */
export const WARMUPS = 3;
export const SAMPLES = 20;
const MIN_SAMPLES = 5;
const BUDGET_MS = Number(process.env.BENCH_LIST_BUDGET_MS ?? 5_000);

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export interface Timing {
  samples: number[];
  p50: number;
  p95: number;
}

export async function timeCalls(call: () => Promise<unknown>): Promise<Timing> {
  const t0 = performance.now();
  for (let i = 0; i < WARMUPS; i++) {
    await call();
    // Slow calls need no more warming than one: the budget is better spent on samples.
    if (performance.now() - t0 > BUDGET_MS / 5) break;
  }
  const samples: number[] = [];
  const s0 = performance.now();
  // Calls of a second or more: three samples say enough (and keep the run within its minutes).
  const atLeast = () => (samples.length && samples[0] > 1_000 ? 3 : MIN_SAMPLES);
  while (samples.length < SAMPLES && (samples.length < atLeast() || performance.now() - s0 < BUDGET_MS)) {
    const t = performance.now();
    await call();
    samples.push(performance.now() - t);
  }
  return { samples, p50: percentile(samples, 50), p95: percentile(samples, 95) };
}
