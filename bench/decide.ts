/**
 * Claim and decide at volume (npm run bench:decide): on its own Temporal dev server, with the real
 * approvals worker in this process and the same volume as bench:lists in its own database
 * (BENCH_DATABASE, default psp_bench_decide; dropped at the end unless BENCH_KEEP=1), dongwu.ent
 * applies for qualification (资质申报) BENCH_DECIDE_CASES times (default 30); gusu.staff claims
 * each case's first task (区局初审) and approves it. Prints p50/p95 of the claim, of the decide,
 * and from the decide's answer until the next task (行政中心受理) shows in centre's 待签 inbox.
 * Figures, not assertions.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../lib/config';
import { startApp } from './lists/app';
import { benchDatabaseUrl, dropDatabase, fillDatabase } from './lists/fill';
import { getList, listUrl, postJson, signIn, type Session } from './lists/http';
import { startEngine } from './lists/temporal';
import { percentile } from './lists/timing';
import { volumeFromEnv } from './lists/volume';

const CASES = Number(process.env.BENCH_DECIDE_CASES ?? 30);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function upload(base: string, session: Session, name: string): Promise<string> {
  const res = await fetch(`${base}/api/files?${new URLSearchParams({ name })}`, {
    method: 'POST',
    headers: { 'content-type': 'application/pdf', cookie: session.cookie, 'x-requested-with': 'XMLHttpRequest' },
    body: Buffer.from(`%PDF-1.4 ${name}`),
  });
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** Polls a 待签 inbox for the case's open task until it shows; answers its id and the wait. */
async function waitClaimable(base: string, session: Session, caseNumber: string, timeoutMs = 60_000): Promise<{ taskId: number; ms: number }> {
  const t0 = performance.now();
  const url = listUrl(base, '/api/inbox/claimable', { sort: ['created_at', 'DESC'], range: [0, 24], filter: { q: caseNumber } });
  while (performance.now() - t0 < timeoutMs) {
    const res = await fetch(url, { headers: { cookie: session.cookie } });
    const rows = (await res.json()) as Array<{ id: number; case_number: string }>;
    const row = rows.find((r) => r.case_number === caseNumber);
    if (row) return { taskId: row.id, ms: performance.now() - t0 };
    await sleep(5);
  }
  throw new Error(`no claimable task for ${caseNumber} after ${timeoutMs} ms`);
}

async function main(): Promise<void> {
  const config = loadConfig();
  const url = benchDatabaseUrl(config.DATABASE_URL, 'psp_bench_decide');
  const volume = volumeFromEnv();
  console.log(`\nbench:decide — filling ${new URL(url).pathname.slice(1)} (${volume.cases} cases, ${volume.cases * volume.tasksPerCase} tasks)`);
  const filled = await fillDatabase(url, volume);
  console.log(`fill took ${filled.seconds.toFixed(0)} s`);
  const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'psp-bench-files-'));
  // The activities and the API read FILES_DIR from the environment, as in production.
  process.env.FILES_DIR = filesDir;
  const engine = await startEngine(filled.db);
  const app = await startApp(filled.db, url, { APPROVALS_TASK_QUEUE: engine.taskQueue, CASE_SMS_TASK_QUEUE: '', FILES_DIR: filesDir }, engine.address);
  try {
    const applicant = await signIn(app.base, 'dongwu.ent');
    const reviewer = await signIn(app.base, 'gusu.staff');
    const centre = await signIn(app.base, 'centre');
    const startOne = async () => {
      const materials = [];
      for (const [code, name] of [
        ['business_licence', '营业执照.pdf'],
        ['application_form', '资质申请表.pdf'],
        ['staff_certificates', '职称证书.pdf'],
      ]) {
        materials.push({ code, name, fileId: await upload(app.base, applicant, name) });
      }
      const res = await postJson(app.base, applicant, '/api/cases', { processKey: 'qualification', formData: { kind: 'application', level: 'level_3', materials } });
      if (res.status !== 201) throw new Error(`start failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { id: number; number: string };
    };
    const samples = { firstVisible: [] as number[], claim: [] as number[], decide: [] as number[], nextVisible: [] as number[] };
    // Two warm-up cases (workflow bundle loaded, connections open), then the measured ones one at a time.
    for (let i = 0; i < CASES + 2; i++) {
      const started = await startOne();
      const first = await waitClaimable(app.base, reviewer, started.number);
      let t = performance.now();
      const claim = await postJson(app.base, reviewer, `/api/tasks/${first.taskId}/claim`, {});
      const claimMs = performance.now() - t;
      if (claim.status !== 200) throw new Error(`claim failed: ${claim.status} ${JSON.stringify(claim.body)}`);
      t = performance.now();
      const decide = await postJson(app.base, reviewer, `/api/tasks/${first.taskId}/decide`, { outcome: 'approve', comment: '初审通过' });
      const decideMs = performance.now() - t;
      if (decide.status !== 200) throw new Error(`decide failed: ${decide.status} ${JSON.stringify(decide.body)}`);
      const next = await waitClaimable(app.base, centre, started.number);
      if (i < 2) continue;
      samples.firstVisible.push(first.ms);
      samples.claim.push(claimMs);
      samples.decide.push(decideMs);
      samples.nextVisible.push(next.ms);
    }
    const [inbox] = await Promise.all([getList(reviewer, listUrl(app.base, '/api/inbox/claimable', { sort: ['created_at', 'DESC'], range: [0, 24] }))]);
    const row = (name: string, v: number[]) => `${name.padEnd(52)} ${percentile(v, 50).toFixed(1).padStart(8)} ${percentile(v, 95).toFixed(1).padStart(8)}`;
    console.log(`\nclaim → decide at volume — ${CASES} qualification cases (gusu.staff: 区局初审, approve), gusu.staff's 待签 total ${inbox.total}\n`);
    console.log(`${''.padEnd(52)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)}`);
    console.log(row('start → first task in gusu.staff 待签 (poll from 201)', samples.firstVisible));
    console.log(row('POST /api/tasks/:id/claim', samples.claim));
    console.log(row('POST /api/tasks/:id/decide (approve)', samples.decide));
    console.log(
      row(
        'claim + decide',
        samples.claim.map((c, i) => c + samples.decide[i]),
      ),
    );
    console.log(row('decide answered → next task in centre 待签', samples.nextVisible));
    console.log('');
  } finally {
    await app.close();
    await engine.stop();
    await filled.db.destroy();
    fs.rmSync(filesDir, { recursive: true, force: true });
    if (process.env.BENCH_KEEP !== '1') await dropDatabase(url);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
