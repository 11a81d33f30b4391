/**
 * The GSM 7-bit default alphabet (3GPP TS 23.038 §6.2.1) and its extension table, and the
 * packing of 7-bit septets into octets (LSB first, as TS 23.038 §6.1.2.1 describes).
 */
const ESC = 0x1b;

// Index = septet value. 0x1B is the escape to the extension table, never a character itself.
const DEFAULT_ALPHABET = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' + '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

const EXTENSION: Record<number, string> = {
  0x0a: '\f',
  0x14: '^',
  0x28: '{',
  0x29: '}',
  0x2f: '\\',
  0x3c: '[',
  0x3d: '~',
  0x3e: ']',
  0x40: '|',
  0x65: '€',
};

const DEFAULT_INDEX = new Map<string, number>();
for (let i = 0; i < DEFAULT_ALPHABET.length; i++) if (i !== ESC) DEFAULT_INDEX.set(DEFAULT_ALPHABET[i], i);
const EXTENSION_INDEX = new Map<string, number>(Object.entries(EXTENSION).map(([code, ch]) => [ch, Number(code)]));

/** The septets of one character: one for the default table, two (ESC + code) for the extension. */
export function charSeptets(ch: string): number[] | null {
  const base = DEFAULT_INDEX.get(ch);
  if (base !== undefined) return [base];
  const ext = EXTENSION_INDEX.get(ch);
  if (ext !== undefined) return [ESC, ext];
  return null;
}

/** True when every character of the text exists in the GSM 7-bit alphabet (with extension). */
export function isGsm7(text: string): boolean {
  for (const ch of text) if (!charSeptets(ch)) return false;
  return true;
}

export function encodeGsm7(text: string): number[] {
  const septets: number[] = [];
  for (const ch of text) {
    const s = charSeptets(ch);
    if (!s) throw new Error(`character ${JSON.stringify(ch)} is not in the GSM 7-bit alphabet`);
    septets.push(...s);
  }
  return septets;
}

export function decodeGsm7(septets: number[]): string {
  let out = '';
  for (let i = 0; i < septets.length; i++) {
    const s = septets[i];
    if (s === ESC) {
      const next = septets[++i];
      // An unknown extension code shows as its default-table character (TS 23.038 note).
      out += next === undefined ? '' : (EXTENSION[next] ?? DEFAULT_ALPHABET[next] ?? '?');
    } else {
      out += DEFAULT_ALPHABET[s] ?? '?';
    }
  }
  return out;
}

/**
 * Packs septets into octets. `fillBits` leading zero bits align the text on a septet boundary
 * after a user data header (TS 23.040 §9.2.3.24).
 */
export function packSeptets(septets: number[], fillBits = 0): Buffer {
  const out = Buffer.alloc(Math.ceil((fillBits + septets.length * 7) / 8));
  let bit = fillBits;
  for (const septet of septets) {
    for (let i = 0; i < 7; i++, bit++) {
      if ((septet >> i) & 1) out[bit >> 3] |= 1 << (bit & 7);
    }
  }
  return out;
}

export function unpackSeptets(bytes: Buffer, count: number, fillBits = 0): number[] {
  const septets: number[] = [];
  let bit = fillBits;
  for (let n = 0; n < count; n++) {
    let septet = 0;
    for (let i = 0; i < 7; i++, bit++) {
      const byte = bytes[bit >> 3];
      if (byte !== undefined && (byte >> (bit & 7)) & 1) septet |= 1 << i;
    }
    septets.push(septet);
  }
  return septets;
}
