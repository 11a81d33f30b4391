import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

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
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_PORT: intFromEnv(7233),
  TEMPORAL_UI_PORT: intFromEnv(8233),
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
  LOCKOUT_THRESHOLD: intFromEnv(5),
  LOCKOUT_MINUTES: intFromEnv(15),
  SESSION_TTL_HOURS: intFromEnv(12),
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

const ConfigSchema = EnvSchema.transform((c) => ({ ...c, COOKIE_SECURE: c.COOKIE_SECURE ?? c.NODE_ENV === 'production' }));

export type Config = z.infer<typeof ConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
}

/** Task queues are part of the contract between the API, the workers and the workflows. */
export const TASK_QUEUES = {
  approvals: 'approvals',
  sms: 'sms',
} as const;
