import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';

/**
 * Applies deploy/mysql/runtime-grants.sql (read it for what the runtime account may do) to one
 * account, expanding its blocks against the tables that exist now:
 *   -- @each-table except a b c   … -- @end   once per base table of the database but those;
 *   -- @if-table t                … -- @end   only when table t exists.
 * Runs under the migration account (it needs GRANT OPTION), after the migrations.
 */
export const RUNTIME_GRANTS_FILE = path.resolve(__dirname, '..', 'deploy', 'mysql', 'runtime-grants.sql');

const NAME = /^[A-Za-z0-9_]+$/;

export interface RuntimeAccount {
  user: string;
  host: string;
}

/** The statements for an account in a database, given the tables that exist. */
export function runtimeGrantStatements(sql: string, database: string, account: RuntimeAccount, tables: string[]): string[] {
  if (!NAME.test(database)) throw new Error(`Unsupported database name "${database}"`);
  if (!NAME.test(account.user) || !/^[A-Za-z0-9_.%:-]+$/.test(account.host)) throw new Error(`Unsupported account '${account.user}'@'${account.host}'`);
  const quoted = `'${account.user}'@'${account.host}'`;
  const fill = (text: string, table?: string) =>
    text
      .replaceAll('{{database}}', database)
      .replaceAll('{{account}}', quoted)
      .replaceAll('{{table}}', table ?? '{{table}}');
  const out: string[] = [];
  let block: { kind: 'each' | 'if'; names: string[]; lines: string[] } | null = null;
  let pending: string[] = [];
  const flush = (lines: string[], table?: string) => {
    for (const stmt of lines.join('\n').split(/;\s*$/m)) {
      const text = stmt
        .split('\n')
        .filter((l) => !l.trim().startsWith('--'))
        .join('\n')
        .trim();
      if (text) out.push(fill(text, table));
    }
  };
  for (const line of sql.split('\n')) {
    const directive = /^--\s*@(each-table|if-table|end)\b(.*)$/.exec(line.trim());
    if (directive && directive[1] !== 'end') {
      flush(pending);
      pending = [];
      const words = directive[2].trim().split(/\s+/).filter(Boolean);
      block = directive[1] === 'each-table' ? { kind: 'each', names: words[0] === 'except' ? words.slice(1) : words, lines: [] } : { kind: 'if', names: words, lines: [] };
    } else if (directive) {
      if (!block) throw new Error('runtime-grants.sql: @end without a block');
      if (block.kind === 'each') for (const t of tables.filter((t) => !block!.names.includes(t))) flush(block.lines, t);
      else if (block.names.every((t) => tables.includes(t))) flush(block.lines);
      block = null;
    } else if (block) block.lines.push(line);
    else pending.push(line);
  }
  if (block) throw new Error('runtime-grants.sql: a block has no @end');
  flush(pending);
  return out;
}

/** Grants the runtime account exactly what runtime-grants.sql says, for the tables of the connection's database. */
export async function applyRuntimeGrants(db: Knex, account: RuntimeAccount, database?: string): Promise<string[]> {
  const [[current]] = (await db.raw('SELECT DATABASE() AS name')) as [[{ name: string | null }]];
  const name = database ?? current.name;
  if (!name) throw new Error('applyRuntimeGrants: no database selected');
  const [rows] = (await db.raw("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'", [name])) as [Array<{ t: string }>];
  const statements = runtimeGrantStatements(
    fs.readFileSync(RUNTIME_GRANTS_FILE, 'utf8'),
    name,
    account,
    rows.map((r) => r.t).filter((t) => NAME.test(t)),
  );
  for (const statement of statements) {
    try {
      await db.raw(statement);
    } catch (err) {
      // ER_NONEXISTING_GRANT, ER_NONEXISTING_TABLE_GRANT: revoking what the account does not hold.
      const errno = (err as { errno?: number }).errno;
      if (!(statement.startsWith('REVOKE') && (errno === 1141 || errno === 1147))) throw err;
    }
  }
  return statements;
}
