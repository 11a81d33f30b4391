import { decodeAddress, decodeTimestamp, encodeAddress, encodeTimestamp } from './semi-octets';
import { decodeUserData, dcsOf, encodeUserData, type Concatenation, type Encoding, type UserData } from './user-data';
import { planMessage } from './split';

/**
 * The three transfer PDUs the platform meets (TS 23.040 §9.2.2): SMS-SUBMIT (we send), SMS-DELIVER
 * (we receive) and SMS-STATUS-REPORT (the delivery report). In PDU mode a modem adds the service
 * centre address in front (TS 27.005 §3.1); we always write "00" there, meaning "use the SIM's".
 */

// First-octet bits.
const MTI_DELIVER = 0x00;
const MTI_SUBMIT = 0x01;
const MTI_STATUS_REPORT = 0x02;
const VPF_RELATIVE = 0x10;
const SRR = 0x20; // submit: status report requested; status report: TP-SRQ
const UDHI = 0x40;
const MMS_NO_MORE = 0x04;

export interface SubmitOptions {
  /** Concatenation reference shared by the parts of one message (0–255). */
  concatRef?: number;
  statusReport?: boolean;
  /** Relative validity period; the network drops the message after it. */
  validityMinutes?: number;
}

export interface SubmitPdu {
  /** Hex PDU including the leading "00" service centre octet, as AT+CMGS/AT+CMGW take it. */
  hex: string;
  /** The length AT+CMGS/AT+CMGW want: octets after the service centre part. */
  tpduLength: number;
  partNo: number;
  partCount: number;
  encoding: Encoding;
}

/** TS 23.040 §9.2.3.12.1 relative validity period. */
export function encodeValidity(minutes: number): number {
  if (minutes <= 720) return Math.max(0, Math.ceil(minutes / 5) - 1);
  if (minutes <= 1440) return 143 + Math.ceil((minutes - 720) / 30);
  if (minutes <= 30 * 1440) return 166 + Math.ceil(minutes / 1440);
  return Math.min(255, 192 + Math.ceil(minutes / (7 * 1440)));
}

/** The SMS-SUBMIT PDUs of a message to `to`, one per part. */
export function buildSubmitPdus(to: string, text: string, opts: SubmitOptions = {}): SubmitPdu[] {
  const plan = planMessage(text);
  const partCount = plan.parts.length;
  if (partCount > 255) throw new Error('message too long for concatenation (more than 255 parts)');
  const address = encodeAddress(to);
  return plan.parts.map((partText, i) => {
    const concat: Concatenation | undefined = partCount > 1 ? { ref: opts.concatRef ?? 0, total: partCount, seq: i + 1 } : undefined;
    const { udl, ud, udhi } = encodeUserData(partText, plan.encoding, concat);
    const firstOctet = MTI_SUBMIT | VPF_RELATIVE | (opts.statusReport === false ? 0 : SRR) | (udhi ? UDHI : 0);
    const tpdu = Buffer.concat([Buffer.from([firstOctet, 0x00 /* TP-MR: the modem assigns it */]), address, Buffer.from([0x00 /* TP-PID */, dcsOf(plan.encoding), encodeValidity(opts.validityMinutes ?? 1440), udl]), ud]);
    return { hex: `00${tpdu.toString('hex').toUpperCase()}`, tpduLength: tpdu.length, partNo: i + 1, partCount, encoding: plan.encoding };
  });
}

function skipServiceCentre(buf: Buffer): { sca: string | null; offset: number } {
  const len = buf[0];
  if (len === 0) return { sca: null, offset: 1 };
  const type = buf[1];
  let digits = '';
  for (const b of buf.subarray(2, 1 + len)) digits += (b & 0x0f).toString(16) + (b >> 4).toString(16);
  digits = digits.replace(/f$/i, '');
  return { sca: type === 0x91 ? `+${digits}` : digits, offset: 1 + len };
}

function encodeServiceCentre(sca: string | null): Buffer {
  if (!sca) return Buffer.from([0]);
  const addr = encodeAddress(sca);
  // The SCA length counts octets (type included), unlike TP addresses which count digits.
  return Buffer.concat([Buffer.from([addr.length - 1]), addr.subarray(1)]);
}

const hexToBuf = (hex: string) => {
  const clean = hex.trim();
  if (!/^([0-9A-Fa-f]{2})+$/.test(clean)) throw new Error('PDU is not an even-length hex string');
  return Buffer.from(clean, 'hex');
};

export interface DecodedSubmit extends UserData {
  to: string;
  statusReportRequested: boolean;
  mr: number;
}

export function decodeSubmit(hex: string): DecodedSubmit {
  const buf = hexToBuf(hex);
  let { offset } = skipServiceCentre(buf);
  const first = buf[offset];
  if ((first & 0x03) !== MTI_SUBMIT) throw new Error('not an SMS-SUBMIT PDU');
  const mr = buf[offset + 1];
  const { address: to, next } = decodeAddress(buf, offset + 2);
  offset = next;
  const dcs = buf[offset + 1];
  offset += 2;
  const vpf = (first >> 3) & 0x03;
  offset += vpf === 2 ? 1 : vpf === 0 ? 0 : 7;
  const udl = buf[offset];
  return { to, mr, statusReportRequested: (first & SRR) !== 0, ...decodeUserData(buf, offset + 1, udl, dcs, (first & UDHI) !== 0) };
}

export interface DecodedDeliver extends UserData {
  from: string;
  serviceCentre: string | null;
  sentAt: Date;
}

export function decodeDeliver(hex: string): DecodedDeliver {
  const buf = hexToBuf(hex);
  const sc = skipServiceCentre(buf);
  let offset = sc.offset;
  const first = buf[offset];
  if ((first & 0x03) !== MTI_DELIVER) throw new Error('not an SMS-DELIVER PDU');
  const { address: from, next } = decodeAddress(buf, offset + 1);
  offset = next;
  const dcs = buf[offset + 1];
  const sentAt = decodeTimestamp(buf, offset + 2);
  offset += 9;
  const udl = buf[offset];
  return { from, serviceCentre: sc.sca, sentAt, ...decodeUserData(buf, offset + 1, udl, dcs, (first & UDHI) !== 0) };
}

export function buildDeliverPdus(from: Buffer | string, text: string, opts: { serviceCentre?: string; sentAt?: Date; concatRef?: number } = {}): string[] {
  const plan = planMessage(text);
  const address = typeof from === 'string' ? encodeAddress(from) : from;
  return plan.parts.map((partText, i) => {
    const concat = plan.parts.length > 1 ? { ref: opts.concatRef ?? 0, total: plan.parts.length, seq: i + 1 } : undefined;
    const { udl, ud, udhi } = encodeUserData(partText, plan.encoding, concat);
    const pdu = Buffer.concat([
      encodeServiceCentre(opts.serviceCentre ?? null),
      Buffer.from([MTI_DELIVER | MMS_NO_MORE | (udhi ? UDHI : 0)]),
      address,
      Buffer.from([0x00, dcsOf(plan.encoding)]),
      encodeTimestamp(opts.sentAt ?? new Date()),
      Buffer.from([udl]),
      ud,
    ]);
    return pdu.toString('hex').toUpperCase();
  });
}

/** What a status report's TP-ST means for the message (TS 23.040 §9.2.3.15). */
export type ReportOutcome = 'delivered' | 'pending' | 'failed';

export function reportOutcome(status: number): ReportOutcome {
  if (status <= 0x1f) return 'delivered';
  if (status >= 0x20 && status <= 0x3f) return 'pending';
  return 'failed';
}

export interface DecodedStatusReport {
  mr: number;
  recipient: string;
  serviceCentreAt: Date;
  dischargedAt: Date;
  status: number;
  outcome: ReportOutcome;
}

export function decodeStatusReport(hex: string): DecodedStatusReport {
  const buf = hexToBuf(hex);
  let { offset } = skipServiceCentre(buf);
  const first = buf[offset];
  if ((first & 0x03) !== MTI_STATUS_REPORT) throw new Error('not an SMS-STATUS-REPORT PDU');
  const mr = buf[offset + 1];
  const { address: recipient, next } = decodeAddress(buf, offset + 2);
  offset = next;
  const serviceCentreAt = decodeTimestamp(buf, offset);
  const dischargedAt = decodeTimestamp(buf, offset + 7);
  const status = buf[offset + 14];
  return { mr, recipient, serviceCentreAt, dischargedAt, status, outcome: reportOutcome(status) };
}

export function buildStatusReportPdu(opts: { mr: number; recipient: string; status: number; serviceCentreAt: Date; dischargedAt: Date; serviceCentre?: string }): string {
  const pdu = Buffer.concat([
    encodeServiceCentre(opts.serviceCentre ?? null),
    Buffer.from([MTI_STATUS_REPORT | MMS_NO_MORE, opts.mr & 0xff]),
    encodeAddress(opts.recipient),
    encodeTimestamp(opts.serviceCentreAt),
    encodeTimestamp(opts.dischargedAt),
    Buffer.from([opts.status]),
  ]);
  return pdu.toString('hex').toUpperCase();
}

/** The octets after the service centre part: what AT+CMGS/AT+CMGW/AT+CMT count. */
export function tpduLengthOf(hex: string): number {
  const buf = hexToBuf(hex);
  return buf.length - 1 - buf[0];
}
