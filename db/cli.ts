import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { createDb, ensureDatabase } from './connection';
import { migrateLatest } from './migrate';
import { seedDemo } from './seeds/demo';

/** `npm run migrate` / `npm run seed`: the same steps `npm start` runs, for operators. */
async function main(): Promise<void> {
  const command = process.argv[2];
  const config = loadConfig();
  const log = createLogger('db');
  await ensureDatabase(config.DATABASE_URL);
  const db = createDb(config.DATABASE_URL);
  try {
    const applied = await migrateLatest(db);
    log.info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
    if (command === 'seed') log.info(await seedDemo(db), 'demo data seeded');
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
