import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SimulatedModem } from './modem';
import { SimulatedNetwork } from './network';
import { PtyPair } from './pty';

export { SimulatedModem, type ModemFaults } from './modem';
export { SimulatedNetwork, type ReceivedMessage, type ReceivedPart } from './network';

/**
 * Starts N simulated GSM modems, each behind its own socat pseudo-terminal pair, sharing one
 * simulated network. `devicePaths` are what the SMS worker opens (SMS_PORTS); `stop()` closes the
 * modems, ends socat and removes the links.
 *
 *   const sim = await startSimulatedModems({ count: 4 });
 *   process.env.SMS_PORTS = sim.devicePaths.join(',');
 *   …
 *   await sim.stop();
 */
export interface SimulatedModemsOptions {
  count?: number;
  /** Folder for the device links; a fresh temporary folder by default. */
  dir?: string;
  /** Network time per message part (the modem's capacity is one part per this). */
  sendDelayMs?: number;
  reportDelayMs?: number;
  storageSize?: number;
}

export interface SimulatedModems {
  devicePaths: string[];
  modems: SimulatedModem[];
  network: SimulatedNetwork;
  stop(): Promise<void>;
}

export async function startSimulatedModems(opts: SimulatedModemsOptions = {}): Promise<SimulatedModems> {
  const count = opts.count ?? 4;
  const ownDir = !opts.dir;
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sms-modems-'));
  fs.mkdirSync(dir, { recursive: true });
  const network = new SimulatedNetwork();
  const pairs: PtyPair[] = [];
  const modems: SimulatedModem[] = [];
  const stop = async () => {
    await Promise.all(modems.map((m) => m.close()));
    await Promise.all(pairs.map((p) => p.stop()));
    if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 1; i <= count; i++) {
      const pair = new PtyPair(path.join(dir, `modem${i}`), path.join(dir, `modem${i}.sim`));
      pairs.push(pair);
      await pair.start();
      const modem = new SimulatedModem({
        network,
        devicePath: pair.modemPath,
        ownNumber: `+86139000001${String(i).padStart(2, '0')}`,
        imei: `86753090000${String(i).padStart(4, '0')}`,
        sendDelayMs: opts.sendDelayMs ?? 1_000,
        reportDelayMs: opts.reportDelayMs ?? 500,
        storageSize: opts.storageSize ?? 30,
      });
      pair.on('restarted', () => void modem.reopen());
      await modem.open();
      modems.push(modem);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { devicePaths: pairs.map((p) => p.hostPath), modems, network, stop };
}
