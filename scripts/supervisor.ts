import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';

/**
 * Runs the platform's processes as children and restarts one that dies unexpectedly (with a
 * growing pause, so a crash loop does not spin). Because every case lives in Temporal and every
 * row in MySQL, a restarted worker or API picks up where the dead one stopped.
 */
export interface ChildSpec {
  name: string;
  script: string;
  env?: NodeJS.ProcessEnv;
}

interface Supervised {
  spec: ChildSpec;
  child: ChildProcess | null;
  restarts: number;
  startedAt: number;
}

export class Supervisor {
  private readonly children: Supervised[] = [];
  private stopping = false;

  constructor(
    private readonly log: Logger,
    private readonly baseEnv: NodeJS.ProcessEnv,
  ) {}

  start(spec: ChildSpec): void {
    const entry: Supervised = { spec, child: null, restarts: 0, startedAt: 0 };
    this.children.push(entry);
    this.launch(entry);
  }

  private launch(entry: Supervised): void {
    const { spec } = entry;
    entry.startedAt = Date.now();
    // tsx as a loader: TypeScript runs directly, no build step, and the child is a plain node process.
    const child = spawn(process.execPath, ['--import', 'tsx', spec.script], {
      env: { ...this.baseEnv, ...spec.env },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    entry.child = child;
    child.on('exit', (code, signal) => {
      entry.child = null;
      if (this.stopping) return;
      // A child that ran for a minute was healthy; its crash does not count toward the backoff.
      if (Date.now() - entry.startedAt > 60_000) entry.restarts = 0;
      entry.restarts += 1;
      const delay = Math.min(30_000, 500 * 2 ** Math.min(entry.restarts, 6));
      this.log.error({ child: spec.name, code, signal, restartInMs: delay }, 'child process exited; restarting');
      setTimeout(() => !this.stopping && this.launch(entry), delay);
    });
  }

  /** SIGTERM every child, then SIGKILL what is still alive after the grace period. */
  async stop(graceMs = 15_000): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.children.map(
        ({ child, spec }) =>
          new Promise<void>((resolve) => {
            if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => {
              this.log.warn({ child: spec.name }, 'child did not stop in time; killing it');
              child.kill('SIGKILL');
            }, graceMs);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }
}
