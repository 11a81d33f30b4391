import { z } from 'zod';

/**
 * Case variables as a client sends them — a start form's `formData`, a decision's `formData`, a
 * message's `variables`: identifier names, any JSON values, nested at most MAX_VARIABLE_DEPTH
 * levels and at most MAX_VARIABLES_BYTES long. JSON.parse reads any depth, but what reads a case's variables afterwards does not:
 * JSON.stringify (the case row, Temporal's payloads) overflows the stack at a few thousand
 * levels, which answered 500 to a body nested 10,000 deep. No form nests more than a handful.
 */
export const MAX_VARIABLE_DEPTH = 32;
/**
 * And at most this many bytes as JSON: a decision's formData and a message's variables are kept
 * in its case_history row, a TEXT column (64 KB) written with INSERT IGNORE, which cut a larger
 * value short without an error and left the case's history unreadable (GET …/history answered
 * 500). Forms carry file ids, not files; this is far above what any form sends.
 */
export const MAX_VARIABLES_BYTES = 48 * 1024;

/** Whether a JSON value nests deeper than `limit` (iteratively: a deep value must not overflow this check either). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

export const Variables = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'variable names are identifiers'), z.unknown()).superRefine((v, ctx) => {
  if (nestsDeeperThan(v, MAX_VARIABLE_DEPTH)) ctx.addIssue({ code: 'custom', message: `values may be nested at most ${MAX_VARIABLE_DEPTH} levels deep` });
  else if (Buffer.byteLength(JSON.stringify(v)) > MAX_VARIABLES_BYTES) ctx.addIssue({ code: 'custom', message: `may be at most ${MAX_VARIABLES_BYTES / 1024} KB as JSON` });
});
