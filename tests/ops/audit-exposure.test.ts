import type { Knex } from 'knex';
import request from 'supertest';
import { loadConfig, type Config } from '../../lib/config';
import { signIn, testApp } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';
import { waitFor } from '../helpers/wait';

/**
 * Production exposure of the API (docs/deployment-security.md): the API documentation only for
 * signed-in administrators in production, and X-Forwarded-For believed only from the configured
 * proxy, so the operation log records the client's real address.
 */
describe('API exposure in production', () => {
  let db: Knex;
  const closers: Array<() => Promise<void>> = [];
  // The safety net writes its row once the answer has gone out: wait for it.
  const logged = (requestId: string, columns: string[]) => waitFor(`the log row of ${requestId}`, () => db('operation_log').where('request_id', requestId).first(columns));
  const app = (config: Partial<Config>) => {
    const t = testApp(db, { config });
    closers.push(() => t.temporal.close());
    return t.app;
  };

  beforeAll(async () => {
    ({ db } = await freshTestDatabase({ suffix: '_exposure' }));
  });
  afterAll(async () => {
    for (const close of closers) await close();
    await db?.destroy();
  });

  it('serves /api/docs and /api/openapi.json only to a signed-in administrator in production, logging refusals', async () => {
    const prod = app({ NODE_ENV: 'production' });
    const anonymous = await request(prod).get('/api/docs/').set('X-Request-Id', 'docs-anonymous');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('unauthenticated');
    expect((await request(prod).get('/api/openapi.json')).status).toBe(401);
    expect(await logged('docs-anonymous', ['action', 'result', 'status'])).toEqual({ action: 'api.docs', result: 'denied', status: 401 });

    const staff = await signIn(prod, 'city.staff');
    expect((await staff.get('/api/docs/').set('X-Request-Id', 'docs-staff')).status).toBe(403);
    expect(await logged('docs-staff', ['username', 'result'])).toEqual({ username: 'city.staff', result: 'denied' });

    const admin = await signIn(prod, 'admin');
    const docs = await admin.get('/api/docs/');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger-ui');
    const spec = await admin.get('/api/openapi.json');
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toBe('3.1.0');
  });

  it('keeps the documentation open outside production (developers)', async () => {
    const dev = app({ NODE_ENV: 'development' });
    expect((await request(dev).get('/api/docs/')).status).toBe(200);
  });

  it('believes X-Forwarded-For only from the configured proxy', async () => {
    // supertest connects from loopback: that is "the proxy" when TRUST_PROXY names it.
    const loggedIp = async (config: Parameters<typeof app>[0], id: string) => {
      await request(app(config)).get('/api/users').set('X-Forwarded-For', '203.0.113.9').set('X-Request-Id', id).expect(401);
      return ((await logged(id, ['ip'])) as { ip: string }).ip;
    };
    expect(await loggedIp({ TRUST_PROXY: loadConfig({ TRUST_PROXY: '127.0.0.1,::1' }).TRUST_PROXY }, 'xff-trusted')).toBe('203.0.113.9');
    expect(await loggedIp({ TRUST_PROXY: loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY }, 'xff-hop')).toBe('203.0.113.9');
    // Another proxy address configured, or none at all: the header is the caller's claim and is ignored.
    expect(await loggedIp({ TRUST_PROXY: loadConfig({ TRUST_PROXY: '172.30.0.10' }).TRUST_PROXY }, 'xff-other-proxy')).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
    expect(await loggedIp({ TRUST_PROXY: loadConfig({}).TRUST_PROXY }, 'xff-off')).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
    // A chain of addresses: only the hop the trusted proxy saw counts, not what the client wrote before it.
    await request(app({ TRUST_PROXY: ['127.0.0.1', '::1'] }))
      .get('/api/users')
      .set('X-Forwarded-For', '198.51.100.1, 203.0.113.9')
      .set('X-Request-Id', 'xff-chain')
      .expect(401);
    expect(await logged('xff-chain', ['ip'])).toEqual({ ip: '203.0.113.9' });
  });

  it('refuses a blanket trust proxy and a non-Secure cookie in production', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ NODE_ENV: 'production', COOKIE_SECURE: 'false' })).toThrow(/COOKIE_SECURE/);
    expect(loadConfig({ NODE_ENV: 'production' }).COOKIE_SECURE).toBe(true);
  });
});
