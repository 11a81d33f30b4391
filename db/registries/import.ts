import type { Knex } from 'knex';
import { RegistryError, type Actor } from './actor';
import { importCell } from './fields';
import { storedKeyMatch } from './pii';
import type { RegistryResource } from './resource';
import { readCsv, sheetColumns, type ParsedSheet, type SheetColumn } from './spreadsheet';
import { parseXlsxOffThread } from './xlsx-pool';
import { bodySchema, getRecord, saveRecord, snapshotOf } from './store';

/**
 * Excel/CSV import (D5): creates or updates records matched by their natural keys (project
 * code, credit code, enterprise + ID number) and reports every rejected row with its field and
 * reason.
 *
 * All or nothing: the whole file is written in one transaction, and if any row is rejected the
 * transaction is rolled back, so a file with a mistake leaves no trace; the report lists every
 * problem at once so the file can be corrected and uploaded again. Columns the file leaves out
 * keep their stored values on update (a sheet with only code and phone numbers updates just those).
 */
export interface ImportProblem {
  row: number;
  field: string;
  reason: string;
}

export interface ImportReport {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: ImportProblem[];
  /** true when the rows were written; false when any row was rejected (nothing written) or on a dry run. */
  committed: boolean;
}

class Rollback extends Error {}

/**
 * The rows of an upload, within IMPORT_LIMITS (import-limits.ts): an .xlsx is read in a parse
 * worker (xlsx-pool.ts), a CSV here; a file beyond the limits is refused with UploadRefused
 * (400/413) before anything is written.
 */
export async function parseUpload(buffer: Buffer, format: 'xlsx' | 'csv'): Promise<ParsedSheet> {
  return format === 'csv' ? readCsv(buffer.toString('utf8')) : parseXlsxOffThread(buffer);
}

function mapHeaders(res: RegistryResource, headers: string[]): Array<SheetColumn | null> {
  const columns = sheetColumns(res).filter((c) => c.field && !c.field.derived);
  return headers.map((h) => columns.find((c) => c.header === h || c.field!.name === h) ?? null);
}

export async function importSheet(db: Knex, res: RegistryResource, actor: Actor, sheet: ParsedSheet, opts: { dryRun?: boolean } = {}): Promise<ImportReport> {
  if (!res.importKey) throw new RegistryError('invalid', `${res.name} cannot be imported`);
  const columns = mapHeaders(res, sheet.headers);
  const present = new Set(columns.filter((c): c is SheetColumn => c !== null).map((c) => c.field!.name));
  const missingKeys = res.importKey.fields.filter((k) => !present.has(k));
  if (missingKeys.length) {
    const labels = sheetColumns(res)
      .filter((c) => c.field && missingKeys.includes(c.field.name))
      .map((c) => c.header);
    throw new RegistryError('invalid', `the sheet has no column ${labels.join(', ')}`, 'file');
  }
  const report: ImportReport = { rows: sheet.rows.length, created: 0, updated: 0, unchanged: 0, rejected: [], committed: false };
  const reject = (row: number, field: string, reason: string) => report.rejected.push({ row, field, reason });

  // References by natural key, resolved for the whole file at once.
  const refIds = new Map<string, Map<string, number>>();
  for (const ref of res.refKeys ?? []) {
    const col = columns.findIndex((c) => c?.ref === ref);
    const keys = col < 0 ? [] : [...new Set(sheet.rows.map((r) => String(r.cells[col] ?? '').trim()).filter(Boolean))];
    const found = keys.length ? ((await db(ref.table).whereIn(ref.keyColumn, keys).select('id', `${ref.keyColumn} as k`)) as Array<{ id: number; k: string }>) : [];
    refIds.set(ref.field, new Map(found.map((f) => [f.k, Number(f.id)])));
  }

  try {
    await db.transaction(async (trx) => {
      const seen = new Set<string>();
      for (const { rowNumber, cells } of sheet.rows) {
        const values: Record<string, unknown> = {};
        let bad = false;
        columns.forEach((c, i) => {
          if (!c) return;
          const f = c.field!;
          if (c.ref) {
            const key = String(cells[i] ?? '').trim();
            if (!key) values[f.name] = null;
            else if (refIds.get(f.name)?.has(key)) values[f.name] = refIds.get(f.name)!.get(key);
            else {
              reject(rowNumber, f.name, `no ${c.ref.table} with ${c.ref.keyColumn} ${key}`);
              bad = true;
            }
          } else values[f.name] = importCell(f, cells[i]);
        });
        if (bad) continue;
        const keyText = res.importKey!.fields.map((k) => String(values[k] ?? '')).join('|');
        if (seen.has(keyText)) {
          reject(rowNumber, res.importKey!.fields.join('+'), 'appears twice in the file');
          continue;
        }
        seen.add(keyText);

        const match = Object.fromEntries(res.importKey!.fields.map((k) => [k, values[k]]));
        const existing = res.importKey!.fields.every((k) => values[k] !== null && values[k] !== undefined) ? ((await trx(res.table).where(storedKeyMatch(res, match)).first('id')) as { id: number } | undefined) : undefined;
        let body: Record<string, unknown> = values;
        if (existing) {
          const current = await getRecord(trx, res, actor.scope, existing.id);
          if (!current) {
            reject(rowNumber, res.importKey!.fields.join('+'), 'the record is outside your scope');
            continue;
          }
          const snap = snapshotOf(res, current);
          for (const child of res.children ?? []) delete snap[child.key];
          body = { ...snap, ...values };
        }
        const parsed = bodySchema(res).safeParse(body);
        if (!parsed.success) {
          for (const issue of parsed.error.issues) reject(rowNumber, issue.path.map(String).join('.') || 'row', issue.message);
          continue;
        }
        try {
          // A savepoint per row: a row that fails half-way leaves nothing behind even in the report-only pass.
          const saved = await trx.transaction((row) => saveRecord(row, res, actor, existing?.id ?? null, parsed.data as Record<string, unknown>, { action: 'import' }));
          if (saved.created) report.created++;
          else if (saved.changed.length) report.updated++;
          else report.unchanged++;
        } catch (err) {
          const { field, reason } = describe(err, res);
          reject(rowNumber, field, reason);
        }
      }
      if (report.rejected.length || opts.dryRun) throw new Rollback();
    });
    report.committed = true;
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  return report;
}

function describe(err: unknown, res: RegistryResource): { field: string; reason: string } {
  if (err instanceof RegistryError) return { field: err.field ?? 'row', reason: err.message };
  const e = err as { code?: string; sqlMessage?: string };
  if (e.code === 'ER_DUP_ENTRY') return { field: /for key '([^']+)'/.exec(e.sqlMessage ?? '')?.[1]?.replace(/^[^.]*\./, '') ?? 'row', reason: 'already exists' };
  if (e.code === 'ER_NO_REFERENCED_ROW_2' || e.code === 'ER_NO_REFERENCED_ROW') {
    const column = /FOREIGN KEY \(`([^`]+)`\)/.exec(e.sqlMessage ?? '')?.[1] ?? 'row';
    return { field: column, reason: 'refers to a record that does not exist' };
  }
  if (e.code === 'ER_DATA_TOO_LONG') return { field: /column '([^']+)'/.exec(e.sqlMessage ?? '')?.[1] ?? 'row', reason: 'too long' };
  throw Object.assign(err as object, { resource: res.name });
}
