import type { Knex } from 'knex';
import type { JobChange } from '../../lib/cases/changes';

/**
 * External jobs (case_jobs, migration 121; docs/process-engine.md "External jobs"). The case
 * workflow opens and closes them through the case writer; job workers lock them here
 * (activate) and report a failure with retries left. Completing, throwing an error and failing
 * for good go to the workflow (api/routes/jobs.ts), which closes the row itself.
 */

export interface JobRow {
  id: number;
  case_id: number;
  job_key: string;
  node_id: string;
  type: string;
  status: string;
  retries: number;
  available_at: Date;
  worker: string | null;
  activations: number;
  error_message: string | null;
  created_at: Date;
}

/** A locked job as a worker receives it. */
export interface ActivatedJob extends JobRow {
  variables: Record<string, unknown>;
  headers: Record<string, string>;
  case_number: string;
  process_key: string;
  process_version: number;
  workflow_id: string;
}

/** The case writer's part (db/cases/writer.ts): opened rows are inserted once, closing is absolute. */
export async function writeJobChanges(trx: Knex.Transaction, caseId: number, jobs: JobChange[]): Promise<void> {
  for (const j of jobs) {
    if (j.open) {
      const at = new Date(j.createdAt);
      await trx('case_jobs')
        .insert({ case_id: caseId, job_key: j.key, node_id: j.nodeId, type: j.type, status: 'open', retries: j.retries, available_at: at, variables: JSON.stringify(j.variables), headers: JSON.stringify(j.headers), created_at: at })
        .onConflict(['case_id', 'job_key'])
        .ignore();
    } else {
      // The snapshot of variables was only the worker's; a closed job keeps its outcome, not the data.
      await trx('case_jobs')
        .where({ case_id: caseId, job_key: j.key })
        .update({ status: j.status, closed_at: new Date(j.closedAt), variables: null });
    }
  }
}

const parse = <T>(value: unknown, empty: T): T => (value == null ? empty : typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));

/**
 * Locks up to `max` open jobs of one type that are available now, for `timeoutMs`, to `worker`
 * (Zeebe's ActivateJobs). Rows other activations hold are skipped, not waited for, so workers
 * polling together each get different jobs. One range of `case_jobs_activatable`, bounded.
 */
export async function activateJobs(db: Knex, req: { type: string; worker: string; max: number; timeoutMs: number }): Promise<ActivatedJob[]> {
  return db.transaction(async (trx) => {
    const now = new Date();
    const ids = (await trx('case_jobs').where({ type: req.type, status: 'open' }).where('available_at', '<=', now).orderBy('available_at').limit(req.max).forUpdate().skipLocked().pluck('id')) as number[];
    if (!ids.length) return [];
    await trx('case_jobs')
      .whereIn('id', ids)
      .update({ worker: req.worker, available_at: new Date(now.getTime() + req.timeoutMs), activations: trx.raw('activations + 1') });
    const rows = (await trx('case_jobs as j').join('cases as c', 'c.id', 'j.case_id').whereIn('j.id', ids).orderBy('j.id').select('j.*', 'c.number as case_number', 'c.process_key', 'c.process_version', 'c.workflow_id')) as Array<
      Record<string, unknown>
    >;
    return rows.map((r) => ({ ...(r as unknown as ActivatedJob), variables: parse(r.variables, {}), headers: parse(r.headers, {}) }));
  });
}

/** One job with its case's workflow, for completing or failing it. */
export async function jobById(db: Knex, id: number): Promise<(JobRow & { workflow_id: string; case_status: string }) | undefined> {
  return (await db('case_jobs as j')
    .join('cases as c', 'c.id', 'j.case_id')
    .where('j.id', id)
    .first('j.id', 'j.case_id', 'j.job_key', 'j.node_id', 'j.type', 'j.status', 'j.retries', 'j.available_at', 'j.worker', 'j.activations', 'j.error_message', 'j.created_at', 'c.workflow_id', 'c.status as case_status')) as
    (JobRow & { workflow_id: string; case_status: string }) | undefined;
}

/**
 * A worker's failure with retries left: the job waits `backoffMs`, then may be activated again.
 * Only an open job changes (one the workflow closed meanwhile stays closed); answers whether it did.
 */
export async function failJobForRetry(db: Knex, id: number, f: { retries: number; errorMessage: string; backoffMs: number }): Promise<boolean> {
  const n = await db('case_jobs')
    .where({ id, status: 'open' })
    .update({ retries: f.retries, error_message: f.errorMessage.slice(0, 2000) || null, worker: null, available_at: new Date(Date.now() + f.backoffMs) });
  return n > 0;
}

/** A case's jobs, newest first (the case page and the operators' view); a case has few. */
export async function jobsOfCase(db: Knex, caseId: number): Promise<JobRow[]> {
  return (await db('case_jobs')
    .where('case_id', caseId)
    .orderBy('id', 'desc')
    .limit(200)
    .select('id', 'case_id', 'job_key', 'node_id', 'type', 'status', 'retries', 'available_at', 'worker', 'activations', 'error_message', 'created_at')) as JobRow[];
}
