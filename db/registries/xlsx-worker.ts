import { parentPort } from 'node:worker_threads';
import { UploadRefused, type ImportLimits } from './import-limits';
import { checkExceljsParts, readXlsxBounded } from './xlsx-reader';

/**
 * A parse worker (started by xlsx-pool.ts through xlsx-worker.cjs): reads one .xlsx at a time
 * and answers with plain rows, a refusal (400/413 with field and reason) or an error.
 */
export interface ParseRequest {
  id: number;
  bytes: Uint8Array;
  limits: ImportLimits;
}

export type ParseAnswer = { id: number; ok: true; sheet: Awaited<ReturnType<typeof readXlsxBounded>> } | { id: number; ok: false; refused: ReturnType<UploadRefused['toJSON']> } | { id: number; ok: false; error: string };

const port = parentPort;
if (!port) throw new Error('xlsx-worker runs as a worker thread');
checkExceljsParts();

port.on('message', (request: ParseRequest) => {
  const bytes = Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.byteLength);
  readXlsxBounded(bytes, request.limits).then(
    (sheet) => port.postMessage({ id: request.id, ok: true, sheet } satisfies ParseAnswer),
    (err: unknown) =>
      port.postMessage((err instanceof UploadRefused ? { id: request.id, ok: false, refused: err.toJSON() } : { id: request.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }) satisfies ParseAnswer),
  );
});
port.postMessage({ ready: true });
