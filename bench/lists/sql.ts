import type { Knex } from 'knex';

/**
 * SQL helpers shared by the fillers. Everything is set-based: rows come from INSERT … SELECT over
 * a numbers table (0 … N-1) built from cross joins of a ten-row digits table, which runs the same
 * on MySQL 8 and MariaDB and is far faster than sending rows from Node.
 */

/** Builds bench_digits (0–9) and bench_numbers (0 … size-1, size ≤ 10,000,000). */
export async function createNumbers(db: Knex, size: number): Promise<void> {
  await db.raw('DROP TABLE IF EXISTS bench_numbers, bench_digits');
  await db.raw('CREATE TABLE bench_digits (d TINYINT UNSIGNED NOT NULL PRIMARY KEY)');
  await db.raw('INSERT INTO bench_digits (d) VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)');
  await db.raw('CREATE TABLE bench_numbers (n INT UNSIGNED NOT NULL PRIMARY KEY)');
  const places = Math.max(1, Math.ceil(Math.log10(Math.max(size, 2))));
  const aliases = Array.from({ length: places }, (_, i) => `d${i}`);
  const value = aliases.map((a, i) => `${a}.d * ${10 ** i}`).join(' + ');
  await db.raw(`INSERT INTO bench_numbers (n) SELECT x.n FROM (SELECT ${value} AS n FROM ${aliases.map((a) => `bench_digits ${a}`).join(' CROSS JOIN ')}) x WHERE x.n < ? ORDER BY x.n`, [size]);
}

/** The helper tables of a fill (numbers and lookup tables) are not part of the schema: dropped at the end. */
export async function dropBenchTables(db: Knex): Promise<void> {
  const [rows] = (await db.raw("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'bench\\_%'")) as [Array<{ name: string }>];
  if (rows.length) await db.raw(`DROP TABLE ${rows.map((r) => `\`${r.name}\``).join(', ')}`);
}

/**
 * CREATE TABLE for a helper table, in the collation the schema's own text columns use (the
 * database default may differ from what the migrations created, and joins across collations fail).
 */
export async function createBenchTable(db: Knex, name: string, columns: string): Promise<void> {
  const [rows] = (await db.raw("SELECT collation_name AS c FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'organisations' AND column_name = 'code'")) as [Array<{ c: string }>];
  const collation = rows[0]?.c ?? 'utf8mb4_unicode_ci';
  await db.raw(`CREATE TABLE \`${name}\` (${columns}) DEFAULT CHARSET = utf8mb4 COLLATE = ${collation}`);
}

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/** ELT(1 + expr mod len, …): a deterministic pick from a word list, inlined as constants. */
export function pick(expr: string, words: readonly string[]): string {
  return `ELT(1 + MOD(${expr}, ${words.length}), ${words.map(quote).join(', ')})`;
}

/**
 * Runs an INSERT … SELECT over [0, total) in chunks: one statement per chunk keeps each
 * transaction's undo log small. `sql(lo, hi)` returns the statement for the rows lo … hi-1 (a
 * table larger than the numbers table adds lo to n itself).
 */
export async function insertChunked(db: Knex, total: number, chunk: number, sql: (lo: number, hi: number) => string): Promise<void> {
  for (let lo = 0; lo < total; lo += chunk) await db.raw(sql(lo, Math.min(total, lo + chunk)));
}

export async function count(db: Knex, table: string): Promise<number> {
  const [rows] = (await db.raw(`SELECT COUNT(*) AS n FROM \`${table}\``)) as [Array<{ n: number | string }>];
  return Number(rows[0].n);
}

export async function maxId(db: Knex, table: string): Promise<number> {
  const [rows] = (await db.raw(`SELECT COALESCE(MAX(id), 0) AS n FROM \`${table}\``)) as [Array<{ n: number | string }>];
  return Number(rows[0].n);
}

export async function one<T>(db: Knex, sql: string, bindings: readonly unknown[] = []): Promise<T> {
  const [rows] = (await db.raw(sql, bindings as Knex.RawBinding[])) as [T[]];
  if (!rows.length) throw new Error(`no row for: ${sql}`);
  return rows[0];
}
