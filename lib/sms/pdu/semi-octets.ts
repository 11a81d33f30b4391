import { decodeGsm7, encodeGsm7, packSeptets, unpackSeptets } from './gsm7';

/**
 * Addresses (TS 23.040 §9.1.2.5) and service-centre time stamps (§9.2.3.11): both are written
 * as "semi-octets", two decimal digits per octet with the low nibble first.
 */
export const TYPE_INTERNATIONAL = 0x91;
export const TYPE_UNKNOWN = 0x81;
export const TYPE_ALPHANUMERIC = 0xd0;

function swapDigits(digits: string): Buffer {
  const padded = digits.length % 2 ? `${digits}F` : digits;
  const out = Buffer.alloc(padded.length / 2);
  for (let i = 0; i < padded.length; i += 2) out[i / 2] = parseInt(padded[i + 1] + padded[i], 16);
  return out;
}

function unswapDigits(bytes: Buffer, digitCount: number): string {
  let out = '';
  for (const b of bytes) out += (b & 0x0f).toString(16) + (b >> 4).toString(16);
  return out.slice(0, digitCount).toUpperCase();
}

/** An address field: length in digits, type of number, digits. "+8613…" becomes international. */
export function encodeAddress(phone: string): Buffer {
  const international = phone.startsWith('+');
  const digits = phone.replace(/^\+/, '');
  if (!/^[0-9]{1,20}$/.test(digits)) throw new Error(`not a phone number: ${phone}`);
  return Buffer.concat([Buffer.from([digits.length, international ? TYPE_INTERNATIONAL : TYPE_UNKNOWN]), swapDigits(digits)]);
}

/** Decodes the address at `offset`; returns the address and the offset after it. */
export function decodeAddress(buf: Buffer, offset: number): { address: string; next: number } {
  const length = buf[offset];
  const type = buf[offset + 1];
  const octets = Math.ceil(length / 2);
  const body = buf.subarray(offset + 2, offset + 2 + octets);
  let address: string;
  if ((type & 0x70) === 0x50) {
    // Alphanumeric sender ("10086", "95598" are digits; "ChinaMobile" is letters): packed 7-bit.
    address = decodeGsm7(unpackSeptets(body, Math.floor((length * 4) / 7)));
  } else {
    const digits = unswapDigits(body, length);
    address = (type & 0x70) === 0x10 ? `+${digits}` : digits;
  }
  return { address, next: offset + 2 + octets };
}

/** An alphanumeric address, used by the simulator for senders such as service numbers. */
export function encodeAlphanumericAddress(name: string): Buffer {
  const packed = packSeptets(encodeGsm7(name));
  return Buffer.concat([Buffer.from([packed.length * 2, TYPE_ALPHANUMERIC]), packed]);
}

const bcd = (n: number) => ((n % 10) << 4) | Math.floor(n / 10);
const fromBcd = (b: number) => (b & 0x0f) * 10 + (b >> 4);

/** A time stamp at a time-zone offset in quarter hours (China: +32). */
export function encodeTimestamp(at: Date, zoneQuarters = 32): Buffer {
  const local = new Date(at.getTime() + zoneQuarters * 15 * 60_000);
  const zone = Math.abs(zoneQuarters);
  const zoneOctet = ((zone % 10) << 4) | Math.floor(zone / 10) | (zoneQuarters < 0 ? 0x08 : 0);
  return Buffer.from([bcd(local.getUTCFullYear() % 100), bcd(local.getUTCMonth() + 1), bcd(local.getUTCDate()), bcd(local.getUTCHours()), bcd(local.getUTCMinutes()), bcd(local.getUTCSeconds()), zoneOctet]);
}

export function decodeTimestamp(buf: Buffer, offset: number): Date {
  const [yy, mo, dd, hh, mi, ss, tz] = buf.subarray(offset, offset + 7);
  const quarters = ((tz & 0x07) * 10 + (tz >> 4)) * (tz & 0x08 ? -1 : 1);
  return new Date(Date.UTC(2000 + fromBcd(yy), fromBcd(mo) - 1, fromBcd(dd), fromBcd(hh), fromBcd(mi), fromBcd(ss)) - quarters * 15 * 60_000);
}
