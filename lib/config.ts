import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/**
 * All configuration comes from environment variables, parsed once here so that a typo in a
 * deployment fails at start with the variable's name instead of somewhere deep at run time.
 */
const intFromEnv = (fallback: number) =>
  z.coerce.number().int().positive().optional().transform((v) => v ?? fallback);

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  PORT: intFromEnv(3000),
  DATABASE_URL: z.string().default('mysql://root@127.0.0.1:3306/propsvc'),
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
  LOCKOUT_THRESHOLD: intFromEnv(5),
  LOCKOUT_MINUTES: intFromEnv(15),
  SESSION_TTL_HOURS: intFromEnv(12),
  COOKIE_SECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  SMS_PORTS: z.string().default(''),
  /** The SMS worker's queue; tests give each file its own so workers never share. */
  SMS_TASK_QUEUE: z.string().default('sms'),
  UI_DIST_DIR: z.string().default(path.resolve(__dirname, '..', 'admin-ui', 'dist')),
});

export type Config = z.infer<typeof EnvSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
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
