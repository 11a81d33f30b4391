import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import pino from 'pino';
import { createApp } from '../../api/app';
import { loadConfig, type Config } from '../../lib/config';
import { lazyTemporalClient, type LazyTemporalClient } from '../../lib/temporal/client';

/**
 * The real express app over the bench database, listening on a free loopback port. Without a
 * Temporal address the client is never connected (it connects lazily, on the first command),
 * which is all the lists need. Rate limits are off: the bench signs in and lists far faster
 * than a person.
 */
export interface RunningApp {
  base: string;
  temporal: LazyTemporalClient;
  close(): Promise<void>;
}

export async function startApp(db: Knex, databaseUrl: string, overrides: Partial<Config> = {}, temporalAddress = '127.0.0.1:1'): Promise<RunningApp> {
  const config = { ...loadConfig({ ...process.env, RATE_LIMITS: 'off', DATABASE_URL: databaseUrl }), UI_DIST_DIR: '/nonexistent', ...overrides };
  const temporal = lazyTemporalClient(temporalAddress, 'default');
  const app = createApp({ config, db, log: pino({ level: 'silent' }), temporal });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    temporal,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await temporal.close();
    },
  };
}
