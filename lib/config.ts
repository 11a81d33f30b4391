import os from 'node:os';
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { parseJobWorkers } from './jobs/workers';

/**
 * All configuration comes from environment variables, parsed once here so that a typo in a
 * deployment fails at start with the variable's name instead of somewhere deep at run time.
 */
const intFromEnv = (fallback: number) =>
  z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .transform((v) => v ?? fallback);

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  PORT: intFromEnv(3000),
  DATABASE_URL: z.string().default('mysql://root@127.0.0.1:3306/propsvc'),
  /** Port of the private database server `npm start` runs when DATABASE_URL is unset and nothing answers at the default (lib/database/private-server.ts). */
  PRIVATE_DB_PORT: intFromEnv(3307),
  /**
   * The account migrations run under (DDL, triggers, grants); the runtime DATABASE_URL account has
   * none of that (deploy/mysql/runtime-grants.sql). Required by `npm run migrate` in production;
   * elsewhere DATABASE_URL is used for both. `npm run audit:archive` deletes with it too.
   */
  DATABASE_MIGRATION_URL: z
    .string()
    .optional()
    .transform((v) => v?.trim() || undefined),
  /**
   * The account backups dump the database with (SELECT, SHOW VIEW, TRIGGER, LOCK TABLES, EVENT):
   * the runtime account lacks TRIGGER, and a dump under it would lose the operation log's
   * triggers, which the backup refuses. Defaults to DATABASE_URL (development, tests).
   */
  BACKUP_DATABASE_URL: z
    .string()
    .optional()
    .transform((v) => v?.trim() || undefined),
  /** Host part of the runtime account the grants go to ('propsvc'@'%' in docker-compose). */
  DATABASE_RUNTIME_ACCOUNT_HOST: z.string().default('%'),
  /** TLS to MySQL: PEM files (CA to verify the server; cert and key for a client certificate). `?ssl=true` in the URL turns TLS on with the system CAs. */
  DATABASE_TLS_CA: z
    .string()
    .optional()
    .transform((v) => v || undefined),
  DATABASE_TLS_CERT: z
    .string()
    .optional()
    .transform((v) => v || undefined),
  DATABASE_TLS_KEY: z
    .string()
    .optional()
    .transform((v) => v || undefined),
  /** TLS to Temporal's frontend (lib/temporal/tls.ts): PEM files, and the name on the server's certificate when it differs from the address. */
  TEMPORAL_TLS_CA: z
    .string()
    .optional()
    .transform((v) => v || undefined),
  TEMPORAL_TLS_CERT: z
    .string()
    .optional()
    .transform((v) => v || undefined),
  TEMPORAL_TLS_KEY: z
    .string()
    .optional()
    .transform((v) => v || undefined),
  TEMPORAL_TLS_SERVER_NAME: z
    .string()
    .optional()
    .transform((v) => v || undefined),
  /**
   * Which peers may tell the API the client's address (X-Forwarded-For) and scheme: "off" (the
   * default: the socket's peer is the client), a hop count, or the proxy's addresses/subnets
   * (comma-separated; loopback, linklocal and uniquelocal are accepted names). "true" is refused:
   * it would let any caller write the address the operation log records.
   */
  TRUST_PROXY: z
    .string()
    .default('off')
    .transform((v, ctx): false | number | string[] => {
      const s = v.trim();
      if (s === '' || s === 'off' || s === 'false' || s === '0') return false;
      if (/^\d+$/.test(s)) return Number(s);
      const entries = s
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean);
      const bad = entries.filter((e) => !['loopback', 'linklocal', 'uniquelocal'].includes(e) && !isIP(e.split('/')[0]));
      if (s === 'true' || bad.length) {
        ctx.addIssue({ code: 'custom', message: `"${s === 'true' ? s : bad.join(', ')}" is not a hop count or a proxy address (a blanket "true" is refused: anyone could then choose the logged address)` });
        return z.NEVER;
      }
      return entries;
    }),
  /** The operation log: days kept in the database (at least 180, 网络安全法 art. 21), and where the monthly archives go (DATA_DIR/audit-archives unless set). */
  AUDIT_RETENTION_DAYS: intFromEnv(180).refine((d) => d >= 180, 'must be at least 180 days (the operation log is kept at least six months)'),
  AUDIT_ARCHIVE_DIR: z
    .string()
    .optional()
    .transform((v) => v || undefined),
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_PORT: intFromEnv(7233),
  TEMPORAL_UI_PORT: intFromEnv(8233),
  /** How long the supervisor of that dev server waits before its first restart (doubling after each further one, up to 30 s). */
  TEMPORAL_RESTART_DELAY_MS: intFromEnv(1000).refine((ms) => ms >= 100 && ms <= 30_000, 'must be between 100 and 30000 ms'),
  /** The queue case workflows start on; tests give each file its own so workers never share. */
  APPROVALS_TASK_QUEUE: z.string().default('approvals'),
  /** Where case reminders are sent (the SMS worker's queue); empty: only recorded in the history. */
  CASE_SMS_TASK_QUEUE: z.string().default('sms'),
  DATA_DIR: z.string().default(path.resolve(__dirname, '..', 'data')),
  /** Uploaded and generated files; DATA_DIR/files unless set. */
  FILES_DIR: z.string().optional(),
  CACHE_DIR: z.string().default(path.join(os.homedir(), '.cache', 'property-platform')),
  /** Where `npm run backup` and the scheduled backup write their runs; DATA_DIR/backups unless set (docs/operations.md). */
  BACKUP_DIR: z.string().optional(),
  /** How many complete backup runs to keep; older ones are deleted after a new one is verified. */
  BACKUP_KEEP: intFromEnv(14),
  /** When the Temporal Schedule runs the backup (cron, in BACKUP_TIMEZONE); "off" removes the schedule. */
  BACKUP_CRON: z.string().default('30 2 * * *'),
  BACKUP_TIMEZONE: z.string().default('Asia/Shanghai'),
  /** When the Temporal Schedule runs the retention sweep (cron, in RETENTION_TIMEZONE); "off" removes the schedule (docs/retention.md). */
  RETENTION_CRON: z.string().default('15 3 * * *'),
  RETENTION_TIMEZONE: z.string().default('Asia/Shanghai'),
  /** When the Temporal Schedule runs the annual credit rating (cron, in CREDIT_RATING_TIMEZONE); "off" removes it (docs/credit.md). */
  CREDIT_RATING_CRON: z.string().default('30 1 1 1 *'),
  CREDIT_RATING_TIMEZONE: z.string().default('Asia/Shanghai'),
  /** Retention periods in days (docs/retention.md gives the reason for each default). */
  RETENTION_STAFF_LEFT_DAYS: intFromEnv(1095),
  RETENTION_DISABLED_ACCOUNT_DAYS: intFromEnv(365),
  RETENTION_COMMITTEE_MEMBER_DAYS: intFromEnv(1095),
  RETENTION_SMS_DAYS: intFromEnv(180),
  RETENTION_SESSION_DAYS: intFromEnv(30),
  /** Rows changed per statement (each batch is one short transaction). */
  RETENTION_BATCH_SIZE: intFromEnv(500),
  LOCKOUT_THRESHOLD: intFromEnv(5),
  LOCKOUT_MINUTES: intFromEnv(15),
  SESSION_TTL_HOURS: intFromEnv(12),
  /** A session unused this long ends (等保: 15–30 minutes), beside the absolute SESSION_TTL_HOURS. */
  SESSION_IDLE_MINUTES: intFromEnv(20).pipe(z.number().min(15, 'must be 15–30 minutes').max(30, 'must be 15–30 minutes')),
  /** A password older than this must be changed at the next request (the password_change_required gate). */
  PASSWORD_MAX_AGE_DAYS: intFromEnv(90),
  /** A new password may not be one of the account's last N (the current one included). */
  PASSWORD_HISTORY: intFromEnv(5),
  /** Send the session cookie over HTTPS only; on by default in production (behind a TLS proxy). */
  COOKIE_SECURE: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true')),
  /** Origins besides the API's own that may send state-changing requests (comma-separated), e.g. a UI on another host. */
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  /** Rate limits (docs/security.md); "off" only for test runs that sign in hundreds of times a minute. */
  RATE_LIMITS: z.enum(['on', 'off']).default('on'),
  SMS_PORTS: z.string().default(''),
  /** The SMS worker's queue; tests give each file its own so workers never share. */
  SMS_TASK_QUEUE: z.string().default('sms'),
  UI_DIST_DIR: z.string().default(path.resolve(__dirname, '..', 'admin-ui', 'dist')),
  /**
   * Job workers allowed to take external jobs over /api/jobs (lib/jobs/workers.ts):
   * `name:token:types` entries separated by ";". Unset: no worker may.
   */
  JOB_WORKERS: z
    .string()
    .default('')
    .transform((v, ctx) => {
      try {
        return parseJobWorkers(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /** Bearer token that lets a non-loopback caller read the API's GET /metrics; unset: loopback only. */
  METRICS_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** Where the workers' Temporal SDK serves its Prometheus metrics; the ports are off (unset) by default. */
  WORKER_METRICS_HOST: z.string().default('127.0.0.1'),
  APPROVALS_METRICS_PORT: z.coerce
    .number()
    .int()
    .positive()
    .max(65535)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  SMS_METRICS_PORT: z.coerce
    .number()
    .int()
    .positive()
    .max(65535)
    .optional()
    .or(z.literal('').transform(() => undefined)),
});

const ConfigSchema = EnvSchema.superRefine((c, ctx) => {
  // A session cookie sent over plain http can be read off the wire; production is behind the TLS proxy.
  if (c.NODE_ENV === 'production' && c.COOKIE_SECURE === false) ctx.addIssue({ code: 'custom', path: ['COOKIE_SECURE'], message: 'may not be false in production (the session cookie must be Secure)' });
}).transform((c) => ({ ...c, COOKIE_SECURE: c.COOKIE_SECURE ?? c.NODE_ENV === 'production' }));

export type Config = z.infer<typeof ConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
}

/** The file store every process reads and writes (API, approvals worker, backups, key rotation): FILES_DIR, else DATA_DIR/files. */
export const filesDirOf = (config: Pick<Config, 'FILES_DIR' | 'DATA_DIR'>): string => config.FILES_DIR ?? path.join(config.DATA_DIR, 'files');

/** Task queues are part of the contract between the API, the workers and the workflows. */
export const TASK_QUEUES = {
  approvals: 'approvals',
  sms: 'sms',
} as const;
