import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../lib/config';
import { createLogger } from '../lib/logger';
import { createDb, ensureDatabase } from './connection';
import { applyRuntimeGrants } from './grants';
import { migrateLatest } from './migrate';
import { seedDemo } from './seeds/demo';
import { createFirstAdmin, type FirstAdminInput } from './seeds/first-admin';

/**
 * `npm run migrate` / `npm run seed` / `npm run setup:admin`, for operators:
 * - migrate: the schema, then the runtime account's grants (what the one-shot `migrate` service of
 *   docker-compose runs before the API and the workers start). It runs under DATABASE_MIGRATION_URL,
 *   required in production: the runtime account (DATABASE_URL) has no DDL (deploy/mysql/runtime-grants.sql);
 * - seed: migrate, then the demo data — refused in production (NODE_ENV=production);
 * - setup-admin [--username admin] [--name 系统管理员] [--organisation 名称] [--role sysadmin|security_admin|audit_admin]:
 *   the first administrator of each of the three roles of a new installation, once per role. The password comes from INITIAL_ADMIN_PASSWORD
 *   (read once, then unset it) or is generated and printed; it must be changed at first sign-in.
 */
async function main(): Promise<void> {
  const command = process.argv[2];
  if (!['migrate', 'seed', 'setup-admin'].includes(command ?? '')) {
    throw new Error('usage: db/cli.ts migrate | seed | setup-admin [--username U] [--name N] [--organisation O] [--role R]');
  }
  const config = loadConfig();
  const log = createLogger('db');
  const url = migrationUrl(config);
  await ensureDatabase(url);
  const db = createDb(url);
  try {
    const applied = await migrateLatest(db);
    log.info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
    const runtime = new URL(config.DATABASE_URL);
    const runtimeUser = decodeURIComponent(runtime.username || 'root');
    if (runtimeUser !== decodeURIComponent(new URL(url).username || 'root')) {
      if (runtime.pathname !== new URL(url).pathname) throw new Error(`DATABASE_URL and DATABASE_MIGRATION_URL name different databases (${runtime.pathname.slice(1)}, ${new URL(url).pathname.slice(1)})`);
      const statements = await applyRuntimeGrants(db, { user: runtimeUser, host: config.DATABASE_RUNTIME_ACCOUNT_HOST });
      log.info({ account: `${runtimeUser}@${config.DATABASE_RUNTIME_ACCOUNT_HOST}`, statements: statements.length }, 'runtime account granted (deploy/mysql/runtime-grants.sql)');
    }
    if (command === 'seed') log.info(await seedDemo(db), 'demo data seeded');
    if (command === 'setup-admin') {
      const { values } = parseArgs({
        args: process.argv.slice(3),
        options: { username: { type: 'string', default: 'admin' }, name: { type: 'string', default: '系统管理员' }, organisation: { type: 'string', default: '市住房和城乡建设局' }, role: { type: 'string', default: 'sysadmin' } },
      });
      const created = await createFirstAdmin(db, {
        username: values.username!,
        displayName: values.name!,
        organisationName: values.organisation!,
        password: process.env.INITIAL_ADMIN_PASSWORD || undefined,
        // The three administrators (docs/security.md "Separation of powers") are each set up once.
        role: values.role as FirstAdminInput['role'],
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

/** Migrations never run under the runtime account in production: it cannot (and must not) change the schema. */
function migrationUrl(config: Config): string {
  if (config.DATABASE_MIGRATION_URL) return config.DATABASE_MIGRATION_URL;
  if (config.NODE_ENV === 'production') throw new Error('DATABASE_MIGRATION_URL must be set in production: the runtime account of DATABASE_URL has no DDL rights (docs/deployment-security.md)');
  return config.DATABASE_URL;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
