/**
 * Case throughput (npm run bench:cases): on its own Temporal dev server and database, prints
 *   - cases started per second through the HTTP API,
 *   - p50/p95 from POST /api/cases to the first task visible in the inbox (GET /api/inbox/claimable),
 * and the same for a bare Temporal workflow with the same number of activity steps before its
 * first row (the ceiling), with the ratios. Figures, not assertions.
 * BENCH_CASES (default 200) and BENCH_CONCURRENCY (default 16) size the run.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger, Worker } from '@temporalio/worker';
import pino from 'pino';
import { createApp } from '../api/app';
import { createDb, ensureDatabase } from '../db/connection';
import { migrateLatest } from '../db/migrate';
import { DEMO_PASSWORD, seedDemo } from '../db/seeds/demo';
import { createApprovalActivities } from '../activities';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { publishShippedProcesses } from '../lib/processes/shipped';
import { lazyTemporalClient, temporalClient as clientOn } from '../lib/temporal/client';
import { dataConverter } from '../lib/temporal/codec';
import { provisionTemporal } from '../lib/temporal/provision';
import { createBenchActivities } from './case-throughput/activities';

const CASES = Number(process.env.BENCH_CASES ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const LATENCY_SAMPLES = Math.min(100, CASES);
const TASK_QUEUE = 'bench-cases';

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pool<T>(count: number, concurrency: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await job(i);
      }
    }),
  );
  return results;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const config = loadConfig();
  const log = createLogger('bench', 'warn');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'psp-bench-'));
  const temporal = await provisionTemporal({ log, namespace: 'default', dataDir, cacheDir: config.CACHE_DIR, port: await freePort(), uiPort: false, reuseRunning: false });
  const dbUrl = new URL(process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/psp_bench_cases');
  const admin = createDb(new URL('/', dbUrl).toString(), { min: 0, max: 1 });
  await admin.raw(`DROP DATABASE IF EXISTS \`${dbUrl.pathname.slice(1)}\``);
  await admin.destroy();
  await ensureDatabase(dbUrl.toString());
  const db = createDb(dbUrl.toString(), { min: 2, max: 30 });
  await migrateLatest(db);
  await seedDemo(db);
  await publishShippedProcesses(db);
  await db.schema.createTable('bench_rows', (t) => {
    t.string('id', 128).primary();
    t.string('workflow_id', 64).notNullable().index();
    t.string('step', 16).notNullable();
  });

  const connection = await NativeConnection.connect({ address: temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    dataConverter: dataConverter(),
    workflowsPath: require.resolve('./case-throughput/workflows'),
    activities: { ...createApprovalActivities({ db }), ...createBenchActivities(db) },
  });
  const running = worker.run();
  const temporalClient = lazyTemporalClient(temporal.address, 'default');
  const app = createApp({ config: { ...config, APPROVALS_TASK_QUEUE: TASK_QUEUE, CASE_SMS_TASK_QUEUE: '', UI_DIST_DIR: '/nonexistent' }, db, log: pino({ level: 'silent' }), temporal: temporalClient });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const login = async (username: string) => {
    const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
    return (res.headers.get('set-cookie') ?? '').split(';')[0];
  };
  const applicant = await login('dongwu.ent');
  const reviewer = await login('gusu.staff');
  const startCase = async () => {
    const res = await fetch(`${base}/api/cases`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: applicant }, body: JSON.stringify({ processKey: 'sample-approval', formData: { bench: true } }) });
    if (res.status !== 201) throw new Error(`start failed: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: number; number: string };
  };
  const visibleInInbox = async (number: string) => {
    const filter = encodeURIComponent(JSON.stringify({ q: number }));
    const res = await fetch(`${base}/api/inbox/claimable?filter=${filter}`, { headers: { cookie: reviewer } });
    return ((await res.json()) as unknown[]).length > 0;
  };
  const client = clientOn(await Connection.connect({ address: temporal.address }), 'default');
  const bareVisible = async (id: string) =>
    Boolean(
      await db('bench_rows')
        .where({ id: `${id}/task` })
        .first('id'),
    );

  try {
    // Warm up both paths (bundle loaded, connections open, JIT).
    for (let i = 0; i < 5; i++) {
      const c = await startCase();
      while (!(await visibleInInbox(c.number))) await sleep(5);
      await client.workflow.start('bareTwoStepWorkflow', { taskQueue: TASK_QUEUE, workflowId: `warm-${i}`, args: [`warm-${i}`] });
    }

    // Throughput: starts per second (the API answers once the case row and workflow exist).
    let t0 = Date.now();
    await pool(CASES, CONCURRENCY, () => startCase());
    const engineRate = CASES / ((Date.now() - t0) / 1000);
    t0 = Date.now();
    await pool(CASES, CONCURRENCY, (i) => client.workflow.start('bareTwoStepWorkflow', { taskQueue: TASK_QUEUE, workflowId: `bare-${i}`, args: [`bare-${i}`] }));
    const bareRate = CASES / ((Date.now() - t0) / 1000);
    // Let the backlog drain before measuring latency.
    const count = async (q: ReturnType<typeof db>) => Number(((await q.count({ n: '*' }).first()) as { n: number | string } | undefined)?.n ?? 0);
    while ((await count(db('case_tasks'))) < CASES + 5 || (await count(db('bench_rows').where('step', 'task'))) < CASES + 5) await sleep(200);

    // Latency: start → first task visible, a few at a time.
    const engineLatency = await pool(LATENCY_SAMPLES, 4, async () => {
      const started = performance.now();
      const c = await startCase();
      while (!(await visibleInInbox(c.number))) await sleep(2);
      return performance.now() - started;
    });
    const bareLatency = await pool(LATENCY_SAMPLES, 4, async (i) => {
      const started = performance.now();
      const id = `lat-${i}`;
      await client.workflow.start('bareTwoStepWorkflow', { taskQueue: TASK_QUEUE, workflowId: id, args: [id] });
      while (!(await bareVisible(id))) await sleep(2);
      return performance.now() - started;
    });

    const fmt = (n: number) => n.toFixed(1);
    const row = (name: string, rate: number, lat: number[]) => `${name.padEnd(34)} ${fmt(rate).padStart(8)} ${fmt(percentile(lat, 50)).padStart(9)} ${fmt(percentile(lat, 95)).padStart(9)}`;
    console.log(`\ncase throughput — ${CASES} starts at concurrency ${CONCURRENCY}, ${LATENCY_SAMPLES} latency samples (2 activity steps to the first task)\n`);
    console.log(`${''.padEnd(34)} ${'starts/s'.padStart(8)} ${'p50 ms'.padStart(9)} ${'p95 ms'.padStart(9)}`);
    console.log(row('case engine via API → inbox', engineRate, engineLatency));
    console.log(row('bare Temporal workflow (ceiling)', bareRate, bareLatency));
    console.log(
      `${'engine / ceiling'.padEnd(34)} ${(engineRate / bareRate).toFixed(2).padStart(8)} ${(percentile(engineLatency, 50) / percentile(bareLatency, 50)).toFixed(2).padStart(9)} ${(percentile(engineLatency, 95) / percentile(bareLatency, 95)).toFixed(2).padStart(9)}\n`,
    );
  } finally {
    server.close();
    worker.shutdown();
    await running;
    await client.connection.close();
    await temporalClient.close();
    await connection.close();
    await db.destroy();
    await temporal.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
