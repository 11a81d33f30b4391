/**
 * Credit scoring at volume (npm run bench:credit, or npx tsx bench/credit.ts): a database of its
 * own with the demo data and its credit standard, 2,000 enterprises, 50,000 staff and 10,000
 * projects (bench/lists' fillers), and 1,000,000 credit records over this year and last — bad
 * and good, a third against a person, half on a project, one in ten still a pre-deduction — then:
 *
 * - the full recomputation of every running score (enterprises and scored persons), as the
 *   year's reset does, in seconds;
 * - the annual rating of last year (every enterprise and person archived), in seconds;
 * - one new record through the record intake until its subject's score is stored, p50 and p95
 *   of 200 (good records, which are final at once; each enterprise has ~500 records).
 *
 * BENCH_SCALE=0.01 for a quick try. Figures, not assertions.
 */
import type { Knex } from 'knex';
import { createDb, ensureDatabase } from '../db/connection';
import { intakeRecord } from '../db/credit/records';
import { rateCycle } from '../db/credit/ratings';
import { refreshScores } from '../db/credit/scores';
import { migrateLatest } from '../db/migrate';
import { seedDemo } from '../db/seeds/demo';
import { beijingToday } from '../lib/credit/days';
import { loadConfig } from '../lib/config';
import { benchDatabaseUrl, dropDatabase } from './lists/fill';
import { fillOrganisations } from './lists/fill-organisations';
import { fillRegistries } from './lists/fill-registries';
import { createNumbers, dropBenchTables, insertChunked, maxId, pick } from './lists/sql';
import { volumeFromEnv } from './lists/volume';

const seconds = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

async function fill(url: string, records: number): Promise<{ db: Knex; enterpriseIds: number[]; staffIds: number[] }> {
  const volume = volumeFromEnv();
  await dropDatabase(url);
  await ensureDatabase(url);
  const db = createDb(url, { min: 0, max: 4 });
  let t0 = performance.now();
  await migrateLatest(db);
  await seedDemo(db);
  console.log(`  migrate, demo seed                          ${seconds(t0).padStart(6)} s`);
  const filler = createDb(url, { min: 1, max: 1 });
  try {
    await filler.raw('SET SESSION unique_checks = 0, foreign_key_checks = 0');
    await createNumbers(filler, Math.max(records, volume.enterprises));
    t0 = performance.now();
    const refs = await fillOrganisations(filler, volume);
    await fillRegistries(filler, volume, refs);
    console.log(`  ${volume.enterprises} enterprises, ${volume.staff} staff, ${volume.projects} projects ${seconds(t0).padStart(6)} s`);
    const items = (await filler('credit_standard_items').select('id', 'kind', 'points_min', 'points_max')) as Array<{ id: number; kind: string; points_min: string; points_max: string }>;
    const bad = items.filter((i) => i.kind === 'bad' && Number(i.points_max) <= 5).map((i) => String(i.id));
    const good = items.filter((i) => i.kind === 'good').map((i) => String(i.id));
    const standard = ((await filler('credit_standards').first('id')) as { id: number }).id;
    const staffBase = (await maxId(filler, 'enterprise_staff')) - volume.staff;
    const projectBase = (await maxId(filler, 'property_projects')) - volume.projects;
    const today = beijingToday();
    const year = Number(today.slice(0, 4));
    const daysThisYear = Math.max(1, Math.floor((Date.parse(today) - Date.parse(`${year}-01-01`)) / 86_400_000));
    // The person's enterprise as fillRegistries gives it, so a record against a person is their employer's too.
    const staffEnterprise = (s: string) => `IF(MOD(${s}, 100) = 0, ${refs.ids.dongwuOrg}, ${refs.orgBase} + MOD(${s}, ${refs.enterprises}) + 1)`;
    t0 = performance.now();
    await insertChunked(
      filler,
      records,
      100_000,
      (lo, hi) => `INSERT INTO credit_events
        (enterprise_id, staff_id, project_id, district_code, category, points, source, source_ref, occurred_on, valid_until, description, status, item_id, standard_id, veto)
      SELECT
        IF(MOD(n.n, 3) = 0, ${staffEnterprise('MOD(n.n * 7, ' + volume.staff + ')')}, ${refs.orgBase} + MOD(n.n, ${refs.firstDeveloper}) + 1),
        IF(MOD(n.n, 3) = 0, ${staffBase} + MOD(n.n * 7, ${volume.staff}) + 1, NULL),
        IF(MOD(n.n, 2) = 0, ${projectBase} + MOD(n.n * 13, ${volume.projects}) + 1, NULL),
        '320508',
        IF(MOD(n.n, 10) < 7, 'complaint', 'praise'),
        IF(MOD(n.n, 10) < 7, 0 - CAST(1 + MOD(n.n * 31, 5) AS SIGNED), 1 + MOD(n.n * 31, 5)),
        'manual', CONCAT('BENCH-', n.n),
        d.day, DATE_SUB(DATE_ADD(d.day, INTERVAL 12 MONTH), INTERVAL 1 DAY),
        '压测记录',
        IF(MOD(n.n * 17, 10) = 0, 'pending', 'final'),
        IF(MOD(n.n, 10) < 7, ${pick('n.n * 3', bad)}, ${pick('n.n * 3', good)}),
        ${standard}, 0
      FROM bench_numbers n
      JOIN (SELECT n.n AS k, IF(MOD(n.n * 7919, 2) = 0, DATE_SUB('${today}', INTERVAL MOD(n.n * 104729, ${daysThisYear}) DAY), DATE_SUB('${year}-01-01', INTERVAL 1 + MOD(n.n * 104729, 365) DAY)) AS day FROM bench_numbers n WHERE n.n >= ${lo} AND n.n < ${hi}) d ON d.k = n.n
      WHERE n.n >= ${lo} AND n.n < ${hi}`,
    );
    await filler.raw('ANALYZE TABLE credit_events, enterprises, enterprise_staff, property_projects');
    console.log(`  ${records} credit records                      ${seconds(t0).padStart(6)} s`);
    await dropBenchTables(filler);
  } finally {
    await filler.destroy();
  }
  const enterpriseIds = ((await db('credit_events').distinct().pluck('enterprise_id')) as number[]).map(Number);
  const staffIds = ((await db('credit_events').whereNotNull('staff_id').distinct().pluck('staff_id')) as number[]).map(Number);
  return { db, enterpriseIds, staffIds };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const url = benchDatabaseUrl(config.DATABASE_URL, 'psp_bench_credit');
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  const records = Math.max(10_000, Math.round(1_000_000 * scale));
  console.log(`\nbench:credit — filling ${records} records`);
  const { db, enterpriseIds, staffIds } = await fill(url, records);
  try {
    const today = beijingToday();
    console.log(`\n${enterpriseIds.length} enterprises and ${staffIds.length} persons with records\n`);
    console.log('what                                         | s');
    let t0 = performance.now();
    for (let i = 0; i < Math.max(enterpriseIds.length, staffIds.length); i += 2000) {
      await db.transaction((trx) => refreshScores(trx, { enterpriseIds: enterpriseIds.slice(i, i + 2000), staffIds: staffIds.slice(i, i + 2000) }, today));
    }
    console.log(`full recomputation of the running scores     | ${seconds(t0)}`);
    t0 = performance.now();
    const rated = await rateCycle(db, Number(today.slice(0, 4)) - 1);
    console.log(`annual rating of last year (${rated.enterprises} + ${rated.staff})   | ${seconds(t0)}`);

    const officer = ((await db('users').where('username', 'gusu.staff').first('id')) as { id: number }).id;
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const enterpriseId = enterpriseIds[(i * 7919) % enterpriseIds.length]!;
      const t = performance.now();
      await db.transaction((trx) =>
        intakeRecord(trx, { source: 'bureau', sourceRef: `BENCH-ONE-${Date.now()}-${i}`, itemCode: 'G-PR-01', enterpriseId, occurredOn: today, description: '压测：表扬', evidence: [{ name: 'bench' }], recordedBy: officer }),
      );
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(`\none new record until its score is stored  | p50 ${times[99]!.toFixed(1)} ms | p95 ${times[189]!.toFixed(1)} ms\n`);
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
