import type { Knex } from 'knex';
import { OPEN_CASE_STATUSES } from '../../lib/cases/statuses';
import type { Scope } from '../../lib/roles';
import { whereInScope } from '../scope';
import { CASE_SCOPE } from './visibility';

/**
 * 在办 backlog by process for 工作台 (issue 14): how many cases in the viewer's scope are in
 * progress (办理中, 待补正, 异常), per process. The count reads at most BACKLOG_BOUND open cases
 * of the scope (through the scope's own (district|street, …) index, or (status, …) city-wide)
 * and groups those: a scope with more answers "at least", never a scan of the whole table.
 */
export const BACKLOG_BOUND = 5000;

export interface BacklogRow {
  process_key: string;
  open: number;
  supplement: number;
  incident: number;
}

export async function caseBacklog(db: Knex, scope: Scope): Promise<{ rows: BacklogRow[]; complete: boolean }> {
  if (scope.kind === 'none') return { rows: [], complete: true };
  const open = whereInScope(db('cases as c').select('c.process_key', 'c.status').whereIn('c.status', OPEN_CASE_STATUSES), scope, CASE_SCOPE).limit(BACKLOG_BOUND + 1);
  const read = (await db.select('b.process_key', 'b.status').count({ n: '*' }).from(open.as('b')).groupBy('b.process_key', 'b.status')) as Array<{ process_key: string; status: string; n: number | string }>;
  const byProcess = new Map<string, BacklogRow>();
  let total = 0;
  for (const r of read) {
    const row = byProcess.get(r.process_key) ?? { process_key: r.process_key, open: 0, supplement: 0, incident: 0 };
    const n = Number(r.n);
    total += n;
    row.open += n;
    if (r.status === 'supplement') row.supplement += n;
    if (r.status === 'incident') row.incident += n;
    byProcess.set(r.process_key, row);
  }
  return { rows: [...byProcess.values()].sort((a, b) => b.open - a.open), complete: total <= BACKLOG_BOUND };
}
