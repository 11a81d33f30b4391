import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { isAtError } from './at/errors';
import { isRegistered, Modem, ModemStateError, STAT, type ModemHealth, type StoredMessage } from './modem';
import { decodeDeliver, decodeStatusReport, type DecodedDeliver, type DecodedStatusReport } from './pdu';

/**
 * The modem pool: every configured port, its health, and who may use it. A message holds one
 * modem (a lease) from its first part to its last, so a modem sends one message at a time and the
 * parts of a long message leave from the same number (a phone joins parts by sender). Leases go
 * to the idle healthy modem that has rested longest, which spreads the load evenly.
 *
 * Health: a modem is "ready" after initialisation and while its polls (signal, registration,
 * storage) pass; a failed command, lost registration or full storage takes it "out". Out modems
 * are re-initialised with a growing back-off until they pass again, then come back in.
 */
export type ModemStatus = 'starting' | 'ready' | 'out' | 'stopped';

export interface ModemSnapshot {
  path: string;
  imei: string | null;
  status: ModemStatus;
  reason: string | null;
  health: ModemHealth | null;
  leased: boolean;
  lastError: string | null;
  since: Date;
}

export interface InboundSms {
  imei: string;
  storageIndex: number;
  pdu: string;
  message: DecodedDeliver;
}

export interface PoolOptions {
  log: Logger;
  commandTimeoutMs?: number;
  sendTimeoutMs?: number;
  healthIntervalMs?: number;
  /** First and longest wait before an out modem is tried again. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Poll stored messages every N health rounds, in case a +CMTI was missed. */
  sweepEvery?: number;
}

export interface Lease {
  imei: string;
  modem: Modem;
  release(): void;
}

export interface AcquireRequest {
  /** Only this modem (a message resuming where it stopped). */
  only?: string;
  /** Modems this message already failed on: used only when no other healthy modem exists. */
  avoid?: ReadonlySet<string>;
  signal?: AbortSignal;
}

export class PoolWaitAborted extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'PoolWaitAborted';
  }
}

interface Slot {
  modem: Modem;
  status: ModemStatus;
  reason: string | null;
  health: ModemHealth | null;
  leased: boolean;
  lastReleasedAt: number;
  lastError: string | null;
  since: Date;
  retryDelayMs: number;
  nextRetryAt: number;
  busyChecking: boolean;
  sweepNeeded: boolean;
  rounds: number;
  /**
   * SIM indexes being handed over right now: a +CMTI read and a sweep can meet the same stored
   * message, and it must be handed over once (it is deleted only after the handler kept it).
   */
  delivering: Set<number>;
}

interface Waiter {
  req: AcquireRequest;
  resolve(lease: Lease): void;
  reject(err: Error): void;
  cleanup(): void;
}

type InboundHandler = (sms: InboundSms) => Promise<void>;
type ReportHandler = (imei: string, report: DecodedStatusReport) => Promise<void>;

export class ModemPool extends EventEmitter {
  private readonly slots: Slot[];
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  // Until a handler is attached, received messages stay on the SIM (a throwing handler keeps them).
  private inboundHandler: InboundHandler = async () => {
    throw new Error('no inbound handler attached yet');
  };
  private reportHandler: ReportHandler = async () => {};
  private readonly o: Required<PoolOptions>;

  constructor(paths: string[], opts: PoolOptions) {
    super();
    this.o = {
      commandTimeoutMs: 5_000,
      sendTimeoutMs: 60_000,
      healthIntervalMs: 15_000,
      retryMinMs: 2_000,
      retryMaxMs: 60_000,
      sweepEvery: 4,
      ...opts,
    };
    this.slots = paths.map((path) => {
      const modem = new Modem(path, { log: opts.log.child({ modem: path }), commandTimeoutMs: this.o.commandTimeoutMs, sendTimeoutMs: this.o.sendTimeoutMs });
      const slot: Slot = {
        modem,
        status: 'starting',
        reason: null,
        health: null,
        leased: false,
        lastReleasedAt: 0,
        lastError: null,
        since: new Date(),
        retryDelayMs: this.o.retryMinMs,
        nextRetryAt: 0,
        busyChecking: false,
        sweepNeeded: true,
        rounds: 0,
        delivering: new Set(),
      };
      modem.on('message-stored', (index: number) => void this.readInbound(slot, index));
      modem.on('status-report', (pdu: string) => void this.handleStatusReport(slot, pdu));
      modem.on('disconnected', () => this.takeOut(slot, 'serial port closed'));
      return slot;
    });
  }

  /** Called with every received message; the pool deletes it from the SIM once this resolves. */
  onInbound(handler: InboundHandler): void {
    this.inboundHandler = handler;
  }

  /** Called with every status report (+CDS) a modem passes on. */
  onStatusReport(handler: ReportHandler): void {
    this.reportHandler = handler;
  }

  /** Opens and initialises every modem once (failures are retried by the health loop). */
  async start(): Promise<void> {
    await Promise.all(this.slots.map((slot) => this.bringUp(slot)));
    this.timer = setInterval(() => this.healthRound(), this.o.healthIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const w of this.waiters) {
      w.cleanup();
      w.reject(new PoolWaitAborted('pool stopped'));
    }
    this.waiters = [];
    await Promise.all(
      this.slots.map(async (slot) => {
        this.setStatus(slot, 'stopped', 'pool stopped');
        await slot.modem.close();
      }),
    );
  }

  snapshot(): ModemSnapshot[] {
    return this.slots.map((s) => ({
      path: s.modem.path,
      imei: s.modem.imei,
      status: s.status,
      reason: s.reason,
      health: s.health,
      leased: s.leased,
      lastError: s.lastError,
      since: s.since,
    }));
  }

  readyCount(): number {
    return this.slots.filter((s) => s.status === 'ready').length;
  }

  isReady(imei: string): boolean {
    return this.slots.some((s) => s.modem.imei === imei && s.status === 'ready');
  }

  /** The modem with this IMEI, leased or not, for reconciliation at start. */
  modemByImei(imei: string): Modem | null {
    return this.slots.find((s) => s.modem.imei === imei)?.modem ?? null;
  }

  /** Waits for a healthy idle modem. */
  acquire(req: AcquireRequest = {}): Promise<Lease> {
    return new Promise<Lease>((resolve, reject) => {
      if (this.stopped) return reject(new PoolWaitAborted('pool stopped'));
      if (req.signal?.aborted) return reject(new PoolWaitAborted(String(req.signal.reason ?? 'aborted')));
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new PoolWaitAborted(String(req.signal?.reason ?? 'aborted')));
      };
      const waiter: Waiter = { req, resolve, reject, cleanup: () => req.signal?.removeEventListener('abort', onAbort) };
      req.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.dispatch();
    });
  }

  /** The sender's verdict: this modem failed a command that a healthy modem would not fail. */
  reportFailure(imei: string, reason: string): void {
    const slot = this.slots.find((s) => s.modem.imei === imei);
    if (slot) this.takeOut(slot, reason);
  }

  private pick(req: AcquireRequest): Slot | null {
    const ready = this.slots.filter((s) => s.status === 'ready' && s.modem.imei);
    if (req.only) return ready.find((s) => s.modem.imei === req.only && !s.leased) ?? null;
    const avoid = req.avoid ?? new Set<string>();
    const preferred = ready.filter((s) => !avoid.has(s.modem.imei!));
    // A modem this message failed on is used only when no other healthy modem exists at all.
    const pool = preferred.length ? preferred : ready;
    const idle = pool.filter((s) => !s.leased).sort((a, b) => a.lastReleasedAt - b.lastReleasedAt);
    return idle[0] ?? null;
  }

  private dispatch(): void {
    for (const waiter of [...this.waiters]) {
      const slot = this.pick(waiter.req);
      if (!slot) continue;
      slot.leased = true;
      this.waiters = this.waiters.filter((w) => w !== waiter);
      waiter.cleanup();
      let released = false;
      waiter.resolve({
        imei: slot.modem.imei!,
        modem: slot.modem,
        release: () => {
          if (released) return;
          released = true;
          slot.leased = false;
          slot.lastReleasedAt = Date.now();
          this.dispatch();
        },
      });
    }
  }

  private setStatus(slot: Slot, status: ModemStatus, reason: string | null): void {
    if (slot.status === status && slot.reason === reason) return;
    slot.status = status;
    slot.reason = reason;
    slot.since = new Date();
    this.o.log.info({ path: slot.modem.path, imei: slot.modem.imei, status, reason }, `modem ${status}`);
    this.emit(
      'modem-status',
      this.snapshot().find((s) => s.path === slot.modem.path),
    );
    if (status === 'ready') this.dispatch();
  }

  private takeOut(slot: Slot, reason: string): void {
    if (slot.status === 'stopped' || this.stopped) return;
    slot.lastError = reason;
    if (slot.status === 'out') return;
    slot.nextRetryAt = Date.now() + slot.retryDelayMs;
    this.setStatus(slot, 'out', reason);
  }

  private async bringUp(slot: Slot): Promise<void> {
    if (slot.busyChecking || this.stopped) return;
    slot.busyChecking = true;
    try {
      await slot.modem.open();
      const { health } = await slot.modem.initialise();
      slot.health = health;
      await this.sweepInbound(slot);
      const after = await slot.modem.health();
      slot.health = after;
      if (after.storageTotal !== null && after.storageUsed !== null && after.storageUsed >= after.storageTotal) {
        throw new ModemStateError('storage-full', `SIM storage full (${after.storageUsed}/${after.storageTotal})`);
      }
      slot.retryDelayMs = this.o.retryMinMs;
      slot.lastError = null;
      this.setStatus(slot, 'ready', null);
    } catch (err) {
      const reason = describe(err);
      slot.lastError = reason;
      slot.nextRetryAt = Date.now() + slot.retryDelayMs;
      slot.retryDelayMs = Math.min(slot.retryDelayMs * 2, this.o.retryMaxMs);
      // A port that cannot even be opened is reopened from scratch next time.
      if (!isAtError(err) && !(err instanceof ModemStateError)) await slot.modem.close().catch(() => undefined);
      this.setStatus(slot, 'out', reason);
    } finally {
      slot.busyChecking = false;
    }
  }

  private healthRound(): void {
    for (const slot of this.slots) {
      if (slot.busyChecking || this.stopped) continue;
      if (slot.status === 'out' || slot.status === 'starting') {
        if (Date.now() >= slot.nextRetryAt) void this.bringUp(slot);
        continue;
      }
      if (slot.status === 'ready') void this.check(slot);
    }
  }

  private async check(slot: Slot): Promise<void> {
    slot.busyChecking = true;
    try {
      const health = await slot.modem.health();
      slot.health = health;
      this.emit(
        'modem-status',
        this.snapshot().find((s) => s.path === slot.modem.path),
      );
      if (!isRegistered(health.registration)) return this.takeOut(slot, `network registration lost (CREG ${health.registration})`);
      slot.rounds++;
      if (slot.sweepNeeded || slot.rounds % this.o.sweepEvery === 0) await this.sweepInbound(slot);
      if (health.storageTotal !== null && health.storageUsed !== null && health.storageUsed >= health.storageTotal) {
        this.takeOut(slot, `SIM storage full (${health.storageUsed}/${health.storageTotal})`);
      }
    } catch (err) {
      this.takeOut(slot, `health check failed: ${describe(err)}`);
    } finally {
      slot.busyChecking = false;
    }
  }

  /** Reads every received message still on the SIM (after a restart or a missed +CMTI). */
  private async sweepInbound(slot: Slot): Promise<void> {
    const stored = await slot.modem.list();
    slot.sweepNeeded = false;
    for (const m of stored) {
      if (m.stat === STAT.recUnread || m.stat === STAT.recRead) await this.deliverInbound(slot, m);
    }
  }

  private async readInbound(slot: Slot, index: number): Promise<void> {
    try {
      const m = await slot.modem.read(index);
      if (m && (m.stat === STAT.recUnread || m.stat === STAT.recRead)) await this.deliverInbound(slot, m);
    } catch (err) {
      slot.sweepNeeded = true;
      this.o.log.warn({ err, path: slot.modem.path, index }, 'could not read a received message; will sweep the SIM');
    }
  }

  /** Hands one received message over, and deletes it from the SIM only after it was kept. */
  private async deliverInbound(slot: Slot, stored: StoredMessage): Promise<void> {
    if (slot.delivering.has(stored.index)) return;
    slot.delivering.add(stored.index);
    try {
      await this.handOver(slot, stored);
    } finally {
      slot.delivering.delete(stored.index);
    }
  }

  private async handOver(slot: Slot, stored: StoredMessage): Promise<void> {
    let message: DecodedDeliver;
    try {
      message = decodeDeliver(stored.pdu);
    } catch (err) {
      this.o.log.warn({ err, pdu: stored.pdu, index: stored.index }, 'undecodable received message deleted');
      await slot.modem.delete(stored.index);
      return;
    }
    try {
      await this.inboundHandler({ imei: slot.modem.imei!, storageIndex: stored.index, pdu: stored.pdu, message });
    } catch (err) {
      slot.sweepNeeded = true;
      this.o.log.error({ err, index: stored.index }, 'received message not stored; it stays on the SIM for the next sweep');
      return;
    }
    await slot.modem.delete(stored.index);
  }

  private async handleStatusReport(slot: Slot, pdu: string): Promise<void> {
    try {
      await this.reportHandler(slot.modem.imei!, decodeStatusReport(pdu));
    } catch (err) {
      this.o.log.warn({ err, pdu }, 'status report not handled');
    }
  }
}

export function describe(err: unknown): string {
  if (isAtError(err)) return `${err.shortCode}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
