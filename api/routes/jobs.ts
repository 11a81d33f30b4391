import type { Knex } from 'knex';
import { z } from 'zod';
import { workerTakes } from '../../lib/jobs/workers';
import type { LazyTemporalClient } from '../../lib/temporal/client';
import { reportJobUpdate, type JobReport } from '../../workflows/case/contract';
import { activateJobs, failJobForRetry, jobById } from '../../db/cases/jobs';
import type { JobWorker } from '../auth/job-workers';
import { sendToCase } from '../cases/access';
import { conflict, forbidden, notFound, outOfScope } from '../http/errors';
import type { Api } from '../http/route';
import { Variables } from '../http/variables';

/**
 * External jobs for job workers (docs/process-engine.md, "External jobs"), shaped after
 * Zeebe's job API: activate (lock jobs of a type), complete, fail (with retries left: again
 * after a back-off; none left: an incident), throw a BPMN error. A worker authenticates with
 * its JOB_WORKERS token and reaches only jobs of its own types; a job of another type answers
 * 404 as if missing (its existence is not the worker's business) and is logged as denied.
 */
const JobParams = z.object({ key: z.coerce.number().int().positive().openapi({ description: 'The job key answered by activate' }) });
const JobType = z.string().trim().min(1).max(128);

const ActivateBody = z.object({
  type: JobType,
  maxJobsToActivate: z.number().int().min(1).max(32).default(1),
  /** How long the jobs stay locked to this worker, in milliseconds (Zeebe's `timeout`). */
  timeout: z.number().int().min(1000).max(3_600_000).default(300_000),
});
const CompleteBody = z.object({ variables: Variables.default({}) });
const FailBody = z.object({
  retries: z.number().int().min(0).max(100),
  errorMessage: z.string().max(2000).default(''),
  /** Milliseconds before a job with retries left may be activated again. */
  retryBackOff: z.number().int().min(0).max(86_400_000).default(0),
});
const ErrorBody = z.object({ errorCode: z.string().trim().min(1).max(128), errorMessage: z.string().max(2000).optional(), variables: Variables.optional() });

export function registerJobRoutes(api: Api, db: Knex, temporal: LazyTemporalClient): void {
  /** The job a worker names: open, of its types, locked by it (activated and not since taken by another). */
  const workersJob = async (key: number, worker: JobWorker) => {
    const job = await jobById(db, key);
    if (!job) throw notFound('Job');
    if (!workerTakes(worker.types, job.type)) throw outOfScope('Job', 'job', key);
    if (job.status !== 'open') throw conflict(`The job is ${job.status}`);
    if (job.worker !== worker.name) throw conflict('The job is not activated by this worker: activate it first');
    return job;
  };
  const report = async (workflowId: string, r: JobReport) => sendToCase(async () => (await temporal.get()).workflow.getHandle(workflowId).executeUpdate(reportJobUpdate, { args: [r] }));

  api.add({
    method: 'post',
    path: '/api/jobs/activate',
    summary: 'Lock up to maxJobsToActivate open jobs of a type for timeout ms and receive them with their variables',
    tags: ['jobs'],
    action: 'jobs.activate',
    access: 'job-worker',
    body: ActivateBody,
    handler: async ({ body, worker, res, audit }) => {
      if (!workerTakes(worker.types, body.type)) throw forbidden(`The job type ${body.type} is not one of this worker's`);
      const jobs = await activateJobs(db, { type: body.type, worker: worker.name, max: body.maxJobsToActivate, timeoutMs: body.timeout });
      // Workers poll: an empty poll is no operation worth a log row; a handover of case data is.
      if (jobs.length) await audit(db, { targetType: 'job', targetId: jobs[0].id, detail: { type: body.type, jobs: jobs.map((j) => j.id), cases: [...new Set(jobs.map((j) => j.case_number))] } });
      else res.locals.auditSkip = true;
      return {
        jobs: jobs.map((j) => ({
          key: String(j.id),
          type: j.type,
          caseId: j.case_id,
          caseNumber: j.case_number,
          processKey: j.process_key,
          processVersion: j.process_version,
          elementId: j.node_id,
          retries: j.retries,
          deadline: j.available_at.toISOString(),
          worker: worker.name,
          customHeaders: j.headers,
          variables: j.variables,
        })),
      };
    },
  });

  api.add({
    method: 'post',
    path: '/api/jobs/:key/complete',
    summary: 'Complete an activated job; its variables go into the case (or through its output mappings)',
    tags: ['jobs'],
    action: 'jobs.complete',
    access: 'job-worker',
    params: JobParams,
    body: CompleteBody,
    status: 204,
    handler: async ({ params, body, worker, audit }) => {
      const job = await workersJob(params.key, worker);
      await report(job.workflow_id, { kind: 'complete', jobKey: job.job_key, type: job.type, worker: worker.name, variables: body.variables });
      await audit(db, { status: 204, targetType: 'job', targetId: job.id, detail: { type: job.type, caseId: job.case_id, variables: Object.keys(body.variables) } });
    },
  });

  api.add({
    method: 'post',
    path: '/api/jobs/:key/fail',
    summary: 'Report a failure: with retries left the job is activatable again after retryBackOff ms; with none the case stops at an incident',
    tags: ['jobs'],
    action: 'jobs.fail',
    access: 'job-worker',
    params: JobParams,
    body: FailBody,
    status: 204,
    handler: async ({ params, body, worker, audit }) => {
      const job = await workersJob(params.key, worker);
      if (body.retries > 0) {
        if (!(await failJobForRetry(db, job.id, { retries: body.retries, errorMessage: body.errorMessage, backoffMs: body.retryBackOff }))) throw conflict('The job was closed meanwhile');
      } else {
        await report(job.workflow_id, { kind: 'fail', jobKey: job.job_key, type: job.type, worker: worker.name, errorMessage: body.errorMessage || 'the job worker reported a failure' });
      }
      await audit(db, { status: 204, targetType: 'job', targetId: job.id, detail: { type: job.type, caseId: job.case_id, retries: body.retries, errorMessage: body.errorMessage.slice(0, 200) } });
    },
  });

  api.add({
    method: 'post',
    path: '/api/jobs/:key/error',
    summary: 'Throw a BPMN error from the job, for an error boundary event of its task (none catching it: an incident)',
    tags: ['jobs'],
    action: 'jobs.error',
    access: 'job-worker',
    params: JobParams,
    body: ErrorBody,
    status: 204,
    handler: async ({ params, body, worker, audit }) => {
      const job = await workersJob(params.key, worker);
      await report(job.workflow_id, { kind: 'error', jobKey: job.job_key, type: job.type, worker: worker.name, errorCode: body.errorCode, errorMessage: body.errorMessage, variables: body.variables });
      await audit(db, { status: 204, targetType: 'job', targetId: job.id, detail: { type: job.type, caseId: job.case_id, errorCode: body.errorCode } });
    },
  });
}
