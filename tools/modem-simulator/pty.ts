import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';

/**
 * A pseudo-terminal pair made by socat: the host end is what the SMS worker opens as a serial
 * port, the modem end is where the simulator listens. If socat exits unexpectedly it is started
 * again with the same link names (the links then point at new terminals; both sides reopen).
 */
export class PtyPair extends EventEmitter {
  private child: ChildProcess | null = null;
  private stopping = false;

  constructor(
    readonly hostPath: string,
    readonly modemPath: string,
  ) {
    super();
  }

  async start(): Promise<void> {
    for (const p of [this.hostPath, this.modemPath]) fs.rmSync(p, { force: true });
    const child = spawn('socat', [`pty,raw,echo=0,link=${this.hostPath}`, `pty,raw,echo=0,link=${this.modemPath}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    this.child = child;
    const exited = new Promise<never>((_, reject) => child.once('error', reject).once('exit', (code) => reject(new Error(`socat exited (${code}): ${stderr.trim()}`))));
    await Promise.race([waitForLinks([this.hostPath, this.modemPath]), exited]);
    child.removeAllListeners('exit');
    child.once('exit', () => {
      if (this.stopping) return;
      this.child = null;
      this.start().then(
        () => this.emit('restarted'),
        (err) => this.emit('error', err),
      );
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    }
    for (const p of [this.hostPath, this.modemPath]) fs.rmSync(p, { force: true });
  }
}

async function waitForLinks(paths: string[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!paths.every((p) => fs.existsSync(p))) {
    if (Date.now() > deadline) throw new Error(`socat did not create ${paths.join(', ')} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
