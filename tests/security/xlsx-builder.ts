import { once } from 'node:events';
import zlib from 'node:zlib';

/**
 * Builds .xlsx files byte by byte for the import's security tests — valid ones, zip bombs (with
 * honest or lying sizes in the zip directory), too many entries — without binary fixtures. The
 * zip container is written here (local headers, central directory, end record) so a test can
 * make the directory say anything.
 */
export interface ZipPart {
  name: string;
  /** The entry's bytes, or chunks of them (a 200 MB sheet is deflated chunk by chunk, never held). */
  data: string | Buffer | (() => Iterable<Buffer>);
  /** Uncompressed size written in the local header and the central directory (default: the true one). */
  declaredSize?: number;
  /** Stored instead of deflated. */
  store?: boolean;
}

interface Packed {
  name: Buffer;
  compressed: Buffer;
  crc: number;
  size: number;
  method: 0 | 8;
}

async function pack(part: ZipPart): Promise<Packed> {
  const chunks = typeof part.data === 'function' ? part.data() : [Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data, 'utf8')];
  let crc = 0;
  let size = 0;
  if (part.store) {
    const all: Buffer[] = [];
    for (const chunk of chunks) {
      crc = zlib.crc32(chunk, crc);
      size += chunk.length;
      all.push(chunk);
    }
    return { name: Buffer.from(part.name, 'utf8'), compressed: Buffer.concat(all), crc, size, method: 0 };
  }
  const deflate = zlib.createDeflateRaw({ level: 9, memLevel: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  for (const chunk of chunks) {
    crc = zlib.crc32(chunk, crc);
    size += chunk.length;
    if (!deflate.write(chunk)) await once(deflate, 'drain');
  }
  deflate.end();
  await once(deflate, 'end');
  return { name: Buffer.from(part.name, 'utf8'), compressed: Buffer.concat(out), crc, size, method: 8 };
}

export async function buildZip(parts: ZipPart[]): Promise<Buffer> {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const p = await pack(part);
    const declared = part.declaredSize ?? p.size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(p.method, 8);
    local.writeUInt32LE(p.crc >>> 0, 14);
    local.writeUInt32LE(p.compressed.length, 18);
    local.writeUInt32LE(declared, 22);
    local.writeUInt16LE(p.name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(p.method, 10);
    central.writeUInt32LE(p.crc >>> 0, 16);
    central.writeUInt32LE(p.compressed.length, 20);
    central.writeUInt32LE(declared, 24);
    central.writeUInt16LE(p.name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, p.name, p.compressed);
    centrals.push(central, p.name);
    offset += 30 + p.name.length + p.compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';

export const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function columnName(n: number): string {
  let s = '';
  for (let c = n; c > 0; c = Math.floor((c - 1) / 26)) s = String.fromCharCode(65 + ((c - 1) % 26)) + s;
  return s;
}

/** A cell: text (inline), a number, a shared string index, or a date serial with the date style. */
export type CellSpec = string | number | { shared: number } | { dateSerial: number } | null;

export function rowXml(r: number, cells: CellSpec[]): string {
  const xml = cells.map((c, i) => {
    const ref = `${columnName(i + 1)}${r}`;
    if (c === null) return '';
    if (typeof c === 'number') return `<c r="${ref}"><v>${c}</v></c>`;
    if (typeof c === 'string') return `<c r="${ref}" t="inlineStr"><is><t>${escapeXml(c)}</t></is></c>`;
    if ('shared' in c) return `<c r="${ref}" t="s"><v>${c.shared}</v></c>`;
    return `<c r="${ref}" s="1"><v>${c.dateSerial}</v></c>`;
  });
  return `<row r="${r}">${xml.join('')}</row>`;
}

export const SHEET_HEAD = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="${MAIN}" xmlns:r="${REL}"><sheetData>`;
export const SHEET_TAIL = '</sheetData></worksheet>';

const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="${MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>`;

/**
 * An .xlsx with one sheet. `sheet` is the sheet XML (or its chunks, head and tail included);
 * `sharedStrings` adds xl/sharedStrings.xml; `sheetFirst` stores the sheet before the shared
 * strings and styles, as some writers do; `sheetDeclaredSize` makes the zip directory lie.
 */
export async function buildXlsx(opts: { sheet: string | (() => Iterable<Buffer>); sharedStrings?: string[]; sheetFirst?: boolean; sheetDeclaredSize?: number; extraParts?: ZipPart[] }): Promise<Buffer> {
  const contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>${opts.sharedStrings ? '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' : ''}</Types>`;
  const rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="${PKG_REL}"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
  const workbook = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets><sheet name="导入" sheetId="1" r:id="rId1"/></sheets></workbook>`;
  const workbookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="${PKG_REL}"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${REL}/styles" Target="styles.xml"/>${opts.sharedStrings ? `<Relationship Id="rId3" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>` : ''}</Relationships>`;
  const sheet: ZipPart = { name: 'xl/worksheets/sheet1.xml', data: opts.sheet, declaredSize: opts.sheetDeclaredSize };
  const rest: ZipPart[] = [{ name: 'xl/styles.xml', data: STYLES }];
  if (opts.sharedStrings) {
    const items = opts.sharedStrings.map((s) => `<si><t>${escapeXml(s)}</t></si>`).join('');
    rest.push({ name: 'xl/sharedStrings.xml', data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="${MAIN}" count="${opts.sharedStrings.length}" uniqueCount="${opts.sharedStrings.length}">${items}</sst>` });
  }
  const head: ZipPart[] = [
    { name: '[Content_Types].xml', data: contentTypes },
    { name: '_rels/.rels', data: rootRels },
    { name: 'xl/workbook.xml', data: workbook },
    { name: 'xl/_rels/workbook.xml.rels', data: workbookRels },
  ];
  return buildZip([...head, ...(opts.sheetFirst ? [sheet, ...rest] : [...rest, sheet]), ...(opts.extraParts ?? [])]);
}

/** Sheet XML of `rows` (1-based row numbers, row 1 the headers) as one string. */
export function sheetOf(rows: CellSpec[][]): string {
  return SHEET_HEAD + rows.map((cells, i) => rowXml(i + 1, cells)).join('') + SHEET_TAIL;
}
