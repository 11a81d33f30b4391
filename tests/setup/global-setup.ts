import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { provisionTemporal, type TemporalServer } from '../../lib/temporal/provision';
import { createDb } from '../../db/connection';
import { freePort } from '../helpers/ports';
import { markTestRun } from './leftover-processes';

/**
 * Starts the real services the tests need, once per run: a Temporal dev server of its own
 * (headless, on a free port, state in a temporary folder) and a check that MariaDB answers.
 * Environment variables set here reach every test worker.
 */
export default async function globalSetup(): Promise<void> {
  const config = loadConfig({ ...process.env, NODE_ENV: 'test' });
  const log = createLogger('test-setup', process.env.TEST_LOG_LEVEL ?? 'warn');

  const serverUrl = new URL(process.env.TEST_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/test');
  const probe = createDb(serverUrl.toString(), { min: 0, max: 1 });
  try {
    await probe.raw('SELECT 1');
  } catch (err) {
    throw new Error(`MariaDB/MySQL is not reachable at ${serverUrl.host} (${String(err)}). Start it (see README) or set TEST_DATABASE_URL.`, { cause: err });
  } finally {
    await probe.destroy();
  }
  process.env.TEST_DATABASE_URL = serverUrl.toString();
  process.env.TEST_DB_PREFIX = `psp_t${process.pid}`;
  // Every process a test starts inherits this; the teardown fails the run if one is left running.
  markTestRun();
  // Test files sign in hundreds of times a minute from one address; tests/security/rate-limits
  // turns the limits on for its own app.
  process.env.RATE_LIMITS ??= 'off';

  let temporal: TemporalServer;
  if (process.env.TEST_TEMPORAL_ADDRESS) {
    temporal = await provisionTemporal({ log, namespace: 'default', configuredAddress: process.env.TEST_TEMPORAL_ADDRESS, dataDir: '', cacheDir: config.CACHE_DIR, port: 0, uiPort: false });
  } else {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'psp-temporal-'));
    temporal = await provisionTemporal({ log, namespace: 'default', dataDir, cacheDir: config.CACHE_DIR, port: await freePort(), uiPort: false, reuseRunning: false });
    (globalThis as Record<string, unknown>).__TEMPORAL_DATA_DIR__ = dataDir;
  }
  process.env.TEMPORAL_ADDRESS = temporal.address;
  (globalThis as Record<string, unknown>).__TEMPORAL_SERVER__ = temporal;
}
