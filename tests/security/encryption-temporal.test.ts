import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type TestAgent from 'supertest/lib/agent';
import { generateKeyRingJson, parseKeyRing, UnknownKeyError } from '../../lib/crypto/keyring';
import { publishShippedProcesses } from '../../lib/processes/shipped';
import { dataConverter, EncryptionCodec, ENCRYPTED_ENCODING, isEncryptedPayload, KEY_ID_METADATA } from '../../lib/temporal/codec';
import { caseStateQuery } from '../../workflows/case/contract';
import { openTaskAt, startCase, startEngine, workflowBundle, type Engine } from '../engine/harness';
import { waitFor } from '../helpers/wait';

const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : '');

describe('Temporal payload codec', () => {
  const k1 = generateKeyRingJson('k1');
  const ring1 = parseKeyRing(k1);
  const k2 = generateKeyRingJson('k2');
  const ring2 = parseKeyRing({ current: 'k2', keys: { ...k1.keys, ...k2.keys }, index: k1.index });
  const original = defaultPayloadConverter.toPayload({ name: '张三', idNumber: '320508199001011234' });

  it('encrypts a payload whole, names its key, and gives it back', async () => {
    const [sealed] = await new EncryptionCodec(ring1).encode([original]);
    expect(text(sealed.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(sealed.metadata![KEY_ID_METADATA])).toBe('k1');
    expect(Object.keys(sealed.metadata!).sort()).toEqual(['encoding', KEY_ID_METADATA].sort());
    expect(text(sealed.data)).not.toContain('320508199001011234');
    expect(text(sealed.data)).not.toContain('json/plain');
    const [back] = await new EncryptionCodec(ring1).decode([sealed]);
    expect(defaultPayloadConverter.fromPayload(back)).toEqual({ name: '张三', idNumber: '320508199001011234' });
  });

  it('decodes payloads of an older key after rotation, and refuses them once the key is gone', async () => {
    const [old] = await new EncryptionCodec(ring1).encode([original]);
    const [fresh] = await new EncryptionCodec(ring2).encode([original]);
    expect(text(fresh.metadata![KEY_ID_METADATA])).toBe('k2');
    const [a, b] = await new EncryptionCodec(ring2).decode([old, fresh]);
    expect(defaultPayloadConverter.fromPayload(a)).toEqual(defaultPayloadConverter.fromPayload(b));
    const onlyK2 = parseKeyRing({ current: 'k2', keys: k2.keys, index: k1.index });
    await expect(new EncryptionCodec(onlyK2).decode([old])).rejects.toBeInstanceOf(UnknownKeyError);
  });

  it('passes through payloads that are not encrypted (histories recorded before) and refuses altered ones', async () => {
    const [same] = await new EncryptionCodec(ring1).decode([original]);
    expect(same).toBe(original);
    const [sealed] = await new EncryptionCodec(ring1).encode([original]);
    const altered: Payload = { ...sealed, data: Buffer.from(sealed.data!).map((byte, i) => (i === 20 ? byte ^ 1 : byte)) };
    await expect(new EncryptionCodec(ring1).decode([altered])).rejects.toThrow();
    // Relabelled with another key id of the ring: the id is authenticated, so it fails too.
    const relabelled: Payload = { ...sealed, metadata: { ...sealed.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } };
    await expect(new EncryptionCodec(ring2).decode([relabelled])).rejects.toThrow();
  });
});

/**
 * A real case on the real worker: its history, read with a client that has no codec (what the
 * Temporal server, its database and its web UI hold), shows no form value and no decision
 * comment, every payload is encrypted, and the platform itself works as before.
 */
describe('workflow histories on the Temporal server', () => {
  let engine: Engine;
  let ent: TestAgent;
  let gusu: TestAgent;
  let plainConnection: Connection;
  let plain: Client;
  const NAME = '欧阳明月';
  const ID_NUMBER = '32050819900101123X';
  const PHONE = '13912345678';
  const COMMENT = '材料齐全-核验码Q7Z9';

  beforeAll(async () => {
    engine = await startEngine({ sms: true });
    await publishShippedProcesses(engine.db);
    ent = await engine.as('dongwu.ent');
    gusu = await engine.as('gusu.staff');
    plainConnection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
    // Deliberately without the platform's data converter: what anyone with server access sees.
    plain = new Client({ connection: plainConnection, namespace: 'default' });
  });
  afterAll(async () => {
    await plainConnection?.close();
    await engine?.stop();
  });

  /** Every payload of a history, and every string and byte field decoded as text, search attributes and memo apart. */
  function walk(root: unknown): { payloads: Payload[]; texts: string[]; searchAttributes: unknown[] } {
    const payloads: Payload[] = [];
    const texts: string[] = [];
    const searchAttributes: unknown[] = [];
    const stack: unknown[] = [root];
    while (stack.length) {
      const v = stack.pop();
      if (v === null || v === undefined) continue;
      if (typeof v === 'string') texts.push(v);
      else if (v instanceof Uint8Array) texts.push(text(v));
      else if (typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (o.data instanceof Uint8Array && o.metadata && typeof o.metadata === 'object') payloads.push(o as Payload);
        for (const [key, child] of Object.entries(o)) {
          if (key === 'searchAttributes' || key === 'memo') searchAttributes.push(child);
          else stack.push(child);
        }
      }
    }
    return { payloads, texts, searchAttributes };
  }

  it('holds only encrypted payloads and no form value in clear, while the platform reads the case normally', async () => {
    const c = await startCase(ent, 'sample-approval', { area: 120, contactName: NAME, contactIdNumber: ID_NUMBER, contactPhone: PHONE });
    const [task] = await openTaskAt(engine.db, c.id, 'districtReview');
    expect((await gusu.post(`/api/tasks/${task.id}/claim`).send({})).status).toBe(200);
    expect((await gusu.post(`/api/tasks/${task.id}/decide`).send({ outcome: 'approve', comment: COMMENT })).status).toBe(200);

    // The platform: the case's state through its own (encrypting) client, and through the API.
    const state = await (await engine.temporal.get()).workflow.getHandle(c.workflowId).query(caseStateQuery);
    expect(JSON.stringify(state)).toContain(NAME);
    const shown = await ent.get(`/api/cases/${c.id}`);
    expect(shown.status).toBe(200);
    expect(JSON.stringify(shown.body)).toContain(ID_NUMBER);

    // The server: the history as stored, once the decision is in it.
    const history = await waitFor('the decision in the history', async () => {
      const h = await plain.workflow.getHandle(c.workflowId).fetchHistory();
      return (h.events ?? []).some((e) => e.workflowExecutionUpdateCompletedEventAttributes) ? h : null;
    });
    const { payloads, texts, searchAttributes } = walk(history.events);
    // Workflow input, activity inputs and results, the update's arguments and result, at least.
    expect(payloads.length).toBeGreaterThan(5);
    const clear = payloads.filter((p) => !isEncryptedPayload(p));
    expect(clear.map((p) => text(p.metadata?.encoding))).toEqual([]);
    const all = texts.join('\n');
    for (const secret of [NAME, ID_NUMBER, PHONE, COMMENT, 'contactIdNumber']) expect(all).not.toContain(secret);
    // Search attributes stay in clear by design: type, district code, organisation id, status only.
    const attrs = JSON.stringify(walk(searchAttributes).texts);
    for (const secret of [NAME, ID_NUMBER, PHONE, COMMENT]) expect(attrs).not.toContain(secret);

    // And a client without the codec cannot read the case's state either.
    await expect(plain.workflow.getHandle(c.workflowId).query(caseStateQuery)).rejects.toThrow();

    // The encrypted history replays with the platform's converter (what replay tests and a
    // restarted worker do), and not without it.
    const bundle = await workflowBundle();
    await expect(Worker.runReplayHistory({ workflowBundle: bundle, dataConverter: dataConverter(), replayName: 'encrypted' }, history, c.workflowId)).resolves.toBeUndefined();
    await expect(Worker.runReplayHistory({ workflowBundle: bundle, replayName: 'plain' }, history, c.workflowId)).rejects.toThrow();
  });
});
