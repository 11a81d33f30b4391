import fs from 'node:fs';
import knex, { type Knex } from 'knex';

export interface DatabaseTls {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized: true;
}

/**
 * TLS to MySQL (docs/deployment-security.md): on when the URL says `?ssl=true` (the system's CAs)
 * or when DATABASE_TLS_CA / DATABASE_TLS_CERT / DATABASE_TLS_KEY name PEM files (a private CA,
 * a client certificate). The server's certificate is always verified; `?ssl=false` turns TLS
 * off explicitly. Read from the environment here, not passed in, so every createDb caller (the
 * API, the workers, the scripts) connects the same way.
 */
export function databaseTls(url: URL, env: NodeJS.ProcessEnv = process.env): DatabaseTls | undefined {
  const flag = url.searchParams.get('ssl');
  if (flag !== null && !['true', 'false', '1', '0', 'required'].includes(flag)) throw new Error(`DATABASE_URL: ssl=${flag} is not true or false`);
  if (flag === 'false' || flag === '0') return undefined;
  const read = (name: 'DATABASE_TLS_CA' | 'DATABASE_TLS_CERT' | 'DATABASE_TLS_KEY') => {
    const file = env[name]?.trim();
    if (!file) return undefined;
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`${name}: cannot read ${file} (${(err as Error).message})`, { cause: err });
    }
  };
  const ca = read('DATABASE_TLS_CA');
  const cert = read('DATABASE_TLS_CERT');
  const key = read('DATABASE_TLS_KEY');
  if (Boolean(cert) !== Boolean(key)) throw new Error('DATABASE_TLS_CERT and DATABASE_TLS_KEY go together (a client certificate and its key)');
  if (flag === null && !ca && !cert) return undefined;
  return { ...(ca ? { ca } : {}), ...(cert ? { cert, key } : {}), rejectUnauthorized: true };
}

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
      ssl: databaseTls(url),
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
