import fs from 'node:fs';
import type { TemporalServer } from '../../lib/temporal/provision';
import { createDb } from '../../db/connection';
import { failOnLeftoverProcesses } from './leftover-processes';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as Record<string, unknown>;
  await (g.__TEMPORAL_SERVER__ as TemporalServer | undefined)?.stop();
  const dir = g.__TEMPORAL_DATA_DIR__ as string | undefined;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  // With the dev server stopped, anything else of this run still alive was left by a test. Its
  // error is thrown once the databases are dropped.
  const leftovers = await failOnLeftoverProcesses().then(
    () => null,
    (err: unknown) => err,
  );
  // Drop this run's databases (TEST_KEEP_DATABASES=1 keeps them for inspection).
  const prefix = process.env.TEST_DB_PREFIX;
  if (prefix && process.env.TEST_DATABASE_URL && !process.env.TEST_KEEP_DATABASES) {
    const admin = createDb(process.env.TEST_DATABASE_URL, { min: 0, max: 1 });
    try {
      const [rows] = (await admin.raw('SHOW DATABASES LIKE ?', [`${prefix}\\_%`])) as [Array<Record<string, string>>];
      for (const row of rows) await admin.raw(`DROP DATABASE \`${Object.values(row)[0]}\``);
    } finally {
      await admin.destroy();
    }
  }
  if (leftovers) throw leftovers;
}
