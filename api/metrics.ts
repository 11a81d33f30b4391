import crypto from 'node:crypto';
import { listModems } from '../db/sms/modems';
import { outcomesByModem } from '../db/sms/stats';
import type { Request, RequestHandler, Router } from 'express';
import type { Knex } from 'knex';
import { openTaskCounts } from '../db/cases/tasks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { forbidden } from './http/errors';

/**
 * Prometheus metrics of the API process, on GET /metrics (docs/operations.md, "Metrics"):
 *   propsvc_http_request_duration_seconds{method,route,status}  latency by express route pattern
 *   propsvc_case_starts_total{process_key}                      cases started through this process
 *   propsvc_task_decisions_total{outcome}                       decisions taken through this process
 *   propsvc_open_tasks, propsvc_overdue_tasks                   from MySQL at scrape time
 *   propsvc_sms_messages{modem,outcome}                         SMS sent / failed per modem, from MySQL
 *   propsvc_sms_modem_ready{modem,port}                         1 when the modem last reported ready
 * plus Node's process metrics. Counters count what this process did since it started (Prometheus'
 * rate() and increase() handle restarts); the MySQL figures are the platform's, whichever process
 * is scraped, each query cached for a few seconds so a busy scraper costs little.
 * The Temporal SDK's own worker metrics are served by the workers themselves (APPROVALS_METRICS_PORT,
 * SMS_METRICS_PORT; lib/temporal/runtime-logger.ts).
 */
export interface ApiMetrics {
  registry: Registry;
  /** Times every request and counts case starts and decisions; mount first. */
  middleware: RequestHandler;
  /** GET /metrics, for loopback callers or with the token. */
  register(router: Router): void;
}

export const DB_CACHE_MS = 5_000;

export function createMetrics(db: Knex, opts: { token?: string; now?: () => number } = {}): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const now = opts.now ?? Date.now;

  const latency = new Histogram({
    name: 'propsvc_http_request_duration_seconds',
    help: 'HTTP request latency by express route pattern',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const caseStarts = new Counter({ name: 'propsvc_case_starts_total', help: 'Cases started (201 from POST /api/cases)', labelNames: ['process_key'] as const, registers: [registry] });
  const decisions = new Counter({ name: 'propsvc_task_decisions_total', help: 'Task decisions taken (200 from decide, or the applicant’s supply)', labelNames: ['outcome'] as const, registers: [registry] });

  const cached = <T>(load: () => Promise<T>) => {
    let value: { at: number; data: Promise<T> } | null = null;
    return () => {
      if (!value || now() - value.at > DB_CACHE_MS) {
        const data = load();
        value = { at: now(), data };
        data.catch(() => (value = null)); // a failed query is asked again at the next scrape
      }
      return value.data;
    };
  };
  // One indexed pass over case_tasks (status, due_at): open tasks, and those past their due time.
  const taskCounts = cached(() => openTaskCounts(db));
  // Covered by the (modem_imei, sent_at) index and the failed_at index respectively.
  const smsCounts = cached(async () => {
    const [{ sent, failed }, modems] = await Promise.all([outcomesByModem(db), listModems(db)]);
    return { sent, failed, modems: modems as Array<{ imei: string; port: string; status: string }> };
  });

  new Gauge({
    name: 'propsvc_open_tasks',
    help: 'Open tasks (case_tasks with status open), from MySQL',
    registers: [registry],
    async collect() {
      this.set((await taskCounts()).open);
    },
  });
  new Gauge({
    name: 'propsvc_overdue_tasks',
    help: 'Open tasks past their due time, from MySQL',
    registers: [registry],
    async collect() {
      this.set((await taskCounts()).overdue);
    },
  });
  new Gauge({
    name: 'propsvc_sms_messages',
    help: 'SMS messages ever sent or failed, per modem (IMEI; empty: failed before any modem took it), from MySQL',
    labelNames: ['modem', 'outcome'] as const,
    registers: [registry],
    async collect() {
      const { sent, failed } = await smsCounts();
      this.reset();
      for (const r of sent) this.set({ modem: r.modem_imei ?? '', outcome: 'sent' }, Number(r.n));
      for (const r of failed) this.set({ modem: r.modem_imei ?? '', outcome: 'failed' }, Number(r.n));
    },
  });
  new Gauge({
    name: 'propsvc_sms_modem_ready',
    help: 'Whether the modem last reported itself ready (1) or not (0), from MySQL',
    labelNames: ['modem', 'port'] as const,
    registers: [registry],
    async collect() {
      const { modems } = await smsCounts();
      this.reset();
      for (const m of modems) this.set({ modem: m.imei, port: m.port }, m.status === 'ready' ? 1 : 0);
    },
  });

  const middleware: RequestHandler = (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const route = routeOf(req);
      const status = res.statusCode;
      latency.observe({ method: req.method, route, status: String(status) }, Number(process.hrtime.bigint() - started) / 1e9);
      if (req.method !== 'POST') return;
      const body = (req.body ?? {}) as { processKey?: unknown; outcome?: unknown };
      if (route === '/api/cases' && status === 201 && typeof body.processKey === 'string') caseStarts.inc({ process_key: body.processKey });
      else if (route === '/api/tasks/:id/decide' && status === 200 && typeof body.outcome === 'string') decisions.inc({ outcome: body.outcome });
      else if (route === '/api/cases/:id/supply' && status === 200) decisions.inc({ outcome: 'supply' });
    });
    next();
  };

  return {
    registry,
    middleware,
    register(router) {
      router.get('/metrics', async (req, res, next) => {
        if (!mayReadMetrics(req, opts.token)) return next(forbidden('Metrics are served to loopback callers, or with the METRICS_TOKEN bearer token'));
        try {
          const text = await registry.metrics();
          res.setHeader('Content-Type', registry.contentType);
          res.setHeader('Cache-Control', 'no-store');
          res.send(text);
        } catch (err) {
          next(err);
        }
      });
    },
  };
}

/**
 * Who may read /metrics: a caller on loopback (Prometheus or an agent on the same host; behind
 * the trusted loopback proxy, `req.ip` is the address it forwarded, so an outside client relayed
 * by a local nginx is not loopback), or anyone presenting `Authorization: Bearer <METRICS_TOKEN>`
 * when a token is configured.
 */
export function mayReadMetrics(req: Pick<Request, 'ip' | 'headers'>, token: string | undefined): boolean {
  if (isLoopback(req.ip)) return true;
  if (!token) return false;
  const presented = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim() ?? '';
  const a = crypto.createHash('sha256').update(presented).digest();
  const b = crypto.createHash('sha256').update(token).digest();
  return presented.length > 0 && crypto.timingSafeEqual(a, b);
}

export function isLoopback(ip: string | undefined): boolean {
  if (!ip) return false;
  return ip === '::1' || /^127\./.test(ip) || /^::ffff:127\./i.test(ip);
}

/** The express route pattern that answered (never the raw URL, which would explode the label set). */
function routeOf(req: Request): string {
  const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path === 'string') return `${req.baseUrl ?? ''}${path}`;
  if (path instanceof RegExp || Array.isArray(path)) return '(admin-ui)';
  return '(unmatched)';
}
