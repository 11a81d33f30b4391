import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { IMPORT_LIMITS, UploadRefused, refusals, type ImportLimits } from './import-limits';
import type { ParsedSheet } from './spreadsheet';
import { checkZipDirectory } from './xlsx-reader';
import type { ParseAnswer, ParseRequest } from './xlsx-worker';

/**
 * Reads .xlsx imports off the API's event loop (only the zip directory is checked here first,
 * which inflates nothing): at most `concurrentParses` worker threads, each
 * with a V8 heap cap (`resourceLimits`) and a wall-time limit per file, and a short queue in
 * front (`waitingParses`; beyond it the import answers 503). Workers are started on demand,
 * reused while healthy, stopped when idle, and replaced after a timeout, an out-of-memory or an
 * unexpected error. The main thread gets plain rows back.
 */
export class ImportBusy extends Error {
  constructor() {
    super('Too many imports are being read right now; try again in a minute');
    this.name = 'ImportBusy';
  }
}

const WORKER_FILE = path.join(__dirname, 'xlsx-worker.cjs');

interface Job {
  id: number;
  bytes: Buffer;
  limits: ImportLimits;
  resolve: (sheet: ParsedSheet) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
  jobTimer?: NodeJS.Timeout;
  idleTimer?: NodeJS.Timeout;
  dead: boolean;
}

const slots = new Set<Slot>();
const waiting: Job[] = [];
let nextId = 1;

function settle(slot: Slot, outcome: { sheet: ParsedSheet } | { error: Error }): void {
  const job = slot.job;
  if (!job) return;
  slot.job = null;
  clearTimeout(slot.jobTimer);
  if ('sheet' in outcome) job.resolve(outcome.sheet);
  else job.reject(outcome.error);
}

function retire(slot: Slot): void {
  if (slot.dead) return;
  slot.dead = true;
  slots.delete(slot);
  clearTimeout(slot.idleTimer);
  clearTimeout(slot.jobTimer);
  void slot.worker.terminate();
}

function idle(slot: Slot, limits: ImportLimits): void {
  slot.worker.unref();
  clearTimeout(slot.idleTimer);
  slot.idleTimer = setTimeout(() => retire(slot), limits.workerIdleMillis);
  slot.idleTimer.unref();
}

function spawn(limits: ImportLimits): Slot {
  const worker = new Worker(WORKER_FILE, {
    // No inherited loader flags: xlsx-worker.cjs brings its own TypeScript loading.
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: limits.workerHeapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
  });
  const slot: Slot = { worker, job: null, dead: false };
  worker.on('message', (answer: ParseAnswer | { ready: true }) => {
    if ('ready' in answer || !slot.job || answer.id !== slot.job.id) return;
    const jobLimits = slot.job.limits;
    if (answer.ok) settle(slot, { sheet: answer.sheet });
    else if ('refused' in answer) settle(slot, { error: new UploadRefused(answer.refused.status, answer.refused.field, answer.refused.reason) });
    else {
      // Not the file's fault as far as the worker knows: a 500, and a fresh worker next time.
      settle(slot, { error: new Error(`xlsx parse worker failed: ${answer.error}`) });
      retire(slot);
    }
    if (!slot.dead) idle(slot, jobLimits);
    pump();
  });
  worker.on('error', (err: Error & { code?: string }) => {
    settle(slot, { error: err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? refusals.memory() : new Error(`xlsx parse worker failed: ${err.message}`) });
    retire(slot);
    pump();
  });
  worker.on('exit', () => {
    settle(slot, { error: new Error('xlsx parse worker stopped') });
    retire(slot);
    pump();
  });
  slots.add(slot);
  return slot;
}

function pump(): void {
  while (waiting.length) {
    let slot = [...slots].find((s) => !s.job && !s.dead);
    if (!slot) {
      if (slots.size >= waiting[0].limits.concurrentParses) return;
      slot = spawn(waiting[0].limits);
    }
    const job = waiting.shift()!;
    slot.job = job;
    clearTimeout(slot.idleTimer);
    slot.worker.ref();
    const running = slot;
    slot.jobTimer = setTimeout(() => {
      settle(running, { error: refusals.timeout(job.limits) });
      retire(running);
      pump();
    }, job.limits.parseMillis);
    // A copy, not a transfer: the request's buffer may be a view of Node's shared pool.
    slot.worker.postMessage({ id: job.id, bytes: job.bytes, limits: job.limits } satisfies ParseRequest);
  }
}

/** The first sheet of an .xlsx as plain rows, read in a worker within the limits; refusals are UploadRefused. */
export async function parseXlsxOffThread(bytes: Buffer, limits: ImportLimits = IMPORT_LIMITS): Promise<ParsedSheet> {
  await checkZipDirectory(bytes, limits);
  const busy = [...slots].filter((s) => s.job).length;
  if (busy >= limits.concurrentParses && waiting.length >= limits.waitingParses) throw new ImportBusy();
  return new Promise<ParsedSheet>((resolve, reject) => {
    waiting.push({ id: nextId++, bytes, limits, resolve, reject });
    pump();
  });
}

/** How many parse workers are running (for tests and health output). */
export function parseWorkers(): { workers: number; busy: number; waiting: number } {
  return { workers: slots.size, busy: [...slots].filter((s) => s.job).length, waiting: waiting.length };
}

/** Stops every parse worker (shutdown, tests); a parse still running is answered with an error. */
export async function stopParseWorkers(): Promise<void> {
  const all = [...slots];
  for (const slot of all) retire(slot);
  await Promise.all(all.map((s) => s.worker.terminate()));
}
