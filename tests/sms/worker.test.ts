import { WorkflowFailedError } from '@temporalio/client';
import type { Knex } from 'knex';
import type { SendSmsResult } from '../../activities/sms';
import { topicCounts } from '../../db/sms/topics';
import type { AskBySmsResult } from '../../workflows/sms/ask';
import { freshTestDatabase } from '../helpers/db';
import { startSmsHarness, type SmsHarness } from './harness';
import { waitFor } from '../helpers/wait';
import { LONG_CHINESE } from './helpers';

/**
 * The SMS worker end to end on the real Temporal dev server and MariaDB, with simulated modems on
 * pseudo-terminals: other workflows send through its activities, replies come back as signals.
 */
describe('SMS worker', () => {
  let db: Knex;
  let h: SmsHarness;

  beforeAll(async () => {
    ({ db } = await freshTestDatabase());
    h = await startSmsHarness(db, { caller: true, name: 'worker' });
  });

  afterAll(async () => {
    await h?.stop();
    await db?.destroy();
  });

  const run = <T>(workflow: string, args: unknown[], id: string) => h.client.workflow.execute(workflow, { taskQueue: h.callerQueue, workflowId: `${id}-${Date.now()}`, args, workflowExecutionTimeout: '3 minutes' }) as Promise<T>;

  it('accepts a message once per idempotency key, sends a long Chinese text whole and records its delivery', async () => {
    const phone = '13800000101';
    const [first, second] = await run<SendSmsResult[]>('sendTwiceWorkflow', [{ smsQueue: h.smsQueue, to: phone, text: LONG_CHINESE, key: 'case-42/notice-1' }], 'send-twice');
    expect(second.messageId).toBe(first.messageId);
    expect(second.workflowId).toBe(first.workflowId);
    // The parts' reports race each other and the sender's last write; db/sms/journal.ts serialises
    // them on the message row, so the message is delivered once the last report is in.
    await waitFor('the message delivered', async () => (await db('sms_messages').where('id', first.messageId).first()).status === 'delivered');
    expect(await db('sms_messages').where('idempotency_key', 'case-42/notice-1').count({ n: '*' }).first()).toEqual({ n: 1 });
    const received = h.sim.network.receivedBy(phone);
    expect(received.map((m) => m.text)).toEqual([LONG_CHINESE]);
    const row = await db('sms_messages').where('id', first.messageId).first();
    expect(row).toMatchObject({ encoding: 'ucs2', part_count: received[0].parts, attempts: 1, error_code: null });
    expect(row.sent_at).toBeInstanceOf(Date);
    expect(row.delivered_at).toBeInstanceOf(Date);
    const segments = await db('sms_segments').where('message_id', first.messageId).orderBy('part_no');
    expect(segments.map((s: { state: string }) => s.state)).toEqual(Array(received[0].parts).fill('delivered'));
    expect(segments.every((s: { mr: number | null }) => s.mr !== null)).toBe(true);
  });

  it('holds a message for later on a durable timer and sends it at its time', async () => {
    const phone = '13800000102';
    const sendAt = new Date(Date.now() + 4_000).toISOString();
    const [accepted] = await run<SendSmsResult[]>('sendTwiceWorkflow', [{ smsQueue: h.smsQueue, to: phone, text: '明日9时停水，请提前储水。', key: 'water-1', sendAt }], 'scheduled');
    // The delivery workflow is waiting on a timer in the Temporal server, not on the worker.
    const history = await h.client.workflow.getHandle(accepted.workflowId).fetchHistory();
    expect(history.events?.some((e) => e.timerStartedEventAttributes)).toBe(true);
    await waitFor('the scheduled message sent', async () => ['sent', 'delivered'].includes((await db('sms_messages').where('id', accepted.messageId).first()).status));
    const row = await db('sms_messages').where('id', accepted.messageId).first();
    expect(row.sent_at.getTime()).toBeGreaterThanOrEqual(Date.parse(sendAt));
    expect(h.sim.network.receivedBy(phone).map((m) => m.text)).toEqual(['明日9时停水，请提前储水。']);
  });

  it('fails bad input without retrying it', async () => {
    await expect(run('sendTwiceWorkflow', [{ smsQueue: h.smsQueue, to: 'not-a-phone', text: 'x', key: 'bad-1' }], 'bad')).rejects.toBeInstanceOf(WorkflowFailedError);
    expect(await db('sms_messages').where('idempotency_key', 'bad-1').first()).toBeUndefined();
  });

  it('delivers an owner’s SMS reply to the workflow waiting on the topic', async () => {
    const phone = '13800000103';
    const handle = await h.client.workflow.start('askOwnerWorkflow', {
      taskQueue: h.callerQueue,
      workflowId: `ask-owner-${Date.now()}`,
      args: [{ smsQueue: h.smsQueue, phone, timeoutMs: 10 * 60_000 }],
    });
    const question = await waitFor('the question on the owner’s phone', () => h.sim.network.receivedBy(phone)[0]);
    expect(question.text).toBe('平江新村32幢外墙翻新方案已公示，您是否同意？（回复1同意，回复2不同意，回复3了解详情）');
    // Someone else's message and an answer that names no option do not end the wait.
    h.sim.network.sendFromPhone('13800000199', question.from, '1');
    h.sim.network.sendFromPhone(`+86${phone}`, question.from, '好的，我想一想');
    await waitFor('both stored', async () => Number((await db('sms_inbound').count({ n: '*' }).first())?.n) >= 2);
    h.sim.network.sendFromPhone(`+86${phone}`, question.from, '１。');
    const result = (await handle.result()) as AskBySmsResult;
    expect(result.timedOut).toBe(false);
    expect(result.answer).toMatchObject({ option: '1', phone, text: '１。' });
    expect(result.replies.map((r) => r.option)).toEqual([null, '1']);
    expect(result.counts).toEqual({ '1': 1 });

    const inbound = await db('sms_inbound').orderBy('id').select('sender', 'text', 'topic_id', 'reply_option');
    expect(inbound).toHaveLength(3);
    expect(inbound).toEqual(
      expect.arrayContaining([
        { sender: '13800000199', text: '1', topic_id: null, reply_option: null },
        { sender: `+86${phone}`, text: '好的，我想一想', topic_id: result.topicId, reply_option: null },
        { sender: `+86${phone}`, text: '１。', topic_id: result.topicId, reply_option: '1' },
      ]),
    );
    expect(await topicCounts(db, result.topicId)).toEqual({ counts: { '1': 1 }, unrecognised: 0, replies: 1 });
    expect(await db('sms_topic_replies').whereNull('signalled_at').count({ n: '*' }).first()).toEqual({ n: 0 });
    // Every received message was deleted from the SIMs once stored.
    await waitFor('the SIMs emptied', () => h.sim.modems.every((m) => m.storedCount() === 0));
  });

  it('keeps the modems’ health in the database', async () => {
    const rows = await waitFor('three modems recorded', async () => {
      const r = await db('sms_modems').orderBy('port');
      return r.length === 3 && r.every((m: { status: string }) => m.status === 'ready') ? r : null;
    });
    expect(rows.map((r: { imei: string }) => r.imei).sort()).toEqual(h.sim.modems.map((m) => m.imei).sort());
    expect(rows[0]).toMatchObject({ registration: 1, storage_total: 30 });
  });
});
