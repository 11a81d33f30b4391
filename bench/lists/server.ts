import { createDb, type Knex } from '../../db/connection';

/**
 * Facts about the database server the bench runs on, read over a connection without a default
 * database: whether the bench database exists (BENCH_REUSE), and whether InnoDB's buffer pool
 * can hold the working set — at MariaDB's 128 MiB default, the lists at this volume read from
 * disk and the figures say more about the server setting than about the queries.
 */
const GIB = 1024 ** 3;

async function withServer<T>(url: string, work: (admin: Knex) => Promise<T>): Promise<T> {
  const u = new URL(url);
  u.pathname = '/';
  const admin = createDb(u.toString(), { min: 0, max: 1 });
  try {
    return await work(admin);
  } finally {
    await admin.destroy();
  }
}

export async function databaseExists(url: string): Promise<boolean> {
  const name = new URL(url).pathname.slice(1);
  return withServer(url, async (admin) => {
    const [rows] = (await admin.raw('SELECT 1 FROM information_schema.schemata WHERE schema_name = ?', [name])) as [unknown[]];
    return rows.length > 0;
  });
}

/** Prints innodb_buffer_pool_size, with how to raise it when it is under 1 GiB (the bench never changes it). */
export async function reportBufferPool(url: string, log: (line: string) => void = console.log): Promise<void> {
  const size = await withServer(url, async (admin) => {
    const [rows] = (await admin.raw('SELECT @@innodb_buffer_pool_size AS size')) as [Array<{ size: number | string }>];
    return Number(rows[0].size);
  });
  log(`innodb_buffer_pool_size = ${(size / GIB).toFixed(2)} GiB (${size})`);
  if (size < GIB) {
    log("  WARNING: under 1 GiB — this volume's working set does not fit, so the figures measure disk reads. Raise it");
    log('  with `SET GLOBAL innodb_buffer_pool_size = 2147483648` (as root, until the server restarts) or');
    log('  innodb_buffer_pool_size = 2G under [mysqld] in the server config.');
  }
}
