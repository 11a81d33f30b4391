import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Knex } from 'knex';
import { runBackup } from '../../lib/backup/backup';
import type { BackupSettings } from '../../lib/backup/common';
import { createDb } from '../../db/connection';
import { applyRuntimeGrants } from '../../db/grants';
import { insertOperation, verifyOperationChain } from '../../db/operation-log';
import { signIn, testApp } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';

/**
 * The runtime account (DATABASE_URL) made with the one grants script the MySQL container's first
 * start and `npm run migrate` use (deploy/mysql/runtime-grants.sql, db/grants.ts), on a real
 * MariaDB: it cannot touch the operation log's protection or its rows, nor the schema, nor grant
 * anything; it can do the platform's work, through the API too.
 */
const USER = `psp_rt_${process.env.JEST_WORKER_ID ?? '0'}_${process.pid}`;
const PASSWORD = 'runtime-test-password';

/** The server's refusal of a privilege (not a trigger's SIGNAL, errno 1644). */
const DENIED = [1142, 1143, 1044, 1045, 1227, 1370, 1410];
async function refused(q: Promise<unknown>): Promise<number> {
  try {
    await q;
  } catch (err) {
    return (err as { errno: number }).errno;
  }
  throw new Error('the statement was allowed');
}

describe('the runtime database account', () => {
  let root: Knex;
  let runtime: Knex;
  let runtimeUrl: string;
  let database: string;
  let stopApp: (() => Promise<void>) | null = null;

  beforeAll(async () => {
    const fresh = await freshTestDatabase({ suffix: '_acct' });
    root = fresh.db;
    const url = new URL(fresh.url);
    database = url.pathname.slice(1);
    await root.raw(`DROP USER IF EXISTS '${USER}'@'%'`);
    await root.raw(`CREATE USER '${USER}'@'%' IDENTIFIED BY '${PASSWORD}'`);
    // As an installation made before the split: the runtime account held everything.
    await root.raw(`GRANT ALL PRIVILEGES ON \`${database}\`.* TO '${USER}'@'%' WITH GRANT OPTION`);
    await applyRuntimeGrants(root, { user: USER, host: '%' });
    url.username = USER;
    url.password = PASSWORD;
    runtimeUrl = url.toString();
    runtime = createDb(runtimeUrl);
  });

  afterAll(async () => {
    await stopApp?.();
    await runtime?.destroy();
    await root?.raw(`DROP USER IF EXISTS '${USER}'@'%'`);
    await root?.raw(`DROP USER IF EXISTS '${USER}_bk'@'%'`);
    await root?.destroy();
  });

  it('holds only data rights in its database: no ALL PRIVILEGES, no GRANT OPTION left', async () => {
    const [grants] = (await root.raw(`SHOW GRANTS FOR '${USER}'@'%'`)) as [Array<Record<string, string>>];
    const text = grants.map((g) => Object.values(g)[0]).join('\n');
    expect(text).not.toMatch(/ALL PRIVILEGES|GRANT OPTION|TRIGGER|ALTER|DROP|CREATE/);
    expect(text).toMatch(new RegExp(`GRANT SELECT ON \`${database}\`\\.\\*`));
    expect(text).toMatch(/GRANT INSERT ON `[^`]+`\.`operation_log` TO/);
  });

  it('is refused DROP TRIGGER, ALTER, DELETE, UPDATE and TRUNCATE on the operation log', async () => {
    const logId = (await root('operation_log').first('id'))?.id ?? (await insertOperation(root, sample('seed')), (await root('operation_log').first('id'))!.id);
    expect(DENIED).toContain(await refused(runtime.raw('DROP TRIGGER operation_log_no_update')));
    expect(DENIED).toContain(await refused(runtime.raw('DROP TRIGGER operation_log_retention_only')));
    expect(DENIED).toContain(await refused(runtime.raw("CREATE TRIGGER sneaky BEFORE INSERT ON operation_log FOR EACH ROW SET NEW.path = 'x'")));
    expect(DENIED).toContain(await refused(runtime.raw('ALTER TABLE operation_log ADD COLUMN sneaky INT')));
    expect(DENIED).toContain(await refused(runtime.raw('ALTER TABLE operation_log DROP INDEX operation_log_chain_seq_unique')));
    expect(DENIED).toContain(await refused(runtime('operation_log').where('id', logId).delete()));
    expect(DENIED).toContain(await refused(runtime('operation_log').where('id', logId).update({ path: '/rewritten' })));
    expect(DENIED).toContain(await refused(runtime.raw('TRUNCATE TABLE operation_log')));
    expect(DENIED).toContain(await refused(runtime.raw('DROP TABLE operation_log')));
    // The chain's bookkeeping: the head is moved, never removed; archive records are the maintenance account's.
    expect(DENIED).toContain(await refused(runtime('operation_log_head').delete()));
    expect(DENIED).toContain(
      await refused(
        runtime('operation_log_archives').insert({ month: '2000-01', first_seq: 1, last_seq: 1, first_id: 1, last_id: 1, prev_hmac: '0'.repeat(64), last_hmac: '0'.repeat(64), row_count: 1, file: 'x', sha256: '0'.repeat(64), bytes: 1 }),
      ),
    );
    // No schema changes anywhere, no grants.
    expect(DENIED).toContain(await refused(runtime.raw('CREATE TABLE sneaky (a INT)')));
    expect(DENIED).toContain(await refused(runtime.raw('ALTER TABLE users ADD COLUMN sneaky INT')));
    expect(DENIED).toContain(await refused(runtime.raw(`GRANT SELECT ON \`${database}\`.* TO '${USER}'@'%'`)));
    // The rows and the triggers are all still there.
    expect(await root('operation_log').where('id', logId).first('path')).not.toEqual({ path: '/rewritten' });
    const [triggers] = (await root.raw('SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY 1', [database])) as [Array<{ name: string }>];
    expect(triggers.map((t) => t.name)).toEqual(expect.arrayContaining(['operation_log_no_update', 'operation_log_retention_only']));
  });

  it('does the platform’s normal work: appends to the log, reads and writes the registries', async () => {
    await insertOperation(runtime, sample('runtime.append'));
    await runtime.transaction(async (trx) => {
      const enterprise = (await trx('enterprises').orderBy('id').first('id', 'remarks')) as { id: number; remarks: string | null };
      await trx('enterprises').where('id', enterprise.id).update({ remarks: '运行账户测试' });
      const project = (await trx('property_projects').orderBy('id').first('id')) as { id: number };
      const [facility] = await trx('project_facilities').insert({ project_id: project.id, kind: 'elevator', name: '测试电梯', quantity: 1 });
      await trx('project_facilities').where('id', facility).update({ status: 'fair' });
      await trx('project_facilities').where('id', facility).delete();
      await insertOperation(trx, sample('registries.update'));
    });
    expect(await runtime('enterprises').where('remarks', '运行账户测试').count({ n: '*' }).first()).toEqual({ n: 1 });
    expect((await verifyOperationChain(runtime)).ok).toBe(true);
  });

  it('runs the API: sign-in, a denied request, sign-out, each logged', async () => {
    const t = testApp(runtime);
    stopApp = () => t.temporal.close();
    const agent = await signIn(t.app, 'city.staff');
    expect((await agent.get('/api/auth/me')).status).toBe(200);
    expect((await agent.post('/api/users').send({})).status).toBe(403);
    expect((await agent.post('/api/auth/logout')).status).toBe(204);
    const logged = await root('operation_log').where('username', 'city.staff').orderBy('id').pluck('action');
    expect(logged).toEqual(expect.arrayContaining(['auth.login', 'auth.logout']));
    expect(await root('operation_log').where({ username: 'city.staff', result: 'denied', status: 403 }).count({ n: '*' }).first()).toEqual({ n: 1 });
    expect((await verifyOperationChain(root)).ok).toBe(true);
  });

  it("cannot take a backup that would lose the log's triggers; the documented backup account can", async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'psp-acct-backup-'));
    fs.mkdirSync(path.join(work, 'files'));
    // Temporal elsewhere: the run takes the database and the files only.
    const settings = (databaseUrl: string): BackupSettings => ({ databaseUrl, dataDir: work, filesDir: path.join(work, 'files'), backupDir: path.join(work, 'backups'), keep: 2, temporalAddress: 'temporal.elsewhere:7233' });
    try {
      await expect(runBackup(settings(runtimeUrl))).rejects.toThrow(/TRIGGER privilege[\s\S]*BACKUP_DATABASE_URL/);

      // The backup account of deploy/mysql/init/01-platform.sh.
      await root.raw(`CREATE USER '${USER}_bk'@'%' IDENTIFIED BY '${PASSWORD}'`);
      await root.raw(`GRANT SELECT, SHOW VIEW, TRIGGER, LOCK TABLES, EVENT ON \`${database}\`.* TO '${USER}_bk'@'%'`);
      const backupUrl = new URL(runtimeUrl);
      backupUrl.username = `${USER}_bk`;
      const result = await runBackup(settings(backupUrl.toString()));
      const dump = zlib.gunzipSync(fs.readFileSync(path.join(result.dir, result.manifest.parts.database.path))).toString('utf8');
      expect(dump).toMatch(/TRIGGER `?operation_log_no_update`?/);
      expect(dump).toMatch(/TRIGGER `?operation_log_retention_only`?/);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});

function sample(action: string) {
  return {
    user_id: null,
    username: 'runtime-test',
    role: null,
    organisation_id: null,
    ip: '127.0.0.1',
    method: 'POST',
    path: '/test',
    action,
    target_type: null,
    target_id: null,
    result: 'ok' as const,
    status: 200,
    request_id: null,
    detail: null,
  };
}
