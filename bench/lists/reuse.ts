import type { Knex } from 'knex';
import { createDb } from '../../db/connection';
import { migrateLatest } from '../../db/migrate';
import { databaseExists } from './server';
import { count } from './sql';
import type { Volume } from './volume';

/**
 * BENCH_REUSE=1: an earlier fill at the same volume, kept with BENCH_KEEP=1, is timed again
 * without the fill's minutes — to re-time after a change to the API or its queries. The database
 * must hold the volume (its cases, tasks and SMS log within a few of the counts asked for: timing
 * and bench:decide add a few rows); new migrations are applied, but the derived rows and the
 * statistics are the fill's — a change to how they are built needs a fresh fill.
 */
const close = (have: number, want: number) => have >= want && have <= want + Math.max(100, want * 0.01);

export async function reuseDatabase(url: string, volume: Volume, log: (line: string) => void = console.log): Promise<Knex | null> {
  const name = new URL(url).pathname.slice(1);
  if (!(await databaseExists(url))) {
    log(`BENCH_REUSE: ${name} does not exist — filling it`);
    return null;
  }
  const db = createDb(url, { min: 0, max: 10 });
  const want: Array<[string, number]> = [
    ['cases', volume.cases],
    ['case_tasks', volume.cases * volume.tasksPerCase],
    ['sms_messages', volume.sms],
  ];
  const found: string[] = [];
  let holds = true;
  for (const [table, n] of want) {
    const have = (await db.schema.hasTable(table)) ? await count(db, table) : 0;
    found.push(`${table} ${have} (want ${n})`);
    holds &&= close(have, n);
  }
  if (!holds) {
    log(`BENCH_REUSE: ${name} does not hold this volume (${found.join(', ')}) — filling it afresh`);
    await db.destroy();
    return null;
  }
  const applied = await migrateLatest(db);
  log(`BENCH_REUSE: reusing ${name} (${found.join(', ')})${applied.length ? `; applied ${applied.join(', ')}` : ''}`);
  return db;
}
