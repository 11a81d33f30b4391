import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';

/**
 * A ledger (台账): one worksheet streamed to `out` as rows arrive, so an export of a hundred
 * thousand rows holds one chunk in memory, never the workbook. Headers are the users' words;
 * instants are written as Beijing wall-clock date cells (Excel has no time zones: a cell shows
 * what it holds), formatted `yyyy-mm-dd hh:mm`.
 */
export type LedgerValue = string | number | boolean | Date | null | undefined;

export interface LedgerColumn<T> {
  header: string;
  /** Width in characters (default: from the header). */
  width?: number;
  value(row: T): LedgerValue;
}

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The instant as the date cell a reader in Beijing expects to see. */
export function beijingCell(at: Date): Date {
  return new Date(at.getTime() + BEIJING_OFFSET_MS);
}

export async function writeLedger<T>(out: Writable, title: string, columns: Array<LedgerColumn<T>>, chunks: AsyncIterable<T[]>): Promise<number> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  // Sheet names are at most 31 characters and may not hold : \ / ? * [ ].
  const sheet = workbook.addWorksheet(title.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c, i) => ({ header: c.header, key: `c${i}`, width: c.width ?? Math.max(10, c.header.length * 2 + 2) }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  let written = 0;
  for await (const rows of chunks) {
    for (const row of rows) {
      const added = sheet.addRow(columns.map((c) => cellOf(c.value(row))));
      columns.forEach((c, i) => {
        if (added.getCell(i + 1).value instanceof Date) added.getCell(i + 1).numFmt = 'yyyy-mm-dd hh:mm';
      });
      added.commit();
    }
    written += rows.length;
  }
  sheet.commit();
  await workbook.commit();
  return written;
}

function cellOf(value: LedgerValue): ExcelJS.CellValue {
  if (value === undefined || value === null || value === '') return null;
  if (value instanceof Date) return beijingCell(value);
  if (typeof value === 'boolean') return value ? '是' : '否';
  return value;
}
