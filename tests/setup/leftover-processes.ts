import fs from 'node:fs';

/**
 * Finds processes a test run started and left running. Two ways of belonging to the run:
 *
 * - a descendant of the jest process (its parent chain leads to it), while its parents live;
 * - its environment carries this run's marker (set by the global setup, inherited by every
 *   process a test starts), which survives re-parenting: a process whose parent was killed is
 *   adopted by init and no longer descends from jest — the case this check exists for.
 *
 * Jest's own workers (jest-worker's processChild) are not counted; whatever they started is.
 * Linux only (it reads /proc); elsewhere it finds nothing.
 */
export const RUN_MARKER = 'PSP_TEST_RUN';

export interface LeftoverProcess {
  pid: number;
  ppid: number;
  command: string;
}

/** Sets the marker every process of this run inherits; call once, in the global setup. */
export function markTestRun(): void {
  process.env[RUN_MARKER] ??= `${process.pid}-${Date.now()}`;
}

function stat(pid: number): { ppid: number; state: string } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …"; comm may hold spaces and parentheses.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0], ppid: Number(rest[1]) };
  } catch {
    return null;
  }
}

function read(pid: number, file: string): string {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

/** The processes whose parent chain leads to `root`, now (e.g. before killing it). */
export function descendantsOf(root: number): number[] {
  if (!fs.existsSync('/proc/self/stat')) return [];
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s) children.set(s.ppid, [...(children.get(s.ppid) ?? []), Number(name)]);
  }
  const found: number[] = [];
  for (let queue = [...(children.get(root) ?? [])]; queue.length;) {
    const pid = queue.shift()!;
    found.push(pid);
    queue = [...queue, ...(children.get(pid) ?? [])];
  }
  return found;
}

/** The command line of a process ('' if gone or unreadable). */
export function commandOf(pid: number): string {
  return read(pid, 'cmdline').split('\0').filter(Boolean).join(' ');
}

/** Whether a process with this id exists (a zombie counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
  const s = stat(pid);
  return s === null ? fs.existsSync('/proc/self/stat') === false : s.state !== 'Z' && s.state !== 'X';
}

export function leftoverProcesses(root = process.pid): LeftoverProcess[] {
  if (!fs.existsSync('/proc/self/stat')) return [];
  const marker = process.env[RUN_MARKER] ? `${RUN_MARKER}=${process.env[RUN_MARKER]}` : null;
  const procs = new Map<number, { ppid: number; state: string }>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s) procs.set(Number(name), s);
  }
  const descends = (pid: number): boolean => {
    const seen = new Set<number>();
    for (let p = procs.get(pid)?.ppid; p !== undefined && p > 0 && !seen.has(p); p = procs.get(p)?.ppid) {
      if (p === root) return true;
      seen.add(p);
    }
    return false;
  };
  const found: LeftoverProcess[] = [];
  for (const [pid, s] of procs) {
    if (pid === root || pid === process.pid || s.state === 'Z' || s.state === 'X') continue;
    const ours = descends(pid) || (marker !== null && read(pid, 'environ').split('\0').includes(marker));
    if (!ours) continue;
    const command = commandOf(pid);
    if (/jest-worker[\\/]build[\\/]workers[\\/](processChild|threadChild)/.test(command)) continue;
    found.push({ pid, ppid: s.ppid, command: command || `[${read(pid, 'comm').trim()}]` });
  }
  return found.sort((a, b) => a.pid - b.pid);
}

/**
 * Throws, naming each one, if processes of this run are still alive after a short grace (a
 * process told to stop may take a moment); they are SIGKILLed first, so none outlives the run.
 */
export async function failOnLeftoverProcesses(graceMs = 3_000): Promise<void> {
  const deadline = Date.now() + graceMs;
  let left = leftoverProcesses();
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    left = leftoverProcesses();
  }
  if (!left.length) return;
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  throw new Error(
    `${left.length} process(es) started by the tests were still running after every test file finished (now killed); ` +
      `a test must stop, and wait for, every process it starts:\n${left.map((p) => `  pid ${p.pid} (parent ${p.ppid}): ${p.command.slice(0, 500)}`).join('\n')}`,
  );
}
