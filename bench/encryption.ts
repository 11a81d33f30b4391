/**
 * What encryption at rest costs (npm run bench:encryption), on this machine's CPU, figures only:
 *   - Temporal payload codec: encode + decode of a typical application form (the qualification
 *     start form with its materials list, about 3 KB of JSON) and of a large one (100 KB);
 *   - file sealing and opening (lib/files/store.ts) of a 5 MiB and a 20 MiB (the upload limit) file;
 *   - one personal field: encrypt, decrypt, blind index (lib/crypto/fields.ts).
 * Each figure is the median of BENCH_ROUNDS (default 7) timed rounds after a warm-up round.
 */
import crypto from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { blindIndex, decryptField, encryptField } from '../lib/crypto/fields';
import { keyRing } from '../lib/crypto/keyring';
import { MAX_FILE_BYTES, openFile, sealFile } from '../lib/files/store';
import { EncryptionCodec } from '../lib/temporal/codec';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

async function median(fn: () => Promise<void> | void): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

function applicationForm(approxBytes: number): Record<string, unknown> {
  const materials = [];
  for (let i = 0; materials.length * 160 < approxBytes; i++) {
    materials.push({ key: `material-${i}`, name: `证明材料 ${i}（加盖公章）`, fileId: crypto.randomUUID(), size: 100_000 + i, checked: i % 2 === 0 });
  }
  return { enterpriseName: '苏州市某某物业服务有限公司', creditCode: '91320500MA1XXXXXX1', applicant: '张三', phone: '13800138000', address: '苏州市姑苏区人民路 100 号', level: 'one', materials };
}

async function main(): Promise<void> {
  const ring = keyRing();
  const codec = new EncryptionCodec(ring);
  const out: string[] = [];

  for (const [label, bytes] of [
    ['form ~3 KB', 3_000],
    ['form ~100 KB', 100_000],
  ] as const) {
    const payload = defaultPayloadConverter.toPayload(applicationForm(bytes));
    const size = payload.data!.length;
    const batch = 1000;
    const ms = await median(async () => {
      for (let i = 0; i < batch; i++) await codec.decode(await codec.encode([payload]));
    });
    out.push(`payload codec, ${label} (${size} B JSON): encode + decode ${((ms * 1000) / batch).toFixed(1)} µs each (${Math.round((batch / ms) * 1000)} /s)`);
  }

  for (const mib of [5, MAX_FILE_BYTES / 1024 / 1024]) {
    const plain = crypto.randomBytes(mib * 1024 * 1024);
    const id = crypto.randomUUID();
    let sealed: Buffer = Buffer.alloc(0);
    const sealMs = await median(() => {
      sealed = sealFile(id, plain, ring).sealed;
    });
    const openMs = await median(() => {
      openFile(id, sealed, ring);
    });
    out.push(`file ${mib} MiB: seal ${sealMs.toFixed(1)} ms (${Math.round(mib / (sealMs / 1000))} MiB/s), open ${openMs.toFixed(1)} ms (${Math.round(mib / (openMs / 1000))} MiB/s)`);
  }

  const batch = 10_000;
  const purpose = 'enterprise_staff.id_number';
  const value = '320508199001011234';
  const stored = encryptField(purpose, value, ring);
  const enc = await median(() => {
    for (let i = 0; i < batch; i++) encryptField(purpose, value, ring);
  });
  const dec = await median(() => {
    for (let i = 0; i < batch; i++) decryptField(purpose, stored, ring);
  });
  const idx = await median(() => {
    for (let i = 0; i < batch; i++) blindIndex(purpose, value, ring);
  });
  const us = (ms: number) => ((ms * 1000) / batch).toFixed(1);
  out.push(`ID number field: encrypt ${us(enc)} µs, decrypt ${us(dec)} µs, blind index ${us(idx)} µs`);

  console.log(`Encryption at rest on this machine (${process.arch}, Node ${process.version}, median of ${ROUNDS} rounds):`);
  for (const line of out) console.log(`  ${line}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
