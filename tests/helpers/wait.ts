/**
 * The one way tests wait: poll a condition until it answers something truthy, never a timed
 * assertion. A thrown error counts as "not yet" and is reported if the wait runs out.
 */
export interface WaitOptions {
  /** How long before giving up (default 60 s: long enough for a loaded 2-core CI machine). */
  timeoutMs?: number;
  /** Pause between polls (default 200 ms). */
  everyMs?: number;
}

export async function waitFor<T>(what: string, check: () => T | Promise<T>, opts: WaitOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const everyMs = opts.everyMs ?? 200;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
