import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { buildDeliverPdus, buildStatusReportPdu, decodeSubmit, tpduLengthOf } from '../../lib/sms/pdu';
import type { SimulatedNetwork } from './network';

/**
 * A GSM modem on the far end of a pseudo-terminal, speaking the AT commands the platform uses
 * (TS 27.007 / 27.005, PDU mode) with a SIM of limited storage. It behaves like the hardware in
 * the ways that matter to the driver: echo is on until ATE0, a command is answered only after the
 * previous one, AT+CMGW/AT+CMGS prompt with "> " for the PDU, AT+CMSS takes a while (the network),
 * the message leaves even if the host goes away in the meantime, and unsolicited codes are held
 * back while a command is running.
 *
 * Faults are switched on and off by tests: ERROR / +CME / +CMS ERROR answers to matching commands,
 * silence, slow answers, lost network registration, a full SIM, a missing SIM.
 */
export interface ErrorRule {
  command: RegExp;
  /** The final result code to answer with, e.g. "ERROR" or "+CMS ERROR: 38". */
  answer: string;
  /** How many times; Infinity until cleared. */
  times: number;
}

export interface ModemFaults {
  errors: ErrorRule[];
  /** Commands that get no answer at all (the command is swallowed, nothing happens). */
  silent: RegExp | null;
  /** Commands that are carried out but whose answer is lost on the line. */
  dropAnswer: RegExp | null;
  /** Extra delay before every answer. */
  slowMs: number;
  /** AT+CREG stat: 1 registered (home), 0 not registered, 2 searching, 3 denied. */
  registration: number;
  /** The SIM reports its storage full; AT+CMGW fails with +CMS ERROR: 322. */
  simFull: boolean;
  simMissing: boolean;
}

export interface SimulatedModemOptions {
  network: SimulatedNetwork;
  devicePath: string;
  ownNumber: string;
  imei: string;
  /** How long the network takes to accept one message part (AT+CMSS / AT+CMGS). */
  sendDelayMs: number;
  /** Delay from acceptance to the status report. */
  reportDelayMs: number;
  storageSize: number;
}

interface StoredSms {
  stat: number;
  pdu: string;
}

const STO_UNSENT = 2;
const STO_SENT = 3;
const REC_UNREAD = 0;
const REC_READ = 1;
const CTRL_Z = '\x1a';
const ESC = '\x1b';

export class SimulatedModem extends EventEmitter {
  readonly faults: ModemFaults = { errors: [], silent: null, dropAnswer: null, slowMs: 0, registration: 1, simFull: false, simMissing: false };
  readonly ownNumber: string;
  readonly imei: string;
  /** Counters a test or benchmark can read. */
  readonly counters = { commands: 0, partsSent: 0, reports: 0, inboundStored: 0 };

  private port: SerialPort | null = null;
  private input = '';
  private pduWaiter: ((pdu: string | null) => void) | null = null;
  private queue: string[] = [];
  private busy = false;
  private heldCodes: string[] = [];
  private echo = true;
  private reportsEnabled = false;
  private messageRef = 0;
  private readonly storage = new Map<number, StoredSms>();
  private readonly waitingInbound: string[] = [];
  private stopped = false;

  constructor(private readonly o: SimulatedModemOptions) {
    super();
    this.ownNumber = o.ownNumber;
    this.imei = o.imei;
    o.network.attach(this);
  }

  /** Sets the per-part network delay (the benchmark's capacity knob). */
  setSendDelay(ms: number): void {
    this.o.sendDelayMs = ms;
  }

  /** Answer `answer` to the next `times` commands matching `command`. */
  failNext(command: RegExp, answer: string, times = 1): void {
    this.faults.errors.push({ command, answer, times });
  }

  clearFaults(): void {
    Object.assign(this.faults, { errors: [], silent: null, dropAnswer: null, slowMs: 0, registration: 1, simFull: false, simMissing: false });
    this.deliverWaitingInbound();
  }

  /** Storage slots in use (received and stored-to-send). */
  storedCount(): number {
    return this.storage.size;
  }

  storedEntries(): Array<{ index: number; stat: number; pdu: string }> {
    return [...this.storage.entries()].map(([index, s]) => ({ index, ...s }));
  }

  async open(): Promise<void> {
    const port = new SerialPort({ path: this.o.devicePath, baudRate: 115200, autoOpen: false, lock: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    port.on('data', (chunk: Buffer) => this.receive(chunk));
    port.on('error', () => undefined);
    this.port = port;
  }

  async close(): Promise<void> {
    this.stopped = true;
    const port = this.port;
    this.port = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  /** Reopens the device after the pseudo-terminal was recreated. */
  async reopen(): Promise<void> {
    const port = this.port;
    this.port = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    this.input = '';
    await this.open();
  }

  /** A phone sends a message to this modem's number (split into parts like a handset would). */
  deliverFromPhone(fromPhone: string, text: string): void {
    const pdus = buildDeliverPdus(fromPhone, text, { serviceCentre: this.o.network.serviceCentre, concatRef: Math.floor(Math.random() * 256) });
    this.waitingInbound.push(...pdus);
    this.deliverWaitingInbound();
  }

  private deliverWaitingInbound(): void {
    while (this.waitingInbound.length && !this.faults.simFull && this.storage.size < this.o.storageSize) {
      const pdu = this.waitingInbound.shift()!;
      const index = this.freeIndex();
      this.storage.set(index, { stat: REC_UNREAD, pdu });
      this.counters.inboundStored++;
      this.unsolicited(`+CMTI: "SM",${index}`);
    }
  }

  private freeIndex(): number {
    for (let i = 1; ; i++) if (!this.storage.has(i)) return i;
  }

  private write(text: string): void {
    if (this.port?.isOpen) this.port.write(text);
  }

  /** Unsolicited codes wait while a command runs (CNMI mode 2). */
  private unsolicited(code: string): void {
    if (this.busy) this.heldCodes.push(code);
    else this.write(`\r\n${code}\r\n`);
  }

  private receive(chunk: Buffer): void {
    this.input += chunk.toString('latin1');
    if (this.pduWaiter) {
      const end =
        [CTRL_Z, ESC]
          .map((c) => this.input.indexOf(c))
          .filter((i) => i >= 0)
          .sort((a, b) => a - b)[0] ?? -1;
      if (end < 0) return;
      const pdu = this.input.slice(0, end).trim();
      const cancelled = this.input[end] === ESC;
      this.input = this.input.slice(end + 1);
      const waiter = this.pduWaiter;
      this.pduWaiter = null;
      waiter(cancelled ? null : pdu);
    }
    // In command mode ESC means nothing (a host sends it to end PDU input that may be pending).
    if (!this.pduWaiter) this.input = this.input.split(ESC).join('');
    let idx: number;
    while ((idx = this.input.search(/[\r\n]/)) >= 0) {
      const line = this.input.slice(0, idx).trim();
      this.input = this.input.slice(idx + 1);
      if (!line) continue;
      if (this.echo) this.write(`${line}\r\n`);
      this.queue.push(line);
    }
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length && !this.stopped) {
        const command = this.queue.shift()!;
        this.counters.commands++;
        this.emit('command', command);
        const answer = await this.answer(command);
        if (answer !== null) this.write(answer);
      }
    } finally {
      this.busy = false;
      const held = this.heldCodes.splice(0);
      for (const code of held) this.write(`\r\n${code}\r\n`);
    }
  }

  private async answer(command: string): Promise<string | null> {
    if (this.faults.silent?.test(command)) {
      this.emit('swallowed', command);
      return null;
    }
    if (this.faults.slowMs) await sleep(this.faults.slowMs);
    const rule = this.faults.errors.find((r) => r.command.test(command) && r.times > 0);
    if (rule) {
      rule.times--;
      this.faults.errors = this.faults.errors.filter((r) => r.times > 0);
      this.emit('fault', command, rule.answer);
      return `\r\n${rule.answer}\r\n`;
    }
    let answer: string;
    try {
      const lines = await this.execute(command.toUpperCase().startsWith('AT') ? command : `AT${command}`);
      answer = `${lines.map((l) => `\r\n${l}`).join('')}\r\n`;
    } catch (err) {
      answer = `\r\n${(err as Error).message}\r\n`;
    }
    if (this.faults.dropAnswer?.test(command)) {
      this.emit('answer-dropped', command);
      return null;
    }
    return answer;
  }

  /** Returns the answer lines, final result code last; a thrown error's message is the final code. */
  private async execute(command: string): Promise<string[]> {
    const upper = command.toUpperCase();
    const arg = command.includes('=') ? command.slice(command.indexOf('=') + 1) : '';
    const ok = (...lines: string[]) => [...lines, 'OK'];
    const cms = (code: number) => new Error(`+CMS ERROR: ${code}`);
    const registered = this.faults.registration === 1 || this.faults.registration === 5;

    if (upper === 'AT') return ok();
    if (upper === 'ATE0' || upper === 'ATE1') {
      this.echo = upper === 'ATE1';
      return ok();
    }
    if (upper.startsWith('AT+CMEE=')) return ok();
    if (upper === 'AT+CMGF=0') return ok();
    if (upper === 'AT+CMGF=1') throw new Error('+CMS ERROR: 303'); // text mode is not offered
    if (upper === 'AT+CGSN') return ok(this.imei);
    if (upper === 'AT+CNUM') return ok(`+CNUM: "","${this.ownNumber}",145`);
    if (upper === 'AT+CPIN?') {
      if (this.faults.simMissing) throw new Error('+CME ERROR: 10');
      return ok('+CPIN: READY');
    }
    if (upper === 'AT+CSQ') return ok(`+CSQ: ${registered ? 21 : 99},99`);
    if (upper === 'AT+CREG?') return ok(`+CREG: 0,${this.faults.registration}`);
    if (upper.startsWith('AT+CNMI=')) {
      const ds = Number(arg.split(',')[3] ?? 0);
      this.reportsEnabled = ds === 1;
      return ok();
    }
    if (upper.startsWith('AT+CPMS')) {
      const used = this.faults.simFull ? this.o.storageSize : this.storage.size;
      const total = this.o.storageSize;
      if (upper === 'AT+CPMS?') return ok(`+CPMS: "SM",${used},${total},"SM",${used},${total},"SM",${used},${total}`);
      return ok(`+CPMS: ${used},${total},${used},${total},${used},${total}`);
    }
    if (upper.startsWith('AT+CMGW=')) {
      const [len, stat] = arg.split(',').map(Number);
      const pdu = await this.promptForPdu();
      if (pdu === null) return ok(); // cancelled with ESC
      this.checkSubmitPdu(pdu, len);
      if (this.faults.simFull || this.storage.size >= this.o.storageSize) throw cms(322);
      const index = this.freeIndex();
      this.storage.set(index, { stat: Number.isFinite(stat) ? stat : STO_UNSENT, pdu });
      return ok(`+CMGW: ${index}`);
    }
    if (upper.startsWith('AT+CMSS=')) {
      const index = Number(arg.split(',')[0]);
      const stored = this.storage.get(index);
      if (!stored || (stored.stat !== STO_UNSENT && stored.stat !== STO_SENT)) throw cms(321);
      if (!registered) throw cms(331);
      const mr = await this.transmit(stored.pdu, index);
      stored.stat = STO_SENT;
      return ok(`+CMSS: ${mr}`);
    }
    if (upper.startsWith('AT+CMGS=')) {
      const len = Number(arg);
      const pdu = await this.promptForPdu();
      if (pdu === null) return ok();
      this.checkSubmitPdu(pdu, len);
      if (!registered) throw cms(331);
      const mr = await this.transmit(pdu, null);
      return ok(`+CMGS: ${mr}`);
    }
    if (upper.startsWith('AT+CMGR=')) {
      const index = Number(arg);
      const stored = this.storage.get(index);
      if (!stored) throw cms(321);
      const lines = [`+CMGR: ${stored.stat},,${tpduLengthOf(stored.pdu)}`, stored.pdu];
      if (stored.stat === REC_UNREAD) stored.stat = REC_READ;
      return ok(...lines);
    }
    if (upper.startsWith('AT+CMGD=')) {
      this.storage.delete(Number(arg.split(',')[0]));
      this.deliverWaitingInbound();
      return ok();
    }
    if (upper.startsWith('AT+CMGL=')) {
      const wanted = Number(arg);
      const lines: string[] = [];
      for (const [index, s] of [...this.storage.entries()].sort((a, b) => a[0] - b[0])) {
        if (wanted !== 4 && s.stat !== wanted) continue;
        lines.push(`+CMGL: ${index},${s.stat},,${tpduLengthOf(s.pdu)}`, s.pdu);
        if (s.stat === REC_UNREAD) s.stat = REC_READ;
      }
      return ok(...lines);
    }
    return ['ERROR'];
  }

  private checkSubmitPdu(pdu: string, declaredLength: number): void {
    let valid: boolean;
    try {
      decodeSubmit(pdu);
      valid = tpduLengthOf(pdu) === declaredLength;
    } catch {
      valid = false;
    }
    if (!valid) throw new Error('+CMS ERROR: 304');
  }

  private promptForPdu(): Promise<string | null> {
    return new Promise((resolve) => {
      this.pduWaiter = resolve;
      this.write('\r\n> ');
      // Bytes of the PDU may already be buffered.
      if (this.input) this.receive(Buffer.alloc(0));
    });
  }

  /**
   * Hands a part to the network. Once started it completes even if the host closes the port:
   * the radio does not know the computer went away.
   */
  private async transmit(pdu: string, storageIndex: number | null): Promise<number> {
    this.emit('transmitting', { pdu, storageIndex });
    await sleep(this.o.sendDelayMs);
    const decoded = this.o.network.submit(this.ownNumber, pdu);
    this.counters.partsSent++;
    const mr = (this.messageRef = (this.messageRef + 1) % 256);
    this.emit('transmitted', { pdu, storageIndex, mr });
    if (decoded.statusReportRequested && this.reportsEnabled) {
      const submittedAt = new Date();
      setTimeout(() => {
        if (this.stopped) return;
        const report = buildStatusReportPdu({
          mr,
          recipient: decoded.to,
          status: this.o.network.deliveryStatus(decoded.to),
          serviceCentreAt: submittedAt,
          dischargedAt: new Date(),
          serviceCentre: this.o.network.serviceCentre,
        });
        this.counters.reports++;
        this.unsolicited(`+CDS: ${tpduLengthOf(report)}\r\n${report}`);
      }, this.o.reportDelayMs).unref();
    }
    return mr;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
