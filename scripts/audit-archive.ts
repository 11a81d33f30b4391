import path from 'node:path';
import { archiveOperationLog } from '../lib/audit/archive';
import { loadConfig } from '../lib/config';
import { createDb } from '../db/connection';

/**
 * `npm run audit:archive`: writes every complete month of the operation log not archived yet to
 * AUDIT_ARCHIVE_DIR (DATA_DIR/audit-archives unless set), verifies each file, then deletes the rows
 * of archived months older than AUDIT_RETENTION_DAYS (lib/audit/archive.ts, docs/operations.md).
 * The deletion needs the maintenance account (DATABASE_MIGRATION_URL): the runtime account
 * cannot delete from the log. Exit status 0 only when everything it did verified.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const url = config.DATABASE_MIGRATION_URL ?? (config.NODE_ENV === 'production' ? undefined : config.DATABASE_URL);
  if (!url) throw new Error('DATABASE_MIGRATION_URL must be set in production: the runtime account cannot delete archived rows');
  const db = createDb(url, { min: 0, max: 2 });
  try {
    const dir = config.AUDIT_ARCHIVE_DIR ?? path.join(config.DATA_DIR, 'audit-archives');
    const report = await archiveOperationLog(db, { dir, retentionDays: config.AUDIT_RETENTION_DAYS });
    for (const a of report.archived) console.log(`[audit:archive] archived ${a.month}: ${a.rows} rows → ${a.file} (sha256 ${a.sha256})`);
    for (const d of report.deleted) console.log(`[audit:archive] deleted ${d.rows} rows of ${d.month} from the database (archived, older than ${config.AUDIT_RETENTION_DAYS} days)`);
    for (const k of report.kept) console.log(`[audit:archive] kept ${k.month} in the database: ${k.reason}`);
    if (!report.archived.length && !report.deleted.length) console.log('[audit:archive] nothing to do');
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(`[audit:archive] failed: ${(err as Error).message}`);
  process.exit(1);
});
