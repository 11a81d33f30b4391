import { MemoryJournal } from '../../lib/sms/memory-journal';
import { planMessage } from '../../lib/sms/pdu';
import type { InboundSms, ModemPool } from '../../lib/sms/pool';
import { sendMessage } from '../../lib/sms/sender';
import { startSimulatedModems, type SimulatedModems } from '../../tools/modem-simulator';
import { waitFor } from '../helpers/wait';
import { LONG_CHINESE, quietLog, testPool } from './helpers';

/**
 * The pool and the sender over real pseudo-terminals, with simulated modems on the far end and an
 * in-memory journal (the database journal has its own tests).
 */
describe('modem pool over pseudo-terminals', () => {
  let sim: SimulatedModems;
  let pool: ModemPool;
  const inbound: InboundSms[] = [];
  const reports: Array<{ imei: string; mr: number; outcome: string }> = [];

  beforeAll(async () => {
    sim = await startSimulatedModems({ count: 3, sendDelayMs: 30, reportDelayMs: 30 });
    pool = testPool(sim.devicePaths);
    pool.onInbound(async (sms) => {
      inbound.push(sms);
    });
    pool.onStatusReport(async (imei, report) => {
      reports.push({ imei, mr: report.mr, outcome: report.outcome });
    });
    await pool.start();
  });

  afterAll(async () => {
    await pool?.stop();
    await sim?.stop();
  });

  afterEach(async () => {
    for (const m of sim.modems) m.clearFaults();
    await waitFor('all modems back in', () => pool.readyCount() === 3);
  });

  const deadlineIn = (ms: number) => new Date(Date.now() + ms);
  const send = (to: string, text: string, journal = new MemoryJournal(), ms = 60_000) => sendMessage(pool, { to, text, deadline: deadlineIn(ms) }, journal, { log: quietLog() }).then((outcome) => ({ outcome, journal }));

  it('initialises every modem and knows it by IMEI', () => {
    const snapshot = pool.snapshot();
    expect(snapshot.map((m) => m.status)).toEqual(['ready', 'ready', 'ready']);
    expect(snapshot.map((m) => m.imei).sort()).toEqual(sim.modems.map((m) => m.imei).sort());
    expect(snapshot[0].health).toMatchObject({ registration: 1, storageTotal: 30 });
  });

  it('delivers a long Chinese message whole, its parts from one modem, with delivery reports', async () => {
    const phone = '13800000001';
    const { outcome, journal } = await send(phone, LONG_CHINESE);
    expect(outcome.status).toBe('sent');
    const received = sim.network.receivedBy(phone);
    expect(received).toHaveLength(1);
    expect(received[0].text).toBe(LONG_CHINESE);
    expect(received[0].parts).toBe(planMessage(LONG_CHINESE).parts.length);
    expect(received[0].parts).toBeGreaterThan(2);
    const mrs = journal.attempts[0].parts.map((p) => p.mr);
    await waitFor('a delivery report for every part', () => mrs.every((mr) => reports.some((r) => r.mr === mr && r.imei === journal.attempts[0].imei && r.outcome === 'delivered')));
    // Nothing is left behind in the SIM storage once the parts went out.
    for (const m of sim.modems) expect(m.storedEntries().filter((e) => e.stat === 2 || e.stat === 3)).toEqual([]);
  });

  it('spreads messages over the modems', async () => {
    const before = sim.modems.map((m) => m.counters.partsSent);
    await Promise.all(Array.from({ length: 9 }, (_, i) => send(`1380000010${i}`, `Notice ${i}`)));
    const used = sim.modems.map((m, i) => m.counters.partsSent - before[i]);
    expect(used.reduce((a, b) => a + b, 0)).toBe(9);
    expect(used.every((n) => n >= 1)).toBe(true);
  });

  it('sends a message once through another modem when its modem fails mid-send, and takes the failing modem out and back in', async () => {
    const phone = '13800000002';
    // Whichever modem takes the message: after its first part leaves, its next send fails.
    let failing: string | null = null;
    const armers = sim.modems.map((m) => {
      const arm = () => {
        if (failing) return;
        failing = m.imei;
        m.failNext(/^AT\+CMSS/, '+CMS ERROR: 38');
      };
      m.once('transmitted', arm);
      return () => m.removeListener('transmitted', arm);
    });
    const statuses: string[] = [];
    const watch = (s: { imei: string; status: string }) => s.imei === failing && statuses.push(s.status);
    pool.on('modem-status', watch);
    try {
      const { outcome, journal } = await send(phone, LONG_CHINESE);
      expect(outcome.status).toBe('sent');
      expect(journal.attempts.map((a) => [a.imei === failing, a.status, a.failure?.code])).toEqual([
        [true, 'failed', 'cms:38'],
        [false, 'succeeded', undefined],
      ]);
      // The phone has the message once, whole, from the second modem; the first modem's lone
      // part stays a fragment that never completes.
      const received = sim.network.receivedBy(phone);
      expect(received).toHaveLength(1);
      expect(received[0].text).toBe(LONG_CHINESE);
      expect(received[0].from).not.toBe(sim.modems.find((m) => m.imei === failing)!.ownNumber);
      expect(sim.network.fragments().filter((f) => f[0].to === phone)).toHaveLength(1);
      await waitFor('the failing modem back in', () => statuses.includes('out') && pool.isReady(failing!));
    } finally {
      armers.forEach((disarm) => disarm());
      pool.off('modem-status', watch);
    }
  });

  it('does not send twice when the answer to AT+CMSS is lost after the message left', async () => {
    const phone = '13800000003';
    const target = sim.modems[0];
    for (const m of sim.modems.slice(1)) m.failNext(/^AT\+CMGW/, 'ERROR', Infinity);
    target.faults.dropAnswer = /^AT\+CMSS/;
    const sending = send(phone, 'Your filing 2026-0042 was approved.');
    await waitFor('the answer to be lost', () => target.counters.partsSent > 0 && !pool.isReady(target.imei));
    target.faults.dropAnswer = null; // the modem answers again; the pool re-initialises it
    const { outcome, journal } = await sending;
    expect(outcome).toMatchObject({ status: 'sent', imei: target.imei });
    expect(journal.attempts.filter((a) => a.imei === target.imei)).toHaveLength(1);
    expect(sim.network.receivedBy(phone).map((m) => m.text)).toEqual(['Your filing 2026-0042 was approved.']);
  });

  it('sends a part in doubt after all when the modem shows it never left', async () => {
    const phone = '13800000004';
    const target = sim.modems[1];
    for (const m of sim.modems.filter((x) => x !== target)) m.failNext(/^AT\+CMGW/, 'ERROR', Infinity);
    target.faults.silent = /^AT\+CMSS/;
    const swallowed = new Promise((resolve) => target.once('swallowed', resolve));
    const sending = send(phone, '您的备案申请已受理。');
    await swallowed;
    await waitFor('the modem taken out', () => !pool.isReady(target.imei));
    target.faults.silent = null;
    const { outcome } = await sending;
    expect(outcome.status).toBe('sent');
    expect(sim.network.receivedBy(phone).map((m) => m.text)).toEqual(['您的备案申请已受理。']);
  });

  it('fails a message in doubt with a clear reason when its modem does not come back before the deadline', async () => {
    const phone = '13800000005';
    const target = sim.modems[2];
    for (const m of sim.modems.filter((x) => x !== target)) m.failNext(/^AT\+CMGW/, 'ERROR', Infinity);
    target.faults.silent = /^AT\+CMSS/;
    // Once the part is in doubt, the modem hangs completely.
    target.once('swallowed', () => (target.faults.silent = /^AT/));
    const { outcome, journal } = await send(phone, 'hello', new MemoryJournal(), 15_000);
    expect(outcome).toMatchObject({ status: 'failed', code: 'outcome_unknown' });
    expect(journal.failure?.reason).toMatch(/did not come back/);
  });

  it('goes around a full SIM and a modem that lost its network, and fails a bad number at once', async () => {
    const [full, lost, good] = sim.modems;
    full.faults.simFull = true;
    lost.faults.registration = 2;
    await waitFor('the modem without network taken out', () => !pool.isReady(lost.imei));
    const { outcome } = await send('13800000006', 'storage test');
    expect(outcome).toMatchObject({ status: 'sent', imei: good.imei });
    await waitFor('the full modem taken out', () => !pool.isReady(full.imei));
    expect(pool.snapshot().find((m) => m.imei === full.imei)?.reason).toMatch(/storage full|cms:322/);

    good.failNext(/^AT\+CMSS/, '+CMS ERROR: 1');
    const bad = await send('13800000007', 'unassigned number');
    expect(bad.outcome).toMatchObject({ status: 'failed', code: 'cms:1' });
    expect(bad.journal.attempts).toHaveLength(1);
  });

  it('sends through a slow modem, and resynchronises one whose answers come after the timeout', async () => {
    const [slow, ...others] = sim.modems;
    for (const m of others) m.failNext(/^AT\+CMGW/, 'ERROR', Infinity);
    slow.faults.slowMs = 1_000; // slow, but inside the 4 s command timeout
    const first = await send('13800000011', 'slow but fine');
    expect(first.outcome).toMatchObject({ status: 'sent', imei: slow.imei });
    expect(first.journal.attempts.filter((a) => a.imei === slow.imei).map((a) => a.status)).toEqual(['succeeded']);

    // Answers later than the timeout: the health poll gives up, the modem goes out, and the late
    // answers still on their way must not be taken for answers to the next commands.
    slow.faults.slowMs = 5_000;
    await waitFor('the late modem taken out', () => !pool.isReady(slow.imei));
    slow.faults.slowMs = 0;
    const second = await send('13800000012', 'after the late answers');
    expect(second.outcome).toMatchObject({ status: 'sent', imei: slow.imei });
    expect(sim.network.receivedBy('13800000011').map((m) => m.text)).toEqual(['slow but fine']);
    expect(sim.network.receivedBy('13800000012').map((m) => m.text)).toEqual(['after the late answers']);
  });

  it('reads received messages, hands them over and deletes them from the SIM', async () => {
    const modem = sim.modems[0];
    sim.network.sendFromPhone('+8613800000008', modem.ownNumber, '1');
    sim.network.sendFromPhone('13800000009', modem.ownNumber, `不同意。${'理由如下：'.repeat(20)}`);
    await waitFor('three received parts handed over', () => inbound.filter((i) => i.imei === modem.imei).length >= 3);
    const texts = inbound.filter((i) => i.imei === modem.imei).map((i) => i.message.text);
    expect(texts[0]).toBe('1');
    expect(inbound.find((i) => i.message.text === '1')?.message.from).toBe('+8613800000008');
    expect(texts.slice(1).join('')).toBe(`不同意。${'理由如下：'.repeat(20)}`);
    await waitFor('the SIM emptied', () => modem.storedCount() === 0);
  });
});
