import { isUtf8 } from 'node:buffer';

/**
 * Bounds on what one registry import may cost (security finding: a 200 KB .xlsx that unzipped to
 * 200 MB took seconds of the API's event loop and 1.5 GB of memory). Every limit of the import
 * is here; the route, the CSV reader, the zip checks and the worker pool read them from this file.
 *
 * The numbers start from the real work: a province's import is at most tens of thousands of rows,
 * and the widest sheet (projects, 67 columns with the export's display columns) takes about
 * 3.3 KB a row fully filled when unzipped (sheet XML plus shared strings), ~350 bytes zipped.
 */
export const IMPORT_LIMITS = {
  /** The request body. 10 MiB holds ~30,000 fully filled project rows or far more staff rows. */
  uploadBytes: 10 * 1024 * 1024,
  /** Data rows of a sheet or CSV: tens of thousands is a province; 50,000 leaves room and keeps the rows the worker hands back (and the import's one transaction) bounded. */
  rows: 50_000,
  /** Columns read from the header row: the widest registry has 67; Excel allows 16,384, which × 50,000 rows would be 800 million cells. */
  columns: 256,
  /**
   * Bytes after unzipping, all entries together, as declared in the zip's central directory and
   * as actually inflated: 10 MiB at a real sheet's ~10× ratio, or ~40,000 fully filled project
   * rows. Bounds the parse's CPU time (the XML is streamed, not held).
   */
  uncompressedBytes: 128 * 1024 * 1024,
  /** Entries of the zip: a workbook has about a dozen parts, one with a hundred sheets and pictures a few hundred. */
  zipEntries: 1000,
  /**
   * Compression ratio of one entry (declared uncompressed / compressed), checked for entries of
   * more than `ratioMinBytes`: real sheet XML compresses 8–20×, very repetitive sheets maybe 50×;
   * deflate tops out near 1,032×, which is what bombs use.
   */
  compressionRatio: 200,
  ratioMinBytes: 1024 * 1024,
  /** Wall time of one parse in a worker (its start included): the largest file an upload holds, 30,000 fully filled project rows, read in ~19 s on a busy 2-core server. */
  parseMillis: 60_000,
  /** V8 heap of a parse worker (rows, shared strings, exceljs objects): 50,000 rows of 6 columns need ~96 MB, 30,000 rows of all 67 project columns fit. */
  workerHeapMb: 512,
  /** Parses running at once (one per core of the 2-core servers) and waiting for a worker; more answer 503. */
  concurrentParses: 2,
  waitingParses: 8,
  /** An idle parse worker is stopped after this long (imports are occasional; a worker holds ~40 MB). */
  workerIdleMillis: 60_000,
} as const;

export type ImportLimits = { readonly [K in keyof typeof IMPORT_LIMITS]: number };

const MiB = (n: number) => `${Math.round(n / 1024 / 1024)} MiB`;

/**
 * An upload refused before anything is written: 413 for one that is too big (bytes unzipped,
 * rows, columns, time, memory), 400 for one that is not a readable workbook (corrupt, not a zip,
 * too many entries, a compression ratio or sizes that only a zip bomb has).
 * The API answers `{ error: { code, message, details: [{ field, reason }] } }`.
 */
export class UploadRefused extends Error {
  constructor(
    readonly status: 400 | 413,
    readonly field: string,
    readonly reason: string,
  ) {
    super(status === 413 ? `The file is too large to import: ${reason}` : `The file cannot be imported: ${reason}`);
    this.name = 'UploadRefused';
  }

  get code(): string {
    return this.status === 413 ? 'payload_too_large' : 'invalid_file';
  }

  toJSON(): { status: 400 | 413; field: string; reason: string } {
    return { status: this.status, field: this.field, reason: this.reason };
  }
}

export const refusals = {
  uncompressed: (limits: ImportLimits = IMPORT_LIMITS) => new UploadRefused(413, 'body', `unzips to more than ${MiB(limits.uncompressedBytes)}`),
  rows: (limits: ImportLimits = IMPORT_LIMITS) => new UploadRefused(413, 'body.rows', `has more than ${limits.rows} rows`),
  columns: (limits: ImportLimits = IMPORT_LIMITS) => new UploadRefused(413, 'body.columns', `has more than ${limits.columns} columns`),
  timeout: (limits: ImportLimits = IMPORT_LIMITS) => new UploadRefused(413, 'body', `took longer than ${limits.parseMillis / 1000} s to read`),
  memory: () => new UploadRefused(413, 'body', 'needs more memory to read than an import may use'),
  entries: (count: number, limits: ImportLimits = IMPORT_LIMITS) => new UploadRefused(400, 'body', `the zip has ${count} entries, more than the ${limits.zipEntries} a workbook may have`),
  ratio: (name: string, ratio: number, limits: ImportLimits = IMPORT_LIMITS) => new UploadRefused(400, 'body', `zip entry ${name} is compressed ${Math.round(ratio)}×, more than ${limits.compressionRatio}× (a zip bomb)`),
  sizesLie: (name: string) => new UploadRefused(400, 'body', `zip entry ${name} inflates to another size than the zip declares (a zip bomb or a corrupt file)`),
  corrupt: (what: string) => new UploadRefused(400, 'body', `not a valid .xlsx file: ${what}`),
  notXlsx: () => new UploadRefused(400, 'body', 'a zip file but not an Excel workbook (.xlsx)'),
  oldExcel: () => new UploadRefused(400, 'body', 'an Excel 97–2003 (.xls) or password-protected workbook; save it as an unprotected .xlsx'),
  notText: () => new UploadRefused(400, 'body', 'neither an .xlsx workbook nor a UTF-8 CSV file'),
};

/**
 * What the body is: an .xlsx by its zip signature (`PK`), else a CSV that must be UTF-8 text.
 * An OLE2 file (.xls, or an encrypted .xlsx) and binary or non-UTF-8 bytes are refused here,
 * before anything reads them as rows.
 */
export function uploadFormat(bytes: Buffer): 'xlsx' | 'csv' {
  if (bytes.subarray(0, 2).toString('latin1') === 'PK') return 'xlsx';
  if (bytes.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))) throw refusals.oldExcel();
  if (bytes.includes(0) || !isUtf8(bytes)) throw refusals.notText();
  return 'csv';
}
