import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { JobWorkerSpec } from '../../lib/jobs/workers';

/** The job worker a request's bearer token names (routes with access `job-worker`, api/routes/jobs.ts). */
export interface JobWorker {
  name: string;
  types: string[];
}

declare module 'express-serve-static-core' {
  interface Request {
    jobWorker?: JobWorker;
  }
}

const digest = (text: string) => crypto.createHash('sha256').update(text).digest();

/**
 * Recognises a configured job worker (JOB_WORKERS) by `Authorization: Bearer <token>` on the
 * job routes only: a token is no session and opens nothing else. Every configured token is
 * compared, in constant time, so the answer's timing does not tell how much of one matched.
 */
export function authenticateJobWorkers(workers: JobWorkerSpec[]) {
  const known = workers.map((w) => ({ name: w.name, types: w.types, digest: digest(w.token) }));
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!known.length || !req.path.startsWith('/jobs')) return next();
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!presented) return next();
    const d = digest(presented);
    let match: (typeof known)[number] | undefined;
    for (const w of known) if (crypto.timingSafeEqual(d, w.digest)) match = w;
    if (match) req.jobWorker = { name: match.name, types: match.types };
    next();
  };
}
