import type { Knex } from 'knex';
import { rebuildCaseReadIndexes } from '../../db/cases/access-rows';
import { createDb, ensureDatabase } from '../../db/connection';
import { migrateLatest } from '../../db/migrate';
import { seedDemo } from '../../db/seeds/demo';
import { publishShippedProcesses } from '../../lib/processes/shipped';
import { createProcessTables, fillCases } from './fill-cases';
import { fillHistory } from './fill-history';
import { fillLogs } from './fill-logs';
import { fillOrganisations, type Refs } from './fill-organisations';
import { fillRegistries } from './fill-registries';
import { fillTasks } from './fill-tasks';
import { count, createNumbers, dropBenchTables } from './sql';
import type { Volume } from './volume';

/**
 * A fresh database at volume: dropped and recreated, migrated, seeded with the demo data and the
 * shipped processes, then filled set-based, the derived rows rebuilt (db/cases/access-rows.ts:
 * participants, claimable markers, title grams) and the statistics refreshed. Used by bench:lists
 * and bench:decide.
 */
export const BIG_TABLES = [
  'cases',
  'case_tasks',
  'case_task_candidates',
  'case_history',
  'case_copies',
  'case_participants',
  'case_title_grams',
  'property_projects',
  'enterprises',
  'enterprise_staff',
  'organisations',
  'users',
  'sms_messages',
  'operation_log',
];

export interface Filled {
  db: Knex;
  url: string;
  refs: Refs;
  seconds: number;
  steps: Array<{ step: string; seconds: number }>;
}

export function benchDatabaseUrl(baseUrl: string, fallbackName: string, env: NodeJS.ProcessEnv = process.env): string {
  const url = new URL(baseUrl);
  const name = env.BENCH_DATABASE ?? fallbackName;
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`BENCH_DATABASE must be letters, digits and _: "${name}"`);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  u.pathname = '/';
  const admin = createDb(u.toString(), { min: 0, max: 1 });
  try {
    await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await admin.destroy();
  }
}

export async function fillDatabase(url: string, volume: Volume, log: (line: string) => void = console.log): Promise<Filled> {
  const started = performance.now();
  const steps: Filled['steps'] = [];
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await work();
    const seconds = (performance.now() - t0) / 1000;
    steps.push({ step: name, seconds });
    log(`  ${name.padEnd(44)} ${seconds.toFixed(1).padStart(7)} s`);
    return result;
  };
  await dropDatabase(url);
  await ensureDatabase(url);
  const db = createDb(url, { min: 0, max: 10 });
  await step('migrate, demo seed, shipped processes', async () => {
    await migrateLatest(db);
    await seedDemo(db);
    await publishShippedProcesses(db);
  });
  // One connection for the fill, so its session settings hold: the generated keys are unique and
  // consistent by construction, so the per-row unique and foreign-key checks are skipped.
  // (Filling the logs on a second connection alongside was tried: on two shared cores it took as
  // long in all, so the fill stays one statement after another.)
  const filler = createDb(url, { min: 1, max: 1 });
  let refs: Refs;
  try {
    await filler.raw('SET SESSION unique_checks = 0, foreign_key_checks = 0');
    await step('numbers table', () => createNumbers(filler, Math.max(250_000, volume.cases, volume.enterprises, volume.copies)));
    refs = await step(`places, ${volume.enterprises} enterprises and their users`, () => fillOrganisations(filler, volume));
    await step(`${volume.projects} projects, ${volume.staff} staff`, () => fillRegistries(filler, volume, refs));
    await createProcessTables(filler);
    const layout = await step(`${volume.cases} cases`, () => fillCases(filler, volume, refs));
    const { taskBase } = await step(`${volume.cases * volume.tasksPerCase} case_tasks + candidates`, () => fillTasks(filler, volume, refs, layout));
    await step(`${volume.cases * volume.historyPerCase} case_history, ${volume.copies} copies`, () => fillHistory(filler, volume, refs, layout, taskBase));
    // After the users exist: the log's actors are drawn from them.
    await step(`${volume.sms} sms_messages, ${volume.operationLog} operation_log`, () => fillLogs(filler, volume));
    await step('derived rows: access, title grams', () => rebuildCaseReadIndexes(filler));
    await step('ANALYZE TABLE', async () => {
      const present = [];
      for (const t of BIG_TABLES) if (await filler.schema.hasTable(t)) present.push(t);
      await filler.raw(`ANALYZE TABLE ${present.map((t) => `\`${t}\``).join(', ')}`);
    });
    await dropBenchTables(filler);
  } finally {
    await filler.destroy();
  }
  log(`  rows: ${(await Promise.all(BIG_TABLES.map(async (t) => ((await db.schema.hasTable(t)) ? `${t} ${await count(db, t)}` : null)))).filter(Boolean).join(', ')}`);
  return { db, url, refs, seconds: (performance.now() - started) / 1000, steps };
}
