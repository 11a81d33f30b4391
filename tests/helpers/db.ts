import type { Knex } from 'knex';
import { createDb, ensureDatabase } from '../../db/connection';
import { migrateLatest } from '../../db/migrate';
import { seedDemo } from '../../db/seeds/demo';

/**
 * A database of the calling jest worker's own (`psp_test_<worker>`), dropped and migrated
 * afresh for each test file, with the demo seed loaded. Files on different workers never
 * share rows; files on the same worker run one after another.
 */
export function testDatabaseUrl(suffix = ''): string {
  const base = new URL(process.env.TEST_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/test');
  // The prefix is unique to the jest run (set by the global setup), so two runs at once never meet.
  base.pathname = `/${process.env.TEST_DB_PREFIX ?? 'psp_test'}_${process.env.JEST_WORKER_ID ?? '0'}${suffix}`;
  return base.toString();
}

export async function freshTestDatabase(opts: { seed?: boolean; suffix?: string } = {}): Promise<{ db: Knex; url: string }> {
  const url = testDatabaseUrl(opts.suffix);
  const name = new URL(url).pathname.slice(1);
  const admin = createDb(new URL('/', url).toString(), { min: 0, max: 1 });
  try {
    await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await admin.destroy();
  }
  await ensureDatabase(url);
  const db = createDb(url);
  await migrateLatest(db);
  if (opts.seed !== false) await seedDemo(db);
  return { db, url };
}
