import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { AtError } from './errors';

/**
 * One AT command at a time over a serial line (TS 27.007 / 27.005 framing). A modem answers a
 * command with information lines and one final result code (OK, ERROR, +CME ERROR, +CMS ERROR);
 * between answers it may send unsolicited result codes (URCs) such as +CMTI (a message arrived)
 * or +CDS (a status report, whose PDU follows on the next line). Commands that take a PDU
 * (AT+CMGS, AT+CMGW) wait for the "> " prompt, then the PDU and Ctrl-Z are written.
 *
 * Commands are queued, never interleaved: a modem cannot tell which answer belongs to which of two
 * commands. After a timeout or a garbled answer the line is out of step (a late answer may still
 * arrive), so the next command first waits for the line to fall quiet, and callers that must be
 * sure re-synchronise with a command whose answer they can recognise (see Modem.sync).
 */
export interface SerialLike {
  write(data: string | Buffer): unknown;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
}

export interface CommandOptions {
  timeoutMs?: number;
  /** A PDU (hex) to write after the "> " prompt, ended with Ctrl-Z. */
  pdu?: string;
  /** An information line the answer must contain; without it the answer is taken as garbled. */
  expect?: RegExp;
}

export interface UnsolicitedCode {
  line: string;
  /** The second line of +CDS / +CMT: the PDU. */
  pdu?: string;
}

interface Pending {
  command: string;
  lines: string[];
  pdu?: string;
  promptAnswered: boolean;
  expect?: RegExp;
  resolve(lines: string[]): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

const FINAL_ERROR = /^(?:\+(CME|CMS) ERROR:\s*(.+)|ERROR|NO CARRIER|COMMAND NOT SUPPORT)$/;
// URCs we act on or must not mistake for answers. +CDS and +CMT carry their PDU on the next line.
const TWO_LINE_URC = /^\+(?:CDS|CMT):/;
const ONE_LINE_URC = /^(?:\+CMTI:|\+CDSI:|\+CBM:|RING$|\+CRING:|\^[A-Z]+:|\+CUSD:)/;
const CTRL_Z = '\x1a';
const ESC = '\x1b';

export class AtChannel extends EventEmitter {
  private buffer = '';
  private current: Pending | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private urcHeader: string | null = null;
  private lastDataAt = 0;
  private outOfStep = false;
  private closed = false;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly onClose = () => this.close('port closed');

  constructor(
    private readonly port: SerialLike,
    private readonly opts: { log: Logger; defaultTimeoutMs: number; quietMs?: number },
  ) {
    super();
    port.on('data', this.onData);
    port.on('close', this.onClose);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs one command after the ones queued before it; resolves with its information lines. */
  run(command: string, options: CommandOptions = {}): Promise<string[]> {
    const next = this.chain.then(() => this.execute(command, options));
    this.chain = next.catch(() => undefined);
    return next;
  }

  /**
   * Cancels PDU input a modem may still be waiting for: a host that died between the "> " prompt
   * and Ctrl-Z leaves the modem reading every later command as PDU digits, answering nothing.
   * ESC ends that input (the modem answers the abandoned command's OK, which sync() skips as a
   * late answer); in command mode a modem ignores it.
   */
  cancelPendingInput(): void {
    if (!this.closed) this.port.write(ESC);
  }

  /** Fails the command in flight and every queued one; the port is not touched. */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.port.removeListener('data', this.onData);
    this.port.removeListener('close', this.onClose);
    if (this.current) this.finish(new AtError('closed', this.current.command, null, reason));
  }

  private async execute(command: string, options: CommandOptions): Promise<string[]> {
    if (this.closed) throw new AtError('closed', command, null, 'channel closed');
    if (this.outOfStep) await this.waitForQuiet();
    return new Promise<string[]>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.opts.defaultTimeoutMs;
      const pending: Pending = { command, lines: [], pdu: options.pdu, promptAnswered: false, expect: options.expect, resolve, reject, timer: undefined as unknown as NodeJS.Timeout };
      pending.timer = setTimeout(() => {
        if (this.current !== pending) return;
        // A modem left waiting for PDU input would swallow the next command: cancel with ESC.
        if (pending.pdu && !pending.promptAnswered) this.port.write(ESC);
        this.outOfStep = true;
        this.finish(new AtError('timeout', command, null, `no answer to ${command} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.current = pending;
      this.opts.log.trace({ command }, 'AT >');
      this.port.write(`${command}\r`);
    });
  }

  private finish(result: string[] | Error): void {
    const pending = this.current;
    if (!pending) return;
    this.current = null;
    clearTimeout(pending.timer);
    if (result instanceof Error) pending.reject(result);
    else pending.resolve(result);
  }

  /** Waits until nothing has arrived for a while, then drops what is buffered. */
  private async waitForQuiet(): Promise<void> {
    const quietMs = this.opts.quietMs ?? 300;
    const limit = Date.now() + Math.max(quietMs * 10, 3_000);
    while (Date.now() - this.lastDataAt < quietMs && Date.now() < limit) {
      await new Promise((r) => setTimeout(r, quietMs / 3));
    }
    this.buffer = '';
    this.urcHeader = null;
    this.outOfStep = false;
  }

  private receive(chunk: Buffer): void {
    this.lastDataAt = Date.now();
    this.buffer += chunk.toString('latin1');
    let match: RegExpExecArray | null;
    while ((match = /\r\n|\n|\r/.exec(this.buffer))) {
      const line = this.buffer.slice(0, match.index).trim();
      this.buffer = this.buffer.slice(match.index + match[0].length);
      if (line) this.handleLine(line);
    }
    const pending = this.current;
    if (pending?.pdu && !pending.promptAnswered && this.buffer.trimStart().startsWith('>')) {
      pending.promptAnswered = true;
      this.buffer = '';
      this.port.write(`${pending.pdu}${CTRL_Z}`);
    }
  }

  private handleLine(line: string): void {
    this.opts.log.trace({ line }, 'AT <');
    if (this.urcHeader !== null) {
      const header = this.urcHeader;
      this.urcHeader = null;
      this.emit('urc', { line: header, pdu: line } satisfies UnsolicitedCode);
      return;
    }
    if (TWO_LINE_URC.test(line)) {
      this.urcHeader = line;
      return;
    }
    if (ONE_LINE_URC.test(line)) {
      this.emit('urc', { line } satisfies UnsolicitedCode);
      return;
    }
    const pending = this.current;
    if (!pending) {
      this.opts.log.debug({ line }, 'AT line with no command in flight (a late answer?), dropped');
      return;
    }
    if (line === pending.command) return; // echo, before ATE0 took effect
    if (line === 'OK') {
      if (pending.expect && !pending.lines.some((l) => pending.expect!.test(l))) {
        this.outOfStep = true;
        this.finish(new AtError('garbled', pending.command, null, `answer to ${pending.command} lacks ${pending.expect}: ${JSON.stringify(pending.lines)}`));
      } else {
        this.finish(pending.lines);
      }
      return;
    }
    const error = FINAL_ERROR.exec(line);
    if (error) {
      const kind = error[1] === 'CME' ? 'cme' : error[1] === 'CMS' ? 'cms' : 'error';
      const code = error[2] !== undefined && /^\d+$/.test(error[2].trim()) ? Number(error[2].trim()) : null;
      this.finish(new AtError(kind, pending.command, code, `${pending.command} answered ${line}`));
      return;
    }
    pending.lines.push(line);
  }
}
