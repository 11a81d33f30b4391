import path from 'node:path';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { provisionTemporal } from '../lib/temporal/provision';
import { ROLE_LABELS_ZH } from '../lib/roles';
import { createDb, ensureDatabase } from '../db/connection';
import { resolveDatabase } from '../lib/database/private-server';
import { migrateLatest } from '../db/migrate';
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from '../db/seeds/demo';
import { publishShippedProcesses } from '../lib/processes/shipped';
import { startSimulatedModems } from '../tools/modem-simulator';
import { adminUiIsStale, buildAdminUiIfStale } from './admin-ui-build';
import { Supervisor } from './supervisor';

/**
 * `npm start`: one command brings up the whole platform on this machine —
 * Temporal (provisioned as lib/temporal/provision.ts describes), the database schema and demo
 * data, the admin UI build, then the API, the approvals worker and the SMS worker as supervised
 * children. Ctrl-C stops them all, then Temporal.
 */
const root = path.resolve(__dirname, '..');

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('start', config.LOG_LEVEL);
  const cleanups: Array<() => Promise<void>> = [];
  let shuttingDown = false;
  const shutdown = async (reason: string, code = 0) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ reason }, 'stopping the platform');
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((err) => log.error({ err }, 'error while stopping'));
    }
    log.info('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    const temporal = await provisionTemporal({
      log,
      namespace: config.TEMPORAL_NAMESPACE,
      configuredAddress: config.TEMPORAL_ADDRESS,
      dataDir: config.DATA_DIR,
      cacheDir: config.CACHE_DIR,
      port: config.TEMPORAL_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      restartDelayMs: config.TEMPORAL_RESTART_DELAY_MS,
    });
    cleanups.push(() => temporal.stop());

    const demo = config.NODE_ENV !== 'production';
    const database = await prepareDatabase(config, log, demo, cleanups);
    if (adminUiIsStale(config.UI_DIST_DIR)) {
      log.info('building the admin UI …');
      if (!buildAdminUiIfStale(config.UI_DIST_DIR)) log.warn('the admin UI build failed; the API runs without it');
    }

    const smsPorts = await modemPorts(config.SMS_PORTS, log, cleanups);
    // The children read their configuration from this environment: the private database, if one was started, is theirs too.
    const supervisor = new Supervisor(log, { ...process.env, TEMPORAL_ADDRESS: temporal.address, DATABASE_URL: database.url });
    cleanups.push(() => supervisor.stop());
    supervisor.start({ name: 'api', script: path.join(root, 'api/server.ts') });
    supervisor.start({ name: 'worker-approvals', script: path.join(root, 'workers/approvals.ts') });
    if (smsPorts) supervisor.start({ name: 'worker-sms', script: path.join(root, 'workers/sms.ts'), env: { SMS_PORTS: smsPorts } });

    const url = `http://${config.HOST}:${config.PORT}`;
    await waitForReady(`${url}/readyz`, 120_000);
    printWelcome(url, temporal.uiUrl, smsPorts ? `modems on ${smsPorts}` : 'not running (no modems)', demo, database.description);
  } catch (err) {
    log.fatal({ err }, 'the platform could not start');
    await shutdown('start-up failed', 1);
  }
}

/**
 * The serial ports the SMS worker opens: the configured modems, or four simulated ones on socat
 * pseudo-terminals. The simulators live in this process, not the worker's, so that like real
 * hardware they outlive a worker restart.
 */
async function modemPorts(configured: string, log: ReturnType<typeof createLogger>, cleanups: Array<() => Promise<void>>): Promise<string | null> {
  if (configured.trim()) return configured;
  try {
    const sim = await startSimulatedModems({ count: 4 });
    cleanups.push(() => sim.stop());
    log.info({ devices: sim.devicePaths }, 'no SMS_PORTS configured: the SMS worker runs on 4 simulated modems');
    return sim.devicePaths.join(',');
  } catch (err) {
    log.warn({ err }, 'could not start simulated modems (is socat installed?); the SMS worker is not started');
    return null;
  }
}

/**
 * Finds the database (starting a private server when DATABASE_URL is unset and nothing answers
 * at the default: lib/database/private-server.ts), then migrates it, seeds the demo data and
 * publishes the shipped processes. Returns the URL the API and the workers are to use.
 */
async function prepareDatabase(config: ReturnType<typeof loadConfig>, log: ReturnType<typeof createLogger>, demo: boolean, cleanups: Array<() => Promise<void>>): Promise<{ url: string; description: string }> {
  const explicit = Boolean(process.env.DATABASE_URL?.trim());
  // PSP_DEFAULT_DATABASE_URL stands in for the built-in default (tests point it at a dead port).
  const defaultUrl = process.env.PSP_DEFAULT_DATABASE_URL?.trim() || loadConfig({}).DATABASE_URL;
  const resolved = await resolveDatabase({ url: explicit ? config.DATABASE_URL : defaultUrl, explicit, log, dataDir: config.DATA_DIR, port: config.PRIVATE_DB_PORT });
  const server = resolved.privateServer;
  if (server) cleanups.push(() => server.stop());
  const url = resolved.url;
  const description = server ? `${url.replace(/\/[^/]*$/, '')} — private ${server.flavour === 'mariadb' ? 'MariaDB' : 'MySQL'} server${server.reused ? ' (already running)' : ''}, data in ${server.dataDir}` : new URL(url).host;
  if (server) {
    // Said plainly, not only in the log: a database appearing on its own should surprise no one.
    console.log(
      `[start] no database server answered at ${new URL(explicit ? config.DATABASE_URL : defaultUrl).host}: ` +
        `${server.reused ? 'using the private server already running' : server.initialised ? 'initialised and started a private server' : 'started the private server'} ` +
        `on 127.0.0.1:${server.port} (socket ${server.socket}), data in ${server.dataDir}; it stops with the platform.`,
    );
  }
  try {
    await ensureDatabase(url);
  } catch (err) {
    throw new Error(`No MySQL/MariaDB answers at ${new URL(url).host} (${(err as Error).message}). Start one (see README: "Requirements") or set DATABASE_URL.`, { cause: err });
  }
  const db = createDb(url);
  try {
    const applied = await migrateLatest(db);
    log.info({ applied }, applied.length ? 'database migrated' : 'database schema up to date');
    if (demo) {
      const seeded = await seedDemo(db);
      log.info(seeded, 'demo data in place');
    } else {
      // Production: no demo account may ever exist; the first administrator comes from setup:admin.
      log.warn('NODE_ENV=production: no demo data is created; create the first administrator once with `npm run setup:admin`');
    }
    const processes = await publishShippedProcesses(db);
    log.info({ processes: processes.map((p) => `${p.processKey}@${p.version}${p.changed ? ' (new)' : ''}`) }, 'shipped processes published');
  } finally {
    await db.destroy();
  }
  return { url, description };
}

async function waitForReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not report ready within ${timeoutMs / 1000} s`);
}

function printWelcome(url: string, temporalUi: string | null, smsPorts: string | null, demo: boolean, database: string): void {
  const rows = DEMO_USERS.map((u) => `    ${u.username.padEnd(18)} ${ROLE_LABELS_ZH[u.role]}（${u.role}）`).join('\n');
  console.log(`
  物业监管与服务平台 is running.

    Admin UI     ${url}/
    API docs     ${url}/api/docs
    Readiness    ${url}/readyz${temporalUi ? `\n    Temporal UI  ${temporalUi}` : ''}
    SMS          ${smsPorts}
    Database     ${database}

${demo ? `  Demo sign-ins (password for all: ${DEMO_PASSWORD}):\n${rows}\n  The administrators (admin, security, auditor) also give a code: npm run demo:totp -- <username>\n` : '  Production mode: sign in with the administrator from `npm run setup:admin`.\n'}
  Press Ctrl-C to stop.
`);
}

void main();
