import knex, { type Knex } from 'knex';

/**
 * knex on mysql2. Dates are kept as JavaScript Dates in UTC on the wire (`timezone: 'Z'`) so that
 * a server in another time zone reads back the instants that were written.
 */
export function createDb(databaseUrl: string, pool: { min: number; max: number } = { min: 0, max: 10 }): Knex {
  const url = new URL(databaseUrl);
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new Error(`DATABASE_URL must be a mysql:// URL, got ${url.protocol}`);
  }
  return knex({
    client: 'mysql2',
    connection: {
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username || 'root'),
      password: decodeURIComponent(url.password),
      database: url.pathname.replace(/^\//, '') || undefined,
      timezone: 'Z',
      charset: 'utf8mb4',
      dateStrings: false,
      supportBigNumbers: true,
      bigNumberStrings: false,
    },
    pool: {
      ...pool,
      // TIMESTAMP columns are converted through the session's time zone: with it at UTC, the
      // instants JavaScript writes and SQL's own clock (NOW(), UTC_TIMESTAMP()) agree on any
      // server, whatever its system time zone (a Beijing server's is +08:00).
      afterCreate: (conn: { query: (sql: string, cb: (err: Error | null) => void) => void }, done: (err: Error | null, conn: unknown) => void) => {
        conn.query("SET time_zone = '+00:00'", (err) => done(err, conn));
      },
    },
  });
}

/** Creates the database named in the URL if it does not exist yet (a fresh machine has only `test`). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = url.pathname.replace(/^\//, '');
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`Unsupported database name in DATABASE_URL: "${name}"`);
  url.pathname = '/';
  const admin = createDb(url.toString(), { min: 0, max: 1 });
  try {
    await admin.raw(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.destroy();
  }
}

export type { Knex };

/** Whether the database answers (readiness probes). */
export async function pingDatabase(db: Knex): Promise<void> {
  await db.raw('SELECT 1');
}

/** The database server's clock as an ISO string (a worker proving it reaches MySQL). */
export async function databaseClock(db: Knex): Promise<string> {
  const [rows] = (await db.raw('SELECT UTC_TIMESTAMP(3) AS now')) as [Array<{ now: Date | string }>];
  const now = rows[0].now;
  return now instanceof Date ? now.toISOString() : String(now);
}
