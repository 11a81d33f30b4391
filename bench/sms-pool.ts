import pino from 'pino';
import { MemoryJournal } from '../lib/sms/memory-journal';
import { ModemPool } from '../lib/sms/pool';
import { sendMessage } from '../lib/sms/sender';
import { startSimulatedModems, type SimulatedModems } from '../tools/modem-simulator';

/**
 * The modem pool's throughput against what the modems can do.
 *
 *   npx tsx bench/sms-pool.ts [--modems 4] [--send-ms 3000] [--messages 40]
 *   npm run bench:sms
 *
 * Simulated modems on real pseudo-terminals each take `send-ms` of "network time" per message
 * part, so together they can send modems / send-ms parts per second: that is the capacity. All
 * messages are queued at once and sent through the real sender (store, send, delete, with the
 * journal in memory); the figure is how much of the capacity the pool turns into sent messages.
 * What is lost goes to the AT round trips around each send and to the health polls.
 */
function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

interface PhaseResult {
  sent: number;
  elapsedMs: number;
  perModem: number[];
  finishedAt: number[];
  attempts: number;
}

/** Queues `messages` single-part messages at once and waits for all of them. */
async function phase(pool: ModemPool, sim: SimulatedModems, messages: number, label: string): Promise<PhaseResult> {
  const log = pino({ level: 'silent' });
  const before = sim.modems.map((m) => m.counters.partsSent);
  const started = process.hrtime.bigint();
  const finishedAt: number[] = [];
  let attempts = 0;
  const outcomes = await Promise.all(
    Array.from({ length: messages }, async (_, i) => {
      const journal = new MemoryJournal();
      const text = `【苏州市住建局】${label}第${i + 1}号通知：本周六上午进行消防设施检测，请知悉。`;
      const outcome = await sendMessage(pool, { to: `1380000${String(i).padStart(4, '0')}`, text, deadline: new Date(Date.now() + 10 * 60_000) }, journal, { log });
      finishedAt.push(Number(process.hrtime.bigint() - started) / 1e6);
      attempts += journal.attempts.length;
      return outcome;
    }),
  );
  return {
    sent: outcomes.filter((o) => o.status === 'sent').length,
    elapsedMs: Number(process.hrtime.bigint() - started) / 1e6,
    perModem: sim.modems.map((m, i) => m.counters.partsSent - before[i]),
    finishedAt: finishedAt.sort((a, b) => a - b),
    attempts,
  };
}

function report(title: string, r: PhaseResult, messages: number, modems: number, sendMs: number, healthyModems = modems): void {
  const capacityPerMin = (modems * 60_000) / sendMs;
  const healthyPerMin = (healthyModems * 60_000) / sendMs;
  const throughputPerMin = (r.sent * 60_000) / r.elapsedMs;
  const idealMs = Math.ceil(messages / healthyModems) * sendMs;
  const overheadMs = (r.elapsedMs * healthyModems) / r.sent - sendMs;
  const at = (q: number) => (r.finishedAt[Math.min(r.finishedAt.length - 1, Math.floor(q * r.finishedAt.length))] / 1000).toFixed(1);
  console.log(title);
  console.log(`  messages                ${messages} single-part, queued at once; ${r.sent} sent, ${messages - r.sent} failed, ${r.attempts} attempts`);
  console.log(`  elapsed                 ${(r.elapsedMs / 1000).toFixed(1)} s (ideal ${(idealMs / 1000).toFixed(1)} s)`);
  console.log(`  throughput              ${throughputPerMin.toFixed(1)} messages/min`);
  console.log(
    `  share of capacity used  ${((100 * throughputPerMin) / capacityPerMin).toFixed(1)} % of ${capacityPerMin.toFixed(1)}/min` +
      (healthyModems < modems ? `; ${((100 * throughputPerMin) / healthyPerMin).toFixed(1)} % of the ${healthyModems} healthy modems' ${healthyPerMin.toFixed(1)}/min` : ''),
  );
  console.log(`  AT overhead per message ${overheadMs.toFixed(0)} ms (store, send, delete round trips and health polls)`);
  console.log(`  messages per modem      ${r.perModem.join(' / ')}`);
  console.log(`  first / median / last   ${at(0)} / ${at(0.5)} / ${at(1)} s after start`);
}

async function main(): Promise<void> {
  const modems = arg('modems', 4);
  const sendMs = arg('send-ms', 3_000);
  const messages = arg('messages', 40);
  const log = pino({ level: 'silent' });

  const sim = await startSimulatedModems({ count: modems, sendDelayMs: sendMs, reportDelayMs: 200 });
  const pool = new ModemPool(sim.devicePaths, { log });
  try {
    await pool.start();
    if (pool.readyCount() !== modems) throw new Error(`only ${pool.readyCount()} of ${modems} modems came up`);
    console.log('SMS modem pool benchmark (simulated modems on socat pseudo-terminals)');
    console.log(`  modems                  ${modems}, each one message part per ${(sendMs / 1000).toFixed(1)} s`);
    console.log(`  capacity                ${((modems * 60_000) / sendMs).toFixed(1)} messages/min\n`);
    report('All modems healthy', await phase(pool, sim, messages, '甲'), messages, modems, sendMs);

    // One modem refuses every send: the pool keeps taking it out, trying it again, and sending
    // through the others.
    const failing = (modems - 1) * 6;
    sim.modems[0].failNext(/^AT\+CMSS/, '+CMS ERROR: 38', Infinity);
    console.log('');
    report(`One modem refusing every send (+CMS ERROR: 38)`, await phase(pool, sim, failing, '乙'), failing, modems, sendMs, modems - 1);
    sim.modems[0].clearFaults();
  } finally {
    await pool.stop();
    await sim.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
