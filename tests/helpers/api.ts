import type { Knex } from 'knex';
import request from 'supertest';
import type { Express } from 'express';
import pino from 'pino';
import { createApp } from '../../api/app';
import { loadConfig, type Config } from '../../lib/config';
import { lazyTemporalClient, type LazyTemporalClient } from '../../lib/temporal/client';
import { DEMO_PASSWORD } from '../../db/seeds/demo';
import { demoLoginBody, forgetDemoSteps } from './totp';

export { demoLoginBody } from './totp';

/** The real express app over a test database and the global setup's Temporal server. */
export function testApp(db: Knex, opts: { config?: Partial<Config>; temporal?: LazyTemporalClient } = {}): { app: Express; temporal: LazyTemporalClient } {
  // supertest stands in for the TLS proxy on loopback (TRUST_PROXY is off by default).
  const config = { ...loadConfig({ TRUST_PROXY: 'loopback', ...process.env, NODE_ENV: 'test', UI_DIST_DIR: '/nonexistent' }), ...opts.config };
  const temporal = opts.temporal ?? lazyTemporalClient(process.env.TEMPORAL_ADDRESS!, 'default');
  const app = createApp({ config, db, log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), temporal });
  return { app, temporal };
}

/**
 * A supertest agent that keeps cookies, signed in as the given demo user. The demo
 * administrators' second factor (TOTP) is computed from the demo secret (tests/helpers/totp.ts).
 */
export async function signIn(app: Express, username: string, password = DEMO_PASSWORD) {
  // Like the admin UI's fetch wrapper, every request says it is a script's (X-Requested-With),
  // which raw-body uploads require as their cross-site request defence.
  const agent = request.agent(app).set('X-Requested-With', 'supertest');
  let res = await agent.post('/api/auth/login').send(await demoLoginBody(username, password));
  if (res.status === 401 && res.body?.error?.code === 'invalid_second_factor') {
    // The code's step was used by a sign-in this file did not make through here: take a fresh one.
    forgetDemoSteps(username);
    res = await agent.post('/api/auth/login').send(await demoLoginBody(username, password));
  }
  if (res.status !== 200) throw new Error(`sign-in as ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return agent;
}

/** A fresh seeded database and the app over it, for API test files; `stop` in afterAll. */
export async function apiTestbed(config: Partial<Config> = {}): Promise<{ db: Knex; app: Express; stop(): Promise<void> }> {
  const { freshTestDatabase } = await import('./db');
  const { db } = await freshTestDatabase();
  const t = testApp(db, { config });
  return {
    db,
    app: t.app,
    async stop() {
      await t.temporal.close();
      await db.destroy();
    },
  };
}
