/**
 * The job workers allowed to take external jobs (docs/process-engine.md, "External jobs"), from
 * JOB_WORKERS: `name:token:types` entries separated by `;`, types a comma list of job types,
 * each exact or ending in `*` (a prefix; `*` alone: every type). A worker sees and reports only
 * jobs of its types, so an RPA robot's token cannot complete the ERP's jobs.
 *
 *   JOB_WORKERS="erp:3f9c…(≥ 24 characters):erp-check,erp-pay;rpa:8a1d…:rpa-*"
 */
export interface JobWorkerSpec {
  name: string;
  token: string;
  types: string[];
}

const NAME = /^[a-z][a-z0-9_-]{0,31}$/;
const TYPE = /^[A-Za-z0-9_.:-]{1,128}\*?$|^\*$/;
export const MIN_TOKEN_LENGTH = 24;

/** Parses JOB_WORKERS; throws naming the entry that is wrong. */
export function parseJobWorkers(text: string): JobWorkerSpec[] {
  const workers: JobWorkerSpec[] = [];
  for (const [i, entry] of text
    .split(';')
    .map((e) => e.trim())
    .filter(Boolean)
    .entries()) {
    const [name = '', token = '', types = ''] = entry.split(':');
    const where = `entry ${i + 1}${name ? ` (${name})` : ''}`;
    if (entry.split(':').length !== 3) throw new Error(`${where}: expected name:token:types`);
    if (!NAME.test(name)) throw new Error(`${where}: the name must be lower-case letters, digits, "_" or "-" (at most 32)`);
    if (token.length < MIN_TOKEN_LENGTH) throw new Error(`${where}: the token must be at least ${MIN_TOKEN_LENGTH} characters`);
    const list = types
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    if (!list.length || list.some((t) => !TYPE.test(t))) throw new Error(`${where}: types must be job types (letters, digits, _ . : -), each optionally ending in *`);
    if (workers.some((w) => w.name === name)) throw new Error(`${where}: the name is used twice`);
    if (workers.some((w) => w.token === token)) throw new Error(`${where}: the token is used twice`);
    workers.push({ name, token, types: list });
  }
  return workers;
}

/** Whether a worker of these types may take jobs of `type`. */
export function workerTakes(types: readonly string[], type: string): boolean {
  return types.some((t) => (t.endsWith('*') ? type.startsWith(t.slice(0, -1)) : t === type));
}
