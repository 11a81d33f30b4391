import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { compileBpmn } from '../../lib/bpmn/compile';
import { loadKeyRing } from '../../lib/crypto/keyring';
import { EncryptionCodec, FAILURE_CONVERTER_PATH } from '../../lib/temporal/codec';
import { quietLogger, workflowBundle } from './harness';

/**
 * Replays the stored histories of every shipped process against the current workflow code, so a
 * change that would break running cases fails here. Record new ones with `npm run replay:record`.
 */
const HISTORIES = path.resolve(__dirname, '../replay-histories');
const PROCESSES = path.resolve(__dirname, '../../processes');

/**
 * Stored histories hold payloads as the server does: in clear (recorded before encryption) or
 * encrypted under the public development ring (scripts/record-replay-histories.ts). The codec
 * passes the clear ones through; the ring is fixed here so that DATA_KEYS do not matter.
 */
const REPLAY_CONVERTER = { payloadCodecs: [new EncryptionCodec(loadKeyRing({ NODE_ENV: 'development' }))], failureConverterPath: FAILURE_CONVERTER_PATH };

function histories() {
  return fs
    .readdirSync(HISTORIES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ workflowId: file.replace(/\.json$/, ''), history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES, file), 'utf8'))) }));
}

async function replayFailures(workflowBundle: { code: string }): Promise<Array<{ workflowId: string; error: string }>> {
  const failures: Array<{ workflowId: string; error: string }> = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'case-replay', dataConverter: REPLAY_CONVERTER }, histories())) {
    if (result.error) failures.push({ workflowId: result.workflowId, error: `${result.error.name}: ${result.error.message}` });
  }
  return failures;
}

describe('replay of stored histories', () => {
  it('has a stored history for every shipped process', async () => {
    const stored = new Set(fs.readdirSync(HISTORIES).map((f) => f.split('.')[0]));
    for (const file of fs.readdirSync(PROCESSES).filter((f) => f.endsWith('.bpmn'))) {
      const compiled = await compileBpmn(fs.readFileSync(path.join(PROCESSES, file), 'utf8'));
      const key = compiled.ok ? compiled.graph.processKey : file;
      expect({ key, recorded: stored.has(key) }).toEqual({ key, recorded: true });
    }
  });

  it('replays every stored history with the current workflow code', async () => {
    expect(histories().length).toBeGreaterThan(0);
    expect(await replayFailures(await workflowBundle())).toEqual([]);
  });

  it('catches a determinism-breaking change, and accepts the same change behind patched()', async () => {
    const broken = await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/workflows-broken'), logger: quietLogger });
    const failures = await replayFailures(broken);
    expect(failures.map((f) => f.workflowId)).toEqual(histories().map((h) => h.workflowId));
    expect(failures[0].error).toMatch(/DeterminismViolation|[Nn]ondetermin/);

    const patched = await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/workflows-patched'), logger: quietLogger });
    expect(await replayFailures(patched)).toEqual([]);
  });
});
