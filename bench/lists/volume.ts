/**
 * The volume a bench fills, as counts. BENCH_SCALE (default 1) scales every count, so the same
 * code can be tried quickly at 1 % before a full run.
 */
export interface Volume {
  cases: number;
  /** Task rows per case: every case has this many, the last one open while the case runs. */
  tasksPerCase: number;
  /** History rows per case. */
  historyPerCase: number;
  copies: number;
  projects: number;
  enterprises: number;
  staff: number;
  sms: number;
  operationLog: number;
}

export function volumeFromEnv(env: NodeJS.ProcessEnv = process.env): Volume {
  const scale = Number(env.BENCH_SCALE ?? 1);
  if (!(scale > 0 && scale <= 1)) throw new Error('BENCH_SCALE must be in (0, 1]');
  // Multiples of 100 keep the ratios (10 % running, one case in ten per district) exact.
  const n = (full: number, min: number) => Math.max(min, Math.round((full * scale) / 100) * 100);
  return {
    cases: n(200_000, 1_000),
    tasksPerCase: 5,
    historyPerCase: 10,
    copies: n(3_000, 100),
    projects: n(10_000, 100),
    enterprises: n(2_000, 100),
    staff: n(50_000, 500),
    sms: n(1_000_000, 1_000),
    operationLog: n(2_000_000, 1_000),
  };
}

/** The largest count one statement reads from the numbers table (bigger tables loop over passes). */
export const NUMBERS_SIZE = 1_000_000;
