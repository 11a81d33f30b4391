/**
 * Excel ledger exports at volume (npm run bench:exports, or npx tsx bench/exports.ts): the
 * lists' bench database (bench/lists/fill.ts: 200,000 cases, 1,000,000 tasks, 2,000,000
 * operation-log rows; BENCH_SCALE=0.01 for a quick try; BENCH_REUSE=1 reuses a filled one, as
 * bench:lists does), then each export downloaded over HTTP as the role that uses it: the city
 * staff's 办件台账 (capped at 100,000 rows), a district's, the 已办 box of a busy reviewer and
 * the auditor's operation log. Prints rows, seconds, rows per second, bytes, and the resident
 * memory of the bench process (the API and its client share it) before and after: a streamed
 * export holds a chunk, not the sheet, though the client here keeps the whole file to read it.
 * Then 工作台's backlog by process (GET /api/home/backlog), p50 and p95 of 30 calls per user.
 * Figures, not assertions.
 */
import type { Knex } from 'knex';
import { loadConfig } from '../lib/config';
import { startApp } from './lists/app';
import { benchDatabaseUrl, dropDatabase, fillDatabase } from './lists/fill';
import { signIn } from './lists/http';
import { reuseDatabase } from './lists/reuse';
import { volumeFromEnv } from './lists/volume';
import ExcelJS from 'exceljs';

interface ExportSpec {
  name: string;
  user: string;
  path: string;
  filter?: Record<string, unknown>;
  sort: [string, 'ASC' | 'DESC'];
}

const SPECS: ExportSpec[] = [
  { name: '办件台账 (city-wide)', user: 'city.staff', path: '/api/cases/export', sort: ['started_at', 'DESC'] },
  { name: '办件台账 (one district, running)', user: 'gusu.staff', path: '/api/cases/export', filter: { status: 'running' }, sort: ['started_at', 'DESC'] },
  { name: '已办 (a reviewer)', user: 'gusu.staff', path: '/api/inbox/done/export', sort: ['completed_at', 'DESC'] },
  { name: 'operation log', user: 'auditor', path: '/api/operation-logs/export', sort: ['id', 'DESC'] },
];

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

async function main(): Promise<void> {
  const config = loadConfig();
  const url = benchDatabaseUrl(config.DATABASE_URL, 'psp_bench_lists');
  const volume = volumeFromEnv();
  const reuse = process.env.BENCH_REUSE === '1';
  let db: Knex | null = reuse ? await reuseDatabase(url, volume) : null;
  if (!db) db = (await fillDatabase(url, volume)).db;
  const app = await startApp(db, url);
  try {
    console.log(`\nbench:exports — ${volume.cases} cases\n`);
    console.log('export                              | rows    | s     | rows/s  | MB    | RSS before → after (MB)');
    for (const spec of SPECS) {
      const session = await signIn(app.base, spec.user);
      const query = new URLSearchParams({ sort: JSON.stringify(spec.sort), filter: JSON.stringify(spec.filter ?? {}) });
      const before = process.memoryUsage().rss;
      const t0 = performance.now();
      const res = await fetch(`${app.base}${spec.path}?${query}`, { headers: { cookie: session.cookie, 'x-requested-with': 'XMLHttpRequest' } });
      if (res.status !== 200) throw new Error(`${spec.path}: ${res.status} ${await res.text()}`);
      const bytes = Buffer.from(await res.arrayBuffer());
      const seconds = (performance.now() - t0) / 1000;
      const after = process.memoryUsage().rss;
      // Counted by reading the workbook back: what a clerk opening the file would get.
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
      const rows = workbook.worksheets[0]!.rowCount - 1;
      console.log(`${spec.name.padEnd(35)} | ${String(rows).padStart(7)} | ${seconds.toFixed(1).padStart(5)} | ${String(Math.round(rows / seconds)).padStart(7)} | ${mb(bytes.length).padStart(5)} | ${mb(before)} → ${mb(after)}`);
    }
    // 工作台's backlog counts a scope's open cases through a bounded read: timed like a list.
    console.log('\n工作台 backlog                     | p50 ms | p95 ms');
    for (const user of ['city.staff', 'gusu.staff', 'dongwu.ent']) {
      const session = await signIn(app.base, user);
      const times: number[] = [];
      for (let i = 0; i < 30; i++) {
        const t0 = performance.now();
        const res = await fetch(`${app.base}/api/home/backlog`, { headers: { cookie: session.cookie, 'x-requested-with': 'XMLHttpRequest' } });
        await res.arrayBuffer();
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      console.log(`${user.padEnd(34)} | ${times[14]!.toFixed(1).padStart(6)} | ${times[28]!.toFixed(1).padStart(6)}`);
    }
    console.log('');
  } finally {
    await app.close();
    await db.destroy();
    if (process.env.BENCH_KEEP !== '1' && !reuse) await dropDatabase(url);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
