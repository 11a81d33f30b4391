/**
 * Records the Temporal histories of runs of every shipped process (processes/*.bpmn) into
 * tests/replay-histories/, for tests/engine/replay.test.ts to replay against the current
 * workflow code. Run it when a process ships (npm run replay:record); never re-record an
 * existing file to make a failing replay pass — that is the breakage the test exists to catch.
 *
 * It starts its own Temporal dev server and a scratch database, and drives each process through
 * the real API: every task approved by a user allowed to act, and, where a first step offers
 * "return", once more with a return to the applicant and a supplement.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { NativeConnection } from '@temporalio/worker';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../api/app';
import { createDb, ensureDatabase } from '../db/connection';
import { migrateLatest } from '../db/migrate';
import { DEMO_PASSWORD, seedDemo } from '../db/seeds/demo';
import { loadConfig } from '../lib/config';
import { loadKeyRing, useKeyRing } from '../lib/crypto/keyring';
import { createLogger } from '../lib/logger';
import { publishShippedProcesses } from '../lib/processes/shipped';
import { lazyTemporalClient } from '../lib/temporal/client';
import { provisionTemporal } from '../lib/temporal/provision';
import { createApprovalsWorker } from '../workers/approvals-worker';

const OUT = path.resolve(__dirname, '..', 'tests', 'replay-histories');
/** Who applies for each shipped process (an organisation with a district). */
const APPLICANT: Record<string, string> = { default: 'dongwu.ent' };

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  // Histories are stored as the Temporal server holds them: payloads encrypted (lib/temporal/codec.ts).
  // Under the public development key ring, whatever DATA_KEYS this machine has, so that the replay
  // test (which uses the same ring) can read them anywhere, and no real key ever protects a file in git.
  useKeyRing(loadKeyRing({ NODE_ENV: 'development' }));
  const config = loadConfig();
  const log = createLogger('record-histories', 'warn');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'psp-record-'));
  const temporal = await provisionTemporal({ log, namespace: 'default', dataDir, cacheDir: config.CACHE_DIR, port: await freePort(), uiPort: false, reuseRunning: false });
  const dbUrl = new URL(process.env.RECORD_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/psp_record_histories');
  const admin = createDb(new URL('/', dbUrl).toString(), { min: 0, max: 1 });
  await admin.raw(`DROP DATABASE IF EXISTS \`${dbUrl.pathname.slice(1)}\``);
  await admin.destroy();
  await ensureDatabase(dbUrl.toString());
  const db = createDb(dbUrl.toString());
  const taskQueue = 'record-histories';
  const connection = await NativeConnection.connect({ address: temporal.address });
  const worker = await createApprovalsWorker({ connection, namespace: 'default', db, taskQueue });
  const running = worker.run();
  const client = lazyTemporalClient(temporal.address, 'default');
  try {
    await migrateLatest(db);
    await seedDemo(db);
    const shipped = await publishShippedProcesses(db);
    const app = createApp({ config: { ...config, APPROVALS_TASK_QUEUE: taskQueue, CASE_SMS_TASK_QUEUE: '', UI_DIST_DIR: '/nonexistent' }, db, log: pino({ level: 'silent' }), temporal: client });
    const agents = new Map<string, request.Agent>();
    const as = async (username: string) => {
      if (!agents.has(username)) {
        const agent = request.agent(app);
        await agent.post('/api/auth/login').send({ username, password: DEMO_PASSWORD });
        agents.set(username, agent);
      }
      return agents.get(username)!;
    };
    /** A user who may act on an open task: its assignee, else a candidate user, else a group member in scope. */
    const actorFor = async (taskId: number): Promise<{ username: string; claim: boolean }> => {
      const t = await db('case_tasks').where('id', taskId).first('assignee_id');
      if (t.assignee_id) return { username: (await db('users').where('id', t.assignee_id).first('username')).username, claim: false };
      const c = await db('case_task_candidates').where('task_id', taskId).orderBy('kind', 'desc').first();
      if (c.kind === 'user') return { username: (await db('users').where('id', Number(c.value)).first('username')).username, claim: true };
      const q = db('users as u').join('organisations as o', 'o.id', 'u.organisation_id').where('u.role', c.value);
      if (c.district_code) q.where('o.district_code', c.district_code);
      if (c.street_code) q.where('o.street_code', c.street_code);
      if (c.organisation_id) q.where('u.organisation_id', c.organisation_id);
      return { username: (await q.first('u.username')).username, claim: true };
    };

    for (const { processKey } of shipped) {
      // Existing histories are kept (never re-record one to silence a failing replay); processes the
      // generic driver cannot run — the domain approvals — are recorded by their own tests
      // (RECORD_REPLAY_HISTORIES=1 npx jest tests/approvals, see docs/approvals.md).
      if (fs.readdirSync(OUT).some((f) => f.startsWith(`${processKey}.`) && f.endsWith('.json'))) {
        console.log(`kept the stored histories of ${processKey}`);
        continue;
      }
      for (const scenario of ['approve-all', 'return-to-applicant'] as const) {
        const applicant = await as(APPLICANT[processKey] ?? APPLICANT.default);
        const started = await applicant.post('/api/cases').send({ processKey, formData: {} });
        if (started.status !== 201) throw new Error(`could not start ${processKey}: ${JSON.stringify(started.body)}`);
        const caseId = started.body.id as number;
        let returned = scenario === 'approve-all';
        let idle = 0;
        while (idle < 25) {
          const c = await db('cases').where('id', caseId).first('status');
          if (c.status !== 'running' && c.status !== 'supplement') break;
          const task = await db('case_tasks').where({ case_id: caseId, status: 'open' }).orderBy('id').first('id', 'kind', 'outcomes');
          if (!task) {
            idle++;
            await sleep(200);
            continue;
          }
          idle = 0;
          if (task.kind === 'supplement') {
            await applicant.post(`/api/cases/${caseId}/supply`).send({ comment: 'supplied', formData: { supplied: true } });
            continue;
          }
          const { username, claim } = await actorFor(task.id);
          const agent = await as(username);
          if (claim) await agent.post(`/api/tasks/${task.id}/claim`).send({});
          const canReturn = String(task.outcomes).split(',').includes('return');
          const body = !returned && canReturn ? { outcome: 'return', returnTo: 'applicant', comment: 'please supply' } : { outcome: 'approve', comment: 'ok' };
          returned ||= body.outcome === 'return';
          const res = await agent.post(`/api/tasks/${task.id}/decide`).send(body);
          if (res.status !== 200) throw new Error(`decide failed on ${processKey}: ${JSON.stringify(res.body)}`);
        }
        if (!returned) continue; // this process offers no return on its first step
        const handle = (await client.get()).workflow.getHandle(started.body.workflowId);
        const history = await handle.fetchHistory();
        const file = path.join(OUT, `${processKey}.${scenario}.json`);
        fs.writeFileSync(file, historyToJSON(history));
        console.log(`recorded ${path.relative(process.cwd(), file)} (${history.events?.length} events, case ${(await db('cases').where('id', caseId).first('status')).status})`);
      }
    }
  } finally {
    worker.shutdown();
    await running;
    await client.close();
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
