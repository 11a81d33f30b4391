import { decodeGsm7, encodeGsm7, packSeptets, unpackSeptets } from './gsm7';

/**
 * User data (TS 23.040 §9.2.3.24) with an optional user data header carrying the concatenation
 * element that lets a phone join the parts of a long message (IEI 0x00, 8-bit reference; 0x08,
 * 16-bit reference, is understood when received).
 */
export type Encoding = 'gsm7' | 'ucs2' | '8bit';

export interface Concatenation {
  ref: number;
  total: number;
  seq: number;
}

export interface UserData {
  encoding: Encoding;
  text: string;
  concat?: Concatenation;
}

export function dcsOf(encoding: Encoding): number {
  return encoding === 'ucs2' ? 0x08 : encoding === '8bit' ? 0x04 : 0x00;
}

/** The alphabet a data coding scheme names (TS 23.038 §4); classes and indications are ignored. */
export function encodingOfDcs(dcs: number): Encoding {
  if ((dcs & 0x80) === 0) {
    if (dcs & 0x20) return '8bit'; // compressed text: we cannot decompress it, keep the octets
    const alphabet = (dcs >> 2) & 0x03;
    return alphabet === 2 ? 'ucs2' : alphabet === 1 ? '8bit' : 'gsm7';
  }
  if ((dcs & 0xf0) === 0xf0) return dcs & 0x04 ? '8bit' : 'gsm7';
  if ((dcs & 0xf0) === 0xe0) return 'ucs2';
  return 'gsm7';
}

export function ucs2Encode(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

export function ucs2Decode(bytes: Buffer): string {
  const even = Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2)));
  return even.swap16().toString('utf16le');
}

function concatHeader(c: Concatenation): Buffer {
  return Buffer.from([0x05, 0x00, 0x03, c.ref & 0xff, c.total, c.seq]);
}

/** Encodes text (already cut to fit one part) as TP-UDL and TP-UD. */
export function encodeUserData(text: string, encoding: Encoding, concat?: Concatenation): { udl: number; ud: Buffer; udhi: boolean } {
  const header = concat ? concatHeader(concat) : Buffer.alloc(0);
  if (encoding === 'gsm7') {
    const septets = encodeGsm7(text);
    const fillBits = header.length ? (7 - ((header.length * 8) % 7)) % 7 : 0;
    const headerSeptets = Math.ceil((header.length * 8) / 7);
    return { udl: headerSeptets + septets.length, ud: Buffer.concat([header, packSeptets(septets, fillBits)]), udhi: header.length > 0 };
  }
  const body = encoding === 'ucs2' ? ucs2Encode(text) : Buffer.from(text, 'latin1');
  return { udl: header.length + body.length, ud: Buffer.concat([header, body]), udhi: header.length > 0 };
}

function parseConcat(header: Buffer): Concatenation | undefined {
  let i = 0;
  while (i + 1 < header.length) {
    const iei = header[i];
    const len = header[i + 1];
    const data = header.subarray(i + 2, i + 2 + len);
    if (iei === 0x00 && len === 3) return { ref: data[0], total: data[1], seq: data[2] };
    if (iei === 0x08 && len === 4) return { ref: (data[0] << 8) | data[1], total: data[2], seq: data[3] };
    i += 2 + len;
  }
  return undefined;
}

/** Decodes TP-UD starting at `offset`, given TP-UDL, the DCS and the UDHI flag. */
export function decodeUserData(buf: Buffer, offset: number, udl: number, dcs: number, udhi: boolean): UserData {
  const encoding = encodingOfDcs(dcs);
  const ud = buf.subarray(offset);
  const headerBytes = udhi && ud.length ? ud[0] + 1 : 0;
  const concat = headerBytes ? parseConcat(ud.subarray(1, headerBytes)) : undefined;
  if (encoding === 'gsm7') {
    const headerSeptets = Math.ceil((headerBytes * 8) / 7);
    const fillBits = headerBytes ? headerSeptets * 7 - headerBytes * 8 : 0;
    const text = decodeGsm7(unpackSeptets(ud.subarray(headerBytes), Math.max(0, udl - headerSeptets), fillBits));
    return { encoding, text, concat };
  }
  const body = ud.subarray(headerBytes, udl);
  return { encoding, text: encoding === 'ucs2' ? ucs2Decode(body) : body.toString('latin1'), concat };
}
