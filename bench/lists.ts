/**
 * List latency at volume (npm run bench:lists, or npx tsx bench/lists.ts): a database
 * (BENCH_DATABASE, default psp_bench_lists) filled set-based with 200,000 cases, 1,000,000 tasks,
 * 2,000,000 history rows, the registries, 1,000,000 SMS and 2,000,000 operation-log rows
 * (bench/lists/fill.ts; BENCH_SCALE=0.01 for a quick try), then every inbox box, the case list,
 * the registries, the SMS log and the operation log timed over HTTP as the roles that use them.
 *
 * Each line sets the list's p95 against what the page must cost at least: its bare query (the
 * same page's rows, columns and name joins, hand-written in the simplest form the best index
 * serves: bench/lists/list-specs.ts) plus the HTTP floor (p50 of GET /api/auth/me as the same
 * user: session check, express, JSON). ratio = p95 / (bare p50 + floor p50); a line is marked
 * SLOW when p95 > 50 ms and ">3x" when the ratio is over 3.
 *
 * BENCH_REUSE=1 times an existing database that holds the volume instead of filling it (and
 * keeps it); BENCH_KEEP=1 keeps the database at the end (otherwise dropped); BENCH_ONLY=a,b times
 * only the lists whose name or user contains one of the substrings. Figures, not assertions: the
 * exit code is 0 whatever they say.
 */
import type { Knex } from 'knex';
import { loadConfig } from '../lib/config';
import { startApp } from './lists/app';
import { benchDatabaseUrl, dropDatabase, fillDatabase } from './lists/fill';
import { getMe, signIn, type Session } from './lists/http';
import { LIST_SPECS, selectSpecs } from './lists/list-specs';
import { measureList, type Row } from './lists/measure';
import { reuseDatabase } from './lists/reuse';
import { reportBufferPool } from './lists/server';
import { printTable } from './lists/table';
import { timeCalls } from './lists/timing';
import { volumeFromEnv } from './lists/volume';

async function main(): Promise<void> {
  const config = loadConfig();
  const url = benchDatabaseUrl(config.DATABASE_URL, 'psp_bench_lists');
  const name = new URL(url).pathname.slice(1);
  const volume = volumeFromEnv();
  const reuse = process.env.BENCH_REUSE === '1';
  const specs = selectSpecs(LIST_SPECS, process.env.BENCH_ONLY);
  if (!specs.length) throw new Error(`BENCH_ONLY=${process.env.BENCH_ONLY} matches no list (by list name or user)`);
  console.log(`\nbench:lists — ${name} (${volume.cases} cases, ${volume.cases * volume.tasksPerCase} tasks), ${specs.length} of ${LIST_SPECS.length} lists`);
  await reportBufferPool(url);
  let db: Knex | null = reuse ? await reuseDatabase(url, volume) : null;
  let fillSeconds = 0;
  if (!db) {
    const filled = await fillDatabase(url, volume);
    db = filled.db;
    fillSeconds = filled.seconds;
    console.log(`fill took ${fillSeconds.toFixed(0)} s`);
  }
  console.log('');
  const app = await startApp(db, url);
  try {
    const sessions = new Map<string, Session>();
    const rows: Row[] = [];
    const t0 = performance.now();
    for (const spec of specs) {
      if (!sessions.has(spec.user)) sessions.set(spec.user, await signIn(app.base, spec.user));
      const session = sessions.get(spec.user)!;
      // The user's HTTP floor, timed like a list just before it: the same warmth and the same
      // neighbours on a shared machine (timed once at sign-in, the first user's ran cold).
      const floor = await timeCalls(() => getMe(app.base, session));
      rows.push(...(await measureList(db, app.base, session, floor.p50, spec)));
    }
    printTable(rows);
    console.log(`timing took ${((performance.now() - t0) / 1000).toFixed(0)} s${fillSeconds ? `; fill took ${fillSeconds.toFixed(0)} s` : ' (database reused)'}\n`);
  } finally {
    await app.close();
    await db.destroy();
    // A reused database is kept: dropping it would cost the next run the fill it was reused to skip.
    if (process.env.BENCH_KEEP !== '1' && !reuse) await dropDatabase(url);
  }
}

main().catch((err) => {
  console.error(err);
  // Figures, not assertions — but a bench that could not run says so.
  process.exit(1);
});
