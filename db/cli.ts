import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { createDb, ensureDatabase } from './connection';
import { migrateLatest } from './migrate';
import { seedDemo } from './seeds/demo';
import { createFirstAdmin } from './seeds/first-admin';

/**
 * `npm run migrate` / `npm run seed` / `npm run setup:admin`, for operators:
 * - migrate: the schema, nothing else (what a production start runs);
 * - seed: migrate, then the demo data — refused in production (NODE_ENV=production);
 * - setup-admin [--username admin] [--name 系统管理员] [--organisation 名称]: the first
 *   administrator of a new installation, once. The password comes from INITIAL_ADMIN_PASSWORD
 *   (read once, then unset it) or is generated and printed; it must be changed at first sign-in.
 */
async function main(): Promise<void> {
  const command = process.argv[2];
  if (!['migrate', 'seed', 'setup-admin'].includes(command ?? '')) {
    throw new Error('usage: db/cli.ts migrate | seed | setup-admin [--username U] [--name N] [--organisation O]');
  }
  const config = loadConfig();
  const log = createLogger('db');
  await ensureDatabase(config.DATABASE_URL);
  const db = createDb(config.DATABASE_URL);
  try {
    const applied = await migrateLatest(db);
    log.info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
    if (command === 'seed') log.info(await seedDemo(db), 'demo data seeded');
    if (command === 'setup-admin') {
      const { values } = parseArgs({
        args: process.argv.slice(3),
        options: { username: { type: 'string', default: 'admin' }, name: { type: 'string', default: '系统管理员' }, organisation: { type: 'string', default: '市住房和城乡建设局' } },
      });
      const created = await createFirstAdmin(db, {
        username: values.username!,
        displayName: values.name!,
        organisationName: values.organisation!,
        password: process.env.INITIAL_ADMIN_PASSWORD || undefined,
      });
      console.log(
        created.generated
          ? `Administrator "${values.username}" created. One-time password (shown once; it must be changed at the first sign-in):\n\n    ${created.password}\n`
          : `Administrator "${values.username}" created with INITIAL_ADMIN_PASSWORD; it must be changed at the first sign-in. Remove the variable now.`,
      );
    }
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
