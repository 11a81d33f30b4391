import { loadConfig } from '../lib/config';
import { createDb } from '../db/connection';
import { verifyOperationChain } from '../db/operation-log';

/**
 * `npm run audit:verify`: checks the operation log's hash chain end to end (db/operation-log.ts).
 * Exit status 0 when every row links to the one before it and the last one is the head; 1, with
 * the first broken row's id and the reason, otherwise; 2 when it could not check at all. Reads
 * only, so the runtime account (DATABASE_URL) is enough; it needs the key ring (DATA_KEYS_FILE).
 */
async function main(): Promise<number> {
  const config = loadConfig();
  const db = createDb(config.DATABASE_URL, { min: 0, max: 1 });
  try {
    const report = await verifyOperationChain(db);
    if (report.ok) {
      console.log(`[audit:verify] ok: ${report.rows} rows, seq ${report.firstSeq ?? '-'}–${report.lastSeq ?? '-'}, head MAC ${report.lastHmac}`);
      return 0;
    }
    const b = report.broken!;
    console.error(`[audit:verify] BROKEN at row ${b.id ?? '(after the last row)'}${b.seq === null ? '' : ` (seq ${b.seq})`}: ${b.reason}`);
    console.error(`[audit:verify] ${report.rows} rows verified before it`);
    console.log(JSON.stringify({ ok: false, firstBrokenId: b.id, seq: b.seq, reason: b.reason }));
    return 1;
  } finally {
    await db.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[audit:verify] could not verify: ${(err as Error).message}`);
    process.exit(2);
  },
);
