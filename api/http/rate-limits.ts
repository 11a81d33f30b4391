import type { Request, RequestHandler, Response, Router } from 'express';
import { rateLimit, ipKeyGenerator, type Options, type Store } from 'express-rate-limit';
import type { Knex } from 'knex';
import { countHit, readHits, resetHits, sweepExpiredHits, uncountHit } from '../../db/rate-limits';
import { HttpError } from './errors';

/**
 * Rate limits (R4): per client address on everything anonymous, and per target where one
 * target is worth guessing at (an account, a case number) or costs money per request (an SMS
 * reminder). Counters live in MySQL (db/rate-limits.ts), so the limits hold across every API
 * process behind a load balancer, and survive a restart. The one list of limits, documented in
 * docs/security.md.
 */
export interface LimitSpec {
  /** Counter name, part of the key. */
  name: string;
  /** What the 429 says is limited, in words. */
  what: string;
  windowMs: number;
  limit: number;
  /** Count only failures (a right password or a found case costs nothing). */
  failuresOnly?: boolean;
  /** Count only successes (a refused reminder sent no SMS). */
  successesOnly?: boolean;
  key: (req: Request) => string | null;
}

const MINUTE = 60_000;
const clientAddress = (req: Request) => ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');

export const LIMITS = {
  anonymous: { name: 'anon-ip', what: 'requests without signing in from your address', windowMs: MINUTE, limit: 300, key: (req) => (req.user || req.jobWorker ? null : clientAddress(req)) },
  // A job worker polls and reports for many cases: its own budget, per configured worker.
  jobWorker: { name: 'job-worker', what: 'requests of this job worker', windowMs: MINUTE, limit: 3000, key: (req) => (req.jobWorker ? req.jobWorker.name : null) },
  signedIn: { name: 'user', what: 'requests of your account', windowMs: MINUTE, limit: 1200, key: (req) => (req.user ? String(req.user.id) : null) },
  loginAddress: { name: 'login-ip', what: 'failed sign-ins from your address', windowMs: 15 * MINUTE, limit: 30, failuresOnly: true, key: clientAddress },
  loginAccount: {
    name: 'login-user',
    what: 'failed sign-ins for this username',
    windowMs: 15 * MINUTE,
    limit: 10,
    failuresOnly: true,
    key: (req) => (typeof req.body?.username === 'string' ? req.body.username.trim().toLowerCase().slice(0, 64) : null),
  },
  lookupAddress: { name: 'lookup-ip', what: 'public case look-ups from your address', windowMs: 10 * MINUTE, limit: 20, key: clientAddress },
  lookupCase: { name: 'lookup-case', what: 'wrong check codes for this case number', windowMs: 60 * MINUTE, limit: 10, failuresOnly: true, key: (req) => String(req.params.number ?? '').slice(0, 64) },
  remindTask: { name: 'remind-task', what: 'reminders (each an SMS) for this task', windowMs: 10 * MINUTE, limit: 1, successesOnly: true, key: (req) => String(req.params.id ?? '') },
  remindUser: { name: 'remind-user', what: 'reminders (each an SMS) you sent', windowMs: 60 * MINUTE, limit: 20, successesOnly: true, key: (req) => (req.user ? String(req.user.id) : null) },
  // A ledger reads up to a hundred thousand rows: a budget of its own, per account.
  exportUser: { name: 'export-user', what: 'Excel exports of your account', windowMs: 10 * MINUTE, limit: 30, key: (req) => (req.user ? String(req.user.id) : null) },
} satisfies Record<string, LimitSpec>;

/** express-rate-limit's store interface over the shared MySQL counters. */
class MysqlStore implements Store {
  windowMs = MINUTE;
  prefix: string;
  /** Counted in a table every process shares. */
  localKeys = false;
  private sweeps = 0;
  constructor(
    private readonly db: Knex,
    name: string,
  ) {
    this.prefix = `${name}:`;
  }
  init(options: Options): void {
    this.windowMs = options.windowMs;
  }
  async get(key: string) {
    return readHits(this.db, this.prefix + key);
  }
  async increment(key: string) {
    // Now and then, clear windows long run out (bounded, off the answer's path).
    if (++this.sweeps % 500 === 0) void sweepExpiredHits(this.db).catch(() => undefined);
    return countHit(this.db, this.prefix + key, this.windowMs);
  }
  async decrement(key: string) {
    await uncountHit(this.db, this.prefix + key);
  }
  async resetKey(key: string) {
    await resetHits(this.db, this.prefix + key);
  }
}

export function limiter(db: Knex, spec: LimitSpec): RequestHandler {
  return rateLimit({
    windowMs: spec.windowMs,
    limit: spec.limit,
    store: new MysqlStore(db, spec.name),
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // With the database down nothing else works either; the limit must not turn that into 500s.
    passOnStoreError: true,
    skip: (req) => spec.key(req) === null,
    keyGenerator: (req) => spec.key(req) ?? '',
    skipSuccessfulRequests: spec.failuresOnly ?? false,
    skipFailedRequests: spec.successesOnly ?? false,
    handler: (req: Request, res: Response, next) => {
      const resetTime = (req as Request & { rateLimit?: { resetTime?: Date; used?: number } }).rateLimit?.resetTime;
      const seconds = Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now() + spec.windowMs) - Date.now()) / 1000));
      res.setHeader('Retry-After', String(seconds));
      // The operation log records the first refusal of a window, not each of a flood's requests.
      const used = (req as Request & { rateLimit?: { used?: number } }).rateLimit?.used ?? 0;
      if (used > spec.limit + 1) res.locals.auditSkip = true;
      next(
        new HttpError(429, 'rate_limited', `Too many ${spec.what}: at most ${spec.limit} in ${Math.round(spec.windowMs / MINUTE)} min; try again in ${seconds} s`, [
          { field: spec.name, reason: `limit ${spec.limit} per ${Math.round(spec.windowMs / MINUTE)} min` },
        ]),
      );
    },
  });
}

/** Mounts the limits on the API router, before any route (the general ones first). */
export function registerRateLimits(router: Router, db: Knex): void {
  router.use('/api', limiter(db, LIMITS.anonymous), limiter(db, LIMITS.signedIn), limiter(db, LIMITS.jobWorker));
  router.post('/api/auth/login', limiter(db, LIMITS.loginAddress), limiter(db, LIMITS.loginAccount));
  router.get('/api/public/cases/:number', limiter(db, LIMITS.lookupAddress), limiter(db, LIMITS.lookupCase));
  router.post('/api/tasks/:id/remind', limiter(db, LIMITS.remindTask), limiter(db, LIMITS.remindUser));
  router.get(/^\/api\/.+\/export$/, limiter(db, LIMITS.exportUser));
}
