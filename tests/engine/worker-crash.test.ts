import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { commandOf, descendantsOf, isAlive } from '../setup/leftover-processes';
import { waitFor } from '../helpers/wait';
import { bpmn, caseRow, flow, openTaskAt, publish, startCase, startEngine, userTask, waitForStatus, workflowBundle, type Engine } from './harness';

/**
 * The approvals worker runs as a child process and is killed with SIGKILL in the middle of a
 * case, while a decision is on its way; a new worker process takes over. The case must finish
 * with every history row written exactly once and no task row lost or doubled.
 *
 * The worker runs as `node --import tsx` so that the process killed is the one running it (the
 * tsx CLI would run it in a child of its own, which a SIGKILL of the wrapper leaves running: the
 * "crash" would then never happen). Each kill is checked: the worker and whatever it started
 * (tsx's esbuild service) are gone before the next one starts.
 */
const root = path.resolve(__dirname, '..', '..');

describe('a worker killed mid-case', () => {
  let engine: Engine;
  let bundleFile: string;
  let child: ChildProcess | null = null;

  const startWorker = async () => {
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures/worker-process.ts')], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: engine.dbUrl, TASK_QUEUE: engine.taskQueue, WORKFLOW_BUNDLE: bundleFile, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      proc.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('worker-ready')) resolve();
      });
      proc.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      proc.on('exit', (code) => reject(new Error(`worker exited with ${code}: ${output}`)));
    });
    proc.removeAllListeners('exit');
    return proc;
  };
  const kill = async (proc: ChildProcess) => {
    const pid = proc.pid!;
    const children = descendantsOf(pid);
    // The worker runs in the process being killed, not in a child of it.
    if (process.platform === 'linux') {
      expect(commandOf(pid)).toContain('worker-process.ts');
      expect(children.map(commandOf).filter((c) => c.includes('worker-process.ts'))).toEqual([]);
    }
    const exited = new Promise<NodeJS.Signals | null>((r) => proc.once('exit', (_code, signal) => r(signal)));
    proc.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    proc.stdout?.destroy();
    proc.stderr?.destroy();
    // The process that ran the worker is gone, not just a wrapper around it…
    expect(isAlive(pid)).toBe(false);
    // …and so is what it started (its pipes closed with it).
    await waitFor(`the killed worker's children ${children.join(', ')} to exit`, async () => children.every((c) => !isAlive(c)), { timeoutMs: 10_000 });
  };

  beforeAll(async () => {
    engine = await startEngine({ worker: false });
    bundleFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'psp-bundle-')), 'workflows.js');
    fs.writeFileSync(bundleFile, (await workflowBundle()).code);
    await publish(
      engine.db,
      bpmn(
        't-crash',
        [
          '<bpmn:startEvent id="start" />',
          userTask('intake', 'assignee="admin"'),
          '<bpmn:parallelGateway id="fork" />',
          userTask('b', 'assignee="admin"'),
          userTask('c', 'assignee="admin"'),
          '<bpmn:parallelGateway id="join" />',
          '<bpmn:intermediateCatchEvent id="cool"><bpmn:timerEventDefinition><bpmn:timeDuration>PT3S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>',
          userTask('final', 'assignee="admin"'),
          '<bpmn:endEvent id="end" />',
          flow('f1', 'start', 'intake'),
          flow('f2', 'intake', 'fork'),
          flow('f3', 'fork', 'b'),
          flow('f4', 'fork', 'c'),
          flow('f5', 'b', 'join'),
          flow('f6', 'c', 'join'),
          flow('f7', 'join', 'cool'),
          flow('f8', 'cool', 'final'),
          flow('f9', 'final', 'end'),
        ].join('\n'),
      ),
    );
  });
  afterAll(async () => {
    if (child && child.exitCode === null) await kill(child);
    await engine.stop();
    fs.rmSync(path.dirname(bundleFile), { recursive: true, force: true });
  });

  it('finishes the case after a SIGKILL and restart, with no lost or doubled rows', async () => {
    child = await startWorker();
    const admin = await engine.as('admin');
    const c = await startCase(admin, 't-crash');
    const [intake] = await openTaskAt(engine.db, c.id, 'intake');
    expect((await admin.post(`/api/tasks/${intake.id}/decide`).send({ outcome: 'approve' })).status).toBe(200);
    const [b] = await openTaskAt(engine.db, c.id, 'b');
    const [cTask] = await openTaskAt(engine.db, c.id, 'c');

    // Kill the worker while two decisions are in flight.
    const decidingB = admin
      .post(`/api/tasks/${b.id}/decide`)
      .send({ outcome: 'approve' })
      .then((r) => r.status);
    const decidingC = admin
      .post(`/api/tasks/${cTask.id}/decide`)
      .send({ outcome: 'approve' })
      .then((r) => r.status);
    await new Promise((r) => setTimeout(r, 150));
    await kill(child);

    child = await startWorker();
    expect(await decidingB).toBe(200);
    expect(await decidingC).toBe(200);
    // The timer after the join is durable: it fires with the new worker, then the last step opens.
    const [final] = await openTaskAt(engine.db, c.id, 'final');
    await kill(child);
    child = await startWorker();
    expect((await admin.post(`/api/tasks/${final.id}/decide`).send({ outcome: 'approve' })).status).toBe(200);
    await waitForStatus(engine.db, c.id, 'completed');

    const tasks = await engine.db('case_tasks').where('case_id', c.id).orderBy('node_id').select('node_id', 'status');
    expect(tasks).toEqual(['b', 'c', 'final', 'intake'].map((node_id) => ({ node_id, status: 'completed' })));
    const seqs = (await engine.db('case_history').where('case_id', c.id).orderBy('seq').pluck('seq')) as number[];
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    const kinds = (await engine.db('case_history').where('case_id', c.id).pluck('kind')) as string[];
    const count = (k: string) => kinds.filter((x) => x === k).length;
    expect({ created: count('task_created'), completed: count('task_completed'), timers: count('timer_fired'), done: count('completed') }).toEqual({ created: 4, completed: 4, timers: 1, done: 1 });
    expect((await caseRow(engine.db, c.id)).result).toBe('approved');
  });
});
