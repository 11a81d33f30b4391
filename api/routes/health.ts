import type { Knex } from 'knex';
import type { Router } from 'express';

/** Liveness says the process is up; readiness says it can do its work (MySQL and Temporal answer). */
export function registerHealthRoutes(router: Router, db: Knex, checkTemporal: () => Promise<void>): void {
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const check = async (fn: () => Promise<unknown>) => {
      try {
        await withTimeout(fn(), 3_000);
        return 'ok';
      } catch (err) {
        return `unavailable: ${err instanceof Error ? err.message : String(err)}`;
      }
    };
    const checks = { mysql: await check(() => db.raw('SELECT 1')), temporal: await check(checkTemporal) };
    const ready = Object.values(checks).every((v) => v === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
