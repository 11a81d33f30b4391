import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { connectWhenReady, ensureSearchAttributes } from './connect';
import { CASE_SEARCH_ATTRIBUTES } from './search-attributes';

/**
 * Finds or starts a Temporal server, in the order the platform promises:
 *   1. TEMPORAL_ADDRESS is set → use that server;
 *   2. a server already answers on the dev port → reuse it (a second `npm start`, say);
 *   3. a `temporal` CLI on PATH → run its dev server;
 *   4. Go is available → build the CLI from its Go module once into a cache outside the clone;
 *   5. otherwise → let @temporalio/testing download its dev server.
 * The dev server keeps its state in a SQLite file under the data folder, so restarting it loses
 * no case — and a dev server that dies (crash, OOM kill, SIGKILL) is started again on the same
 * file and port with a growing pause, as scripts/supervisor.ts does for the platform's processes.
 */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
// Later tags carry a `replace` directive that `go install` refuses; 1.5.1 ships server 1.29.1.
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

export type TemporalSource = 'configured' | 'already-running' | 'cli-on-path' | 'cli-built-from-go' | 'sdk-download';

export interface TemporalServer {
  address: string;
  namespace: string;
  source: TemporalSource;
  uiUrl: string | null;
  stop(): Promise<void>;
}

export interface ProvisionOptions {
  log: Logger;
  namespace: string;
  configuredAddress?: string;
  dataDir: string;
  cacheDir: string;
  port: number;
  /** false runs the server headless (tests). */
  uiPort: number | false;
  /** Skip reusing a server already on the port (tests want their own). */
  reuseRunning?: boolean;
  /** The wait before the first restart of a dev server that died; 1 s unless set. */
  restartDelayMs?: number;
}

export async function provisionTemporal(opts: ProvisionOptions): Promise<TemporalServer> {
  const { log, namespace } = opts;
  if (opts.configuredAddress) {
    const connection = await connectWhenReady(opts.configuredAddress, 60_000);
    await registerSearchAttributes(connection, namespace, log);
    await connection.close();
    log.info({ address: opts.configuredAddress }, 'using the configured Temporal server');
    return { address: opts.configuredAddress, namespace, source: 'configured', uiUrl: null, stop: async () => {} };
  }

  const address = `127.0.0.1:${opts.port}`;
  if (opts.reuseRunning !== false && (await answers(address))) {
    const connection = await connectWhenReady(address, 5_000);
    await registerSearchAttributes(connection, namespace, log);
    await connection.close();
    log.info({ address }, 'a Temporal server already answers on the dev port; reusing it');
    const uiUrl = opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : null;
    return { address, namespace, source: 'already-running', uiUrl, stop: async () => {} };
  }

  fs.mkdirSync(opts.dataDir, { recursive: true });
  const dbFilename = path.join(opts.dataDir, 'temporal.db');
  const cli = await resolveTemporalCli(opts.cacheDir, log);
  if (cli) {
    const server = superviseDevServer(cli.path, { dbFilename, port: opts.port, uiPort: opts.uiPort, namespace, restartDelayMs: opts.restartDelayMs ?? 1_000 }, log);
    try {
      const connection = await connectWhenReady(address, 90_000);
      await registerSearchAttributes(connection, namespace, log);
      await connection.close();
    } catch (err) {
      await server.stop();
      throw err;
    }
    log.info({ address, dbFilename, binary: cli.path, pid: server.pid() }, 'Temporal dev server started');
    const uiUrl = opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : null;
    return { address, namespace, source: cli.source, uiUrl, stop: () => server.stop() };
  }

  log.warn('no temporal CLI and no Go toolchain: letting @temporalio/testing download its dev server');
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      ip: '127.0.0.1',
      port: opts.port,
      dbFilename,
      namespace,
      ui: opts.uiPort !== false,
      uiPort: opts.uiPort === false ? undefined : opts.uiPort,
      searchAttributes: CASE_SEARCH_ATTRIBUTES,
    },
  });
  const uiUrl = opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : null;
  return { address, namespace, source: 'sdk-download', uiUrl, stop: () => env.teardown() };
}

async function registerSearchAttributes(connection: Awaited<ReturnType<typeof connectWhenReady>>, namespace: string, log: Logger): Promise<void> {
  const added = await ensureSearchAttributes(connection, namespace);
  if (added.length) log.info({ added }, 'registered case search attributes');
}

async function answers(address: string): Promise<boolean> {
  try {
    const connection = await connectWhenReady(address, 1_000);
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

function onPath(command: string): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const result = found.stdout.trim();
  return found.status === 0 && result ? result : null;
}

function goBinary(): string | null {
  return onPath('go') ?? (fs.existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : null);
}

/** The cached CLI path, whether or not it was built yet. */
export function cachedCliPath(cacheDir: string): string {
  return path.join(cacheDir, `temporal-cli-${TEMPORAL_CLI_VERSION}`, 'temporal');
}

export async function resolveTemporalCli(cacheDir: string, log: Logger): Promise<{ path: string; source: 'cli-on-path' | 'cli-built-from-go' } | null> {
  const fromPath = onPath('temporal');
  if (fromPath) return { path: fromPath, source: 'cli-on-path' };
  const cached = cachedCliPath(cacheDir);
  if (fs.existsSync(cached)) return { path: cached, source: 'cli-built-from-go' };
  const go = goBinary();
  if (!go) return null;
  log.info({ module: `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`, into: cached }, 'building the Temporal CLI from its Go module (first run only, a few minutes)');
  // Build into a private folder and rename, so that two builds at once never leave half a binary.
  fs.mkdirSync(path.dirname(cached), { recursive: true });
  const staging = fs.mkdtempSync(path.join(cacheDir, 'temporal-build-'));
  await new Promise<void>((resolve, reject) => {
    const build = spawn(go, ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
      env: { ...process.env, GOBIN: staging, CGO_ENABLED: '0' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    build.on('error', reject);
    build.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`go install exited with ${code}`))));
  });
  fs.renameSync(path.join(staging, 'temporal'), cached);
  fs.rmSync(staging, { recursive: true, force: true });
  return { path: cached, source: 'cli-built-from-go' };
}

/**
 * Runs the dev server and starts it again whenever it exits unexpectedly: after 1 s (restartDelayMs), then 2, 4 …
 * up to 30 s between attempts; a server that ran for a minute starts the count afresh. The same
 * state file and port are used, so cases, schedules and search attributes are all there again,
 * and the API and workers reconnect on their own (workers/*.ts exit if theirs does not).
 */
function superviseDevServer(binary: string, o: { dbFilename: string; port: number; uiPort: number | false; namespace: string; restartDelayMs: number }, log: Logger): { pid(): number | null; stop(): Promise<void> } {
  let stopping = false;
  let current: ChildProcess | null = null;
  let restarts = 0;
  let startedAt = 0;
  let timer: NodeJS.Timeout | null = null;
  const launch = () => {
    startedAt = Date.now();
    const child = startDevServer(binary, o, log);
    current = child;
    child.on('exit', (code, signal) => {
      if (current === child) current = null;
      if (stopping) return;
      if (Date.now() - startedAt > 60_000) restarts = 0;
      restarts += 1;
      const delay = Math.min(30_000, (o.restartDelayMs / 2) * 2 ** Math.min(restarts, 6));
      log.error({ code, signal, restartInMs: delay, dbFilename: o.dbFilename }, 'Temporal dev server exited; restarting it on the same state file');
      timer = setTimeout(() => {
        timer = null;
        if (!stopping) launch();
      }, delay);
    });
  };
  launch();
  return {
    pid: () => current?.pid ?? null,
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      if (current) await stopChild(current);
    },
  };
}

function startDevServer(binary: string, o: { dbFilename: string; port: number; uiPort: number | false; namespace: string }, log: Logger): ChildProcess {
  const args = ['server', 'start-dev', '--db-filename', o.dbFilename, '--ip', '127.0.0.1', '--port', String(o.port), '--log-level', 'warn'];
  if (o.uiPort === false) args.push('--headless');
  else args.push('--ui-port', String(o.uiPort));
  if (o.namespace !== 'default') args.push('--namespace', o.namespace);
  // Search attributes registered at start are usable at once, not after the cache's refresh.
  args.push('--dynamic-config-value', 'system.forceSearchAttributesCacheRefreshOnRead=true');
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const relay = (stream: NodeJS.ReadableStream) =>
    stream.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) log.debug({ temporal: line }, 'temporal server');
    });
  relay(child.stdout!);
  relay(child.stderr!);
  // A failed spawn (binary gone) emits 'error' (unhandled, it would throw) and then 'exit', which the supervision restarts.
  child.on('error', (err) => log.error({ err }, 'could not run the Temporal dev server'));
  return child;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(killTimer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
