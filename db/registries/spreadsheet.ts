import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import type { Scope } from '../../lib/roles';
import { exportCell, type FieldSpec } from './fields';
import { IMPORT_LIMITS, refusals, type ImportLimits } from './import-limits';
import { maskRecord } from './pii';
import type { RefKey, RegistryResource } from './resource';
import { filteredQuery, normalise, sortColumn, type ListParams } from './store';

/**
 * Excel exports (H3) and the sheet layout imports read. An export's columns are the import's
 * columns: a sheet exported, corrected and uploaded again updates the same records. References
 * to other registries appear as their natural keys (a credit code, a project code), never as ids.
 */
export const EXPORT_LIMIT = 100_000;
const CHUNK = 1000;

export interface SheetColumn {
  header: string;
  /** The field an import writes from this column (absent: shown only). */
  field?: FieldSpec;
  ref?: RefKey;
  display?: string;
}

export function sheetColumns(res: RegistryResource): SheetColumn[] {
  const columns: SheetColumn[] = [];
  for (const f of res.fields) {
    const ref = res.refKeys?.find((r) => r.field === f.name);
    columns.push(ref ? { header: ref.label, field: f, ref } : { header: f.label, field: f });
  }
  for (const [name, label] of Object.entries(res.displayColumns)) columns.push({ header: label, display: name });
  if (res.approvable) columns.push({ header: '已审核', display: 'approved' });
  return columns;
}

/** id → natural key of every reference in a chunk of rows, one query per reference. */
async function refKeysOf(db: Knex, res: RegistryResource, rows: Array<Record<string, unknown>>): Promise<Map<string, Map<number, string>>> {
  const out = new Map<string, Map<number, string>>();
  for (const ref of res.refKeys ?? []) {
    const ids = [...new Set(rows.map((r) => r[ref.field]).filter((v): v is number => typeof v === 'number'))];
    const found = ids.length ? ((await db(ref.table).whereIn('id', ids).select('id', `${ref.keyColumn} as k`)) as Array<{ id: number; k: string }>) : [];
    out.set(ref.field, new Map(found.map((r) => [Number(r.id), r.k])));
  }
  return out;
}

/**
 * Streams the filtered, scoped list as .xlsx; returns the number of rows written. Personal
 * fields are masked unless `clearPersonal` (the caller checked pii:export): a masked sheet
 * imported again leaves them unchanged (db/registries/pii.ts, unmaskBody).
 */
export async function writeExport(db: Knex, res: RegistryResource, scope: Scope, params: Omit<ListParams, 'offset' | 'limit'>, out: Writable, opts: { clearPersonal?: boolean } = {}): Promise<number> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(res.title, { views: [{ state: 'frozen', ySplit: 1 }] });
  const columns = sheetColumns(res);
  sheet.columns = [{ header: '编号', key: 'id', width: 8 }, ...columns.map((c, i) => ({ header: c.header, key: `c${i}`, width: Math.max(10, c.header.length * 2 + 2) }))];
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  let written = 0;
  const query = filteredQuery(db, res, scope, params.filter)
    .orderBy(sortColumn(res, params.sort[0]), params.sort[1].toLowerCase() as 'asc' | 'desc')
    .orderBy(`${res.alias}.id`, 'asc');
  for (let offset = 0; offset < EXPORT_LIMIT; offset += CHUNK) {
    const rows = ((await query.clone().offset(offset).limit(CHUNK)) as Array<Record<string, unknown>>).map((r) => (opts.clearPersonal ? normalise(res, r) : maskRecord(res, normalise(res, r))));
    const keys = await refKeysOf(db, res, rows);
    for (const row of rows) {
      const values: Record<string, unknown> = { id: row.id };
      columns.forEach((c, i) => {
        if (c.ref) values[`c${i}`] = keys.get(c.ref.field)?.get(row[c.ref.field] as number) ?? null;
        else if (c.field) values[`c${i}`] = exportCell(c.field, row[c.field.name]);
        else if (c.display === 'approved') values[`c${i}`] = row.approved ? '是' : '否';
        else values[`c${i}`] = row[c.display!] ?? null;
      });
      sheet.addRow(values).commit();
    }
    written += rows.length;
    if (rows.length < CHUNK) break;
  }
  sheet.commit();
  await workbook.commit();
  return written;
}

/** A parsed sheet: header texts and data rows (1-based sheet row numbers kept for the report). */
export interface ParsedSheet {
  headers: string[];
  rows: Array<{ rowNumber: number; cells: unknown[] }>;
}

/**
 * RFC 4180 CSV (quotes, doubled quotes, CRLF), UTF-8 with or without BOM. Every value stays text.
 * (.xlsx files are read in a parse worker: xlsx-reader.ts.) Refuses more header columns or data
 * rows than IMPORT_LIMITS allows, as it reads.
 */
export function readCsv(text: string, limits: ImportLimits = IMPORT_LIMITS): ParsedSheet {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let dataRows = 0;
  const keep = (r: string[]) => {
    if (records.length === 0) {
      let last = r.length;
      while (last > 0 && r[last - 1].trim() === '') last--;
      if (last > limits.columns) throw refusals.columns(limits);
    } else if (r.some((c) => c.trim() !== '') && ++dataRows > limits.rows) throw refusals.rows(limits);
    records.push(r);
  };
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      record.push(field);
      keep(record);
      record = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || record.length) {
    record.push(field);
    keep(record);
  }
  const [headers = [], ...data] = records;
  return {
    headers: headers.map((h) => h.trim()),
    rows: data.map((cells, i) => ({ rowNumber: i + 2, cells })).filter((r) => r.cells.some((c) => c.trim() !== '')),
  };
}
