import { posix } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import ExcelJS, { type CellValue, type Row } from 'exceljs';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { IMPORT_LIMITS, UploadRefused, refusals, type ImportLimits } from './import-limits';
import type { ParsedSheet } from './spreadsheet';

/**
 * Reads the first sheet of an .xlsx import within IMPORT_LIMITS. Runs in a parse worker
 * (xlsx-pool.ts), never on the API's event loop.
 *
 * 1. The zip's central directory first (yauzl): entry count, each entry's declared sizes and
 *    compression ratio, method and encryption; nothing is inflated before these pass.
 * 2. Then only the parts an import needs, streamed in the order they are needed (workbook
 *    relations, workbook, shared strings, styles, the first sheet) — yauzl gives random access
 *    through the central directory, so a sheet stored before its shared strings is not spooled
 *    anywhere. Every inflated byte is counted: yauzl fails an entry that inflates past its
 *    declared size (a bomb whose directory lies), and a budget caps the total.
 * 3. exceljs's streaming reader (stream.xlsx.WorkbookReader) parses each part's XML as it
 *    arrives; rows are counted and the parse stops at the row limit.
 *
 * The parts are fed to WorkbookReader's per-part methods (`_parseRels`, `_parseWorkbook`,
 * `_parseSharedStrings`, `_parseStyles`, `_parseWorksheet`) rather than to its `parse()`,
 * which reads the zip itself (front to back through local headers, inflating without a bound,
 * and spooling sheets met before the shared strings to temporary files). They are checked at
 * start, so an exceljs that changes them fails loudly rather than misreading files.
 */

interface SheetRef {
  name: string;
  rId: string;
}

interface WorkbookReaderParts {
  model?: { sheets?: SheetRef[] };
  workbookRels?: Array<{ Id: string; Target: string }>;
  _parseRels(entry: Readable): Promise<void>;
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseWorksheet(iterator: Readable, sheetNo: string): Generator<{ eventType: string; value: AsyncIterable<Row> }>;
}

type WorkbookReaderCtor = new (input: unknown, options: Record<string, string>) => WorkbookReaderParts;
const WorkbookReader = ExcelJS.stream.xlsx.WorkbookReader as unknown as WorkbookReaderCtor;

export function checkExceljsParts(): void {
  const proto = WorkbookReader.prototype as unknown as Record<string, unknown>;
  const missing = ['_parseRels', '_parseWorkbook', '_parseSharedStrings', '_parseStyles', '_parseWorksheet'].filter((m) => typeof proto[m] !== 'function');
  if (missing.length) throw new Error(`exceljs's WorkbookReader no longer has ${missing.join(', ')}; update db/registries/xlsx-reader.ts`);
}

const WORKBOOK = 'xl/workbook.xml';
const WORKBOOK_RELS = 'xl/_rels/workbook.xml.rels';
const SHARED_STRINGS = 'xl/sharedStrings.xml';
const STYLES = 'xl/styles.xml';
const WORKSHEET = /^xl\/worksheets\/sheet(\d+)\.xml$/;

/** The central directory, checked before any entry is inflated. */
async function readDirectory(bytes: Buffer, limits: ImportLimits): Promise<{ zip: ZipFile; entries: Map<string, Entry> }> {
  let zip: ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true });
  } catch (err) {
    throw refusals.corrupt(`its zip directory cannot be read (${(err as Error).message.split('.')[0]})`);
  }
  if (zip.entryCount > limits.zipEntries) throw refusals.entries(zip.entryCount, limits);
  const entries = new Map<string, Entry>();
  let declared = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      const name = entry.fileName;
      if (name.endsWith('/')) continue;
      if (entries.has(name)) throw refusals.corrupt(`the zip lists ${name} twice`);
      if (entry.isEncrypted()) throw refusals.corrupt(`${name} is encrypted`);
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) throw refusals.corrupt(`${name} uses compression method ${entry.compressionMethod}`);
      declared += entry.uncompressedSize;
      if (declared > limits.uncompressedBytes) throw refusals.uncompressed(limits);
      const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
      if (entry.uncompressedSize > limits.ratioMinBytes && ratio > limits.compressionRatio) throw refusals.ratio(name, ratio, limits);
      entries.set(name, entry);
    }
  } catch (err) {
    if (err instanceof UploadRefused) throw err;
    throw refusals.corrupt(`its zip directory is damaged (${(err as Error).message.split('.')[0]})`);
  }
  if (!entries.has(WORKBOOK)) throw refusals.notXlsx();
  return { zip, entries };
}

/**
 * The central directory's checks alone (no entry inflated; ~1 ms): run on the API thread before a
 * file is queued for a worker, so a bomb, a corrupt zip or one with too many entries is refused
 * at once. The worker checks again before it reads.
 */
export async function checkZipDirectory(bytes: Buffer, limits: ImportLimits = IMPORT_LIMITS): Promise<void> {
  const { zip } = await readDirectory(bytes, limits);
  zip.close();
}

/** What an error met while inflating or parsing a part says about the file. */
function describe(err: unknown, part: string): UploadRefused {
  if (err instanceof UploadRefused) return err;
  const e = err as { message?: string; code?: string };
  const message = e.message ?? String(err);
  if (/too many bytes in the stream|not enough bytes in the stream/.test(message)) return refusals.sizesLie(part);
  if (/local file header|overflows file bounds|compression method|encrypt/i.test(message)) return refusals.corrupt(`the zip entry ${part} is damaged`);
  if (e.code?.startsWith('Z_') || /unexpected end of file|invalid (stored|block|distance|code)|incorrect header/i.test(message)) return refusals.corrupt(`the compressed data of ${part} is damaged`);
  if (err instanceof TypeError || err instanceof RangeError) return refusals.corrupt(`${part} is not laid out as Excel writes it`);
  return refusals.corrupt(`${part} is not well-formed XML (${message.slice(0, 120)})`);
}

/** One part's inflated bytes, counted against the budget of the whole file. */
async function openPart(zip: ZipFile, entry: Entry, budget: { left: number }, limits: ImportLimits, open: Set<Readable>): Promise<Readable> {
  const raw = await zip.openReadStreamPromise(entry);
  const counted = new Transform({
    transform(chunk: Buffer, _enc, done) {
      budget.left -= chunk.length;
      if (budget.left < 0) done(refusals.uncompressed(limits));
      else done(null, chunk);
    },
  });
  raw.on('error', (err) => counted.destroy(describe(err, entry.fileName)));
  counted.on('close', () => raw.destroy());
  open.add(raw).add(counted);
  return raw.pipe(counted);
}

function resolveSheetPath(reader: WorkbookReaderParts, entries: Map<string, Entry>): string | null {
  // exceljs's Workbook.worksheets[0]: the first sheet in workbook.xml's order.
  const first = reader.model?.sheets?.[0];
  const rel = first && reader.workbookRels?.find((r) => r.Id === first.rId);
  if (rel) {
    const target = rel.Target.startsWith('/') ? rel.Target.slice(1) : posix.normalize(`xl/${rel.Target}`);
    if (WORKSHEET.test(target) && entries.has(target)) return target;
  }
  const sheets = [...entries.keys()].filter((n) => WORKSHEET.test(n));
  sheets.sort((a, b) => Number(WORKSHEET.exec(a)![1]) - Number(WORKSHEET.exec(b)![1]));
  return sheets[0] ?? null;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A cell as a primitive for the main thread, read the way importCell (fields.ts) reads exceljs's
 * values: rich text joined, a formula's result, a hyperlink's text, and a date as its UTC day
 * `YYYY-MM-DD` (importCell's isoDate; a Date object would also arrive from another realm, where
 * `instanceof Date` fails under jest's vm context).
 */
function plainValue(value: CellValue): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
  if (typeof value !== 'object') return value;
  const o = value as { richText?: Array<{ text?: string }>; result?: unknown; text?: unknown; error?: string };
  if (Array.isArray(o.richText)) return o.richText.map((r) => r.text ?? '').join('');
  if (o.result !== undefined) return plainValue(o.result as CellValue);
  if (o.text !== undefined) return plainValue(o.text as CellValue);
  if (typeof o.error === 'string') return o.error;
  return null;
}

function headerTexts(row: Row, limits: ImportLimits): string[] {
  const headers: string[] = [];
  let last = 0;
  row.eachCell({ includeEmpty: true }, (cell, col) => {
    const text = String(plainValue(cell.value) ?? '').trim();
    if (text) last = col;
    if (col <= limits.columns) headers[col - 1] = text;
  });
  if (last > limits.columns) throw refusals.columns(limits);
  return Array.from({ length: last }, (_, i) => headers[i] ?? '');
}

export async function readXlsxBounded(bytes: Buffer, limits: ImportLimits = IMPORT_LIMITS): Promise<ParsedSheet> {
  checkExceljsParts();
  const { zip, entries } = await readDirectory(bytes, limits);
  const budget = { left: limits.uncompressedBytes };
  const open = new Set<Readable>();
  const reader = new WorkbookReader(undefined, { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore' });
  const part = async (name: string, read: (stream: Readable) => Promise<unknown>) => {
    const entry = entries.get(name);
    if (!entry) return;
    try {
      await read(await openPart(zip, entry, budget, limits, open));
    } catch (err) {
      throw describe(err, name);
    }
  };
  try {
    await part(WORKBOOK_RELS, (s) => reader._parseRels(s));
    await part(WORKBOOK, (s) => reader._parseWorkbook(s));
    await part(SHARED_STRINGS, async (s) => {
      for await (const _ of reader._parseSharedStrings(s));
    });
    await part(STYLES, (s) => reader._parseStyles(s));

    const sheetPath = resolveSheetPath(reader, entries);
    const parsed: ParsedSheet = { headers: [], rows: [] };
    if (!sheetPath) return parsed;
    await part(sheetPath, async (stream) => {
      const [emitted] = [...reader._parseWorksheet(stream, WORKSHEET.exec(sheetPath)![1])];
      if (!emitted) return;
      for await (const row of emitted.value) {
        if (row.number === 1) {
          parsed.headers = headerTexts(row, limits);
          continue;
        }
        if (!row.hasValues) continue;
        if (parsed.rows.length >= limits.rows) throw refusals.rows(limits);
        parsed.rows.push({ rowNumber: row.number, cells: parsed.headers.map((_, i) => plainValue(row.getCell(i + 1).value)) });
      }
    });
    return parsed;
  } finally {
    for (const s of open) s.destroy();
    zip.close();
  }
}
