import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import type { Logger } from 'pino';
import { AtChannel, type UnsolicitedCode } from './at/channel';
import { AtError } from './at/errors';
import type { SubmitPdu } from './pdu';

/**
 * One GSM modem on one serial port, driven in PDU mode (TS 27.005). It knows the commands, not the
 * policy: the pool decides when a modem is healthy, what to send through it and when to give up.
 *
 * Sending goes through the SIM's storage: AT+CMGW writes the SMS-SUBMIT (status "stored unsent"),
 * AT+CMSS sends it, after which the modem marks it "stored sent". The stored copy is the modem's
 * own record of whether a message left, which is what lets a worker that died in the middle of a
 * send find out afterwards without sending twice (see lib/sms/sender.ts).
 */
export const STAT = { recUnread: 0, recRead: 1, stoUnsent: 2, stoSent: 3 } as const;

export interface StoredMessage {
  index: number;
  stat: number;
  pdu: string;
}

export interface ModemHealth {
  /** 0–31, 99 = unknown (AT+CSQ). */
  rssi: number | null;
  /** AT+CREG stat: 1 home, 5 roaming are registered. */
  registration: number | null;
  storageUsed: number | null;
  storageTotal: number | null;
}

/** The modem is reachable but cannot serve: no SIM, no network, full storage. */
export class ModemStateError extends Error {
  constructor(
    readonly reason: 'sim' | 'network' | 'storage-full' | 'identity',
    message: string,
  ) {
    super(message);
    this.name = 'ModemStateError';
  }
}

export interface ModemOptions {
  log: Logger;
  commandTimeoutMs: number;
  /** AT+CMSS waits for the network; real modems take seconds, sometimes a minute. */
  sendTimeoutMs: number;
  baudRate?: number;
}

export const isRegistered = (stat: number | null) => stat === 1 || stat === 5;

export class Modem extends EventEmitter {
  private port: SerialPort | null = null;
  private channel: AtChannel | null = null;
  /** The IMEI: a modem's identity, stable when ports are renumbered after a reboot. */
  imei: string | null = null;

  constructor(
    readonly path: string,
    private readonly opts: ModemOptions,
  ) {
    super();
  }

  get isOpen(): boolean {
    return !!this.channel && !this.channel.isClosed;
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
    const port = new SerialPort({ path: this.path, baudRate: this.opts.baudRate ?? 115200, autoOpen: false, lock: true });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    port.on('error', (err) => this.opts.log.warn({ err, path: this.path }, 'serial port error'));
    port.on('close', () => this.emit('disconnected'));
    const channel = new AtChannel(port, { log: this.opts.log, defaultTimeoutMs: this.opts.commandTimeoutMs });
    channel.on('urc', (urc: UnsolicitedCode) => this.onUnsolicited(urc));
    this.port = port;
    this.channel = channel;
  }

  async close(): Promise<void> {
    const port = this.port;
    this.channel?.close('modem closed');
    this.channel = null;
    this.port = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private at(command: string, options?: Parameters<AtChannel['run']>[1]): Promise<string[]> {
    if (!this.channel || this.channel.isClosed) return Promise.reject(new AtError('closed', command, null, `port ${this.path} is not open`));
    return this.channel.run(command, options);
  }

  /**
   * Brings the line into step: asks for the IMEI until an answer holds one. A late answer to an
   * earlier command cannot pass for it, so after this the next answer belongs to the next command.
   */
  async sync(attempts = 4): Promise<string> {
    let lastError: unknown;
    for (let i = 0; i < attempts; i++) {
      try {
        const lines = await this.at('AT+CGSN', { expect: /^\d{14,17}$/ });
        return lines.find((l) => /^\d{14,17}$/.test(l))!;
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  }

  /** Echo off, verbose errors, PDU mode, SIM storage, new-message and status-report indications. */
  async initialise(): Promise<{ imei: string; health: ModemHealth }> {
    // The last host (a killed worker) may have left the modem waiting for a PDU.
    this.channel?.cancelPendingInput();
    const imei = await this.sync();
    if (this.imei && this.imei !== imei) throw new ModemStateError('identity', `port ${this.path} now holds modem ${imei}, not ${this.imei}`);
    this.imei = imei;
    await this.at('ATE0');
    await this.at('AT+CMEE=1');
    await this.at('AT+CMGF=0');
    const pin = await this.at('AT+CPIN?', { expect: /^\+CPIN:/ }).catch((err: unknown) => {
      // +CME ERROR 10 is "SIM not inserted".
      throw new ModemStateError('sim', `SIM check failed: ${(err as Error).message}`);
    });
    if (!pin.some((l) => /READY/.test(l))) throw new ModemStateError('sim', `SIM not ready: ${pin.join(' ')}`);
    await this.at('AT+CPMS="SM","SM","SM"', { expect: /^\+CPMS:/ });
    // mode 2 (buffer while busy), mt 1 (store, announce with +CMTI), ds 1 (status reports as +CDS).
    await this.at('AT+CNMI=2,1,0,1,0');
    const health = await this.health();
    if (!isRegistered(health.registration)) throw new ModemStateError('network', `not registered (CREG ${health.registration})`);
    return { imei, health };
  }

  async health(): Promise<ModemHealth> {
    const csq = await this.at('AT+CSQ', { expect: /^\+CSQ:/ });
    const creg = await this.at('AT+CREG?', { expect: /^\+CREG:/ });
    const cpms = await this.at('AT+CPMS?', { expect: /^\+CPMS:/ });
    const rssi = /\+CSQ:\s*(\d+)/.exec(csq.join('\n'));
    const reg = /\+CREG:\s*\d+\s*,\s*(\d+)/.exec(creg.join('\n'));
    const storage = /\+CPMS:\s*"?\w+"?\s*,\s*(\d+)\s*,\s*(\d+)/.exec(cpms.join('\n'));
    return {
      rssi: rssi ? Number(rssi[1]) : null,
      registration: reg ? Number(reg[1]) : null,
      storageUsed: storage ? Number(storage[1]) : null,
      storageTotal: storage ? Number(storage[2]) : null,
    };
  }

  /** Writes an SMS-SUBMIT to SIM storage; returns its index. Nothing is sent yet. */
  async store(pdu: Pick<SubmitPdu, 'hex' | 'tpduLength'>): Promise<number> {
    const lines = await this.at(`AT+CMGW=${pdu.tpduLength},${STAT.stoUnsent}`, { pdu: pdu.hex, expect: /^\+CMGW:/ });
    return Number(/\+CMGW:\s*(\d+)/.exec(lines.join('\n'))![1]);
  }

  /** Sends a stored message; returns the message reference the network gave it. */
  async sendStored(index: number): Promise<number> {
    const lines = await this.at(`AT+CMSS=${index}`, { timeoutMs: this.opts.sendTimeoutMs, expect: /^\+CMSS:/ });
    return Number(/\+CMSS:\s*(\d+)/.exec(lines.join('\n'))![1]);
  }

  /** The stored message at an index, or null when the slot is empty. */
  async read(index: number): Promise<StoredMessage | null> {
    try {
      const lines = await this.at(`AT+CMGR=${index}`);
      const head = lines.findIndex((l) => l.startsWith('+CMGR:'));
      if (head < 0 || !lines[head + 1]) return null;
      return { index, stat: Number(/\+CMGR:\s*(\d+)/.exec(lines[head])![1]), pdu: lines[head + 1] };
    } catch (err) {
      // 321: invalid memory index (an empty slot on many modems).
      if (err instanceof AtError && err.kind === 'cms' && err.code === 321) return null;
      throw err;
    }
  }

  async delete(index: number): Promise<void> {
    await this.at(`AT+CMGD=${index}`);
  }

  /** Every stored message (AT+CMGL=4): received ones and our own stored submits. */
  async list(): Promise<StoredMessage[]> {
    const lines = await this.at('AT+CMGL=4', { timeoutMs: this.opts.commandTimeoutMs * 3 });
    const out: StoredMessage[] = [];
    for (let i = 0; i < lines.length; i++) {
      const head = /^\+CMGL:\s*(\d+)\s*,\s*(\d+)/.exec(lines[i]);
      if (head && lines[i + 1] && !lines[i + 1].startsWith('+CMGL:')) {
        out.push({ index: Number(head[1]), stat: Number(head[2]), pdu: lines[i + 1] });
        i++;
      }
    }
    return out;
  }

  private onUnsolicited(urc: UnsolicitedCode): void {
    const stored = /^\+CMTI:\s*"?(\w+)"?\s*,\s*(\d+)/.exec(urc.line);
    if (stored) {
      this.emit('message-stored', Number(stored[2]));
      return;
    }
    if (urc.line.startsWith('+CDS:') && urc.pdu) {
      this.emit('status-report', urc.pdu);
      return;
    }
    if (urc.line.startsWith('+CMT:') && urc.pdu) {
      this.emit('message-received', urc.pdu);
      return;
    }
    this.opts.log.debug({ urc, path: this.path }, 'unsolicited code ignored');
  }
}
