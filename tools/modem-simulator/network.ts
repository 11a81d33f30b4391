import { EventEmitter } from 'node:events';
import { decodeSubmit, type DecodedSubmit } from '../../lib/sms/pdu';
import { normalisePhone } from '../../lib/sms/phone';

/**
 * The simulated GSM network behind the simulated modems: the phones that receive what the modems
 * submit (decoded from the PDUs, so a test reads what a person would see), and the phones that
 * write back. Long messages are joined the way a handset joins them: by sender, reference and
 * part count; parts of a message that never completed stay visible as fragments.
 */
export interface ReceivedPart {
  from: string;
  to: string;
  text: string;
  encoding: DecodedSubmit['encoding'];
  concat?: { ref: number; total: number; seq: number };
  at: Date;
}

export interface ReceivedMessage {
  from: string;
  to: string;
  text: string;
  parts: number;
  at: Date;
}

export interface NetworkModem {
  ownNumber: string;
  deliverFromPhone(fromPhone: string, text: string): void;
}

export class SimulatedNetwork extends EventEmitter {
  readonly serviceCentre = '+8613800512500';
  private readonly parts: ReceivedPart[] = [];
  private readonly modems = new Map<string, NetworkModem>();
  /** TP-ST the status report carries for a recipient: 0 delivered, 0x41 and up failed. */
  deliveryStatus: (recipient: string) => number = () => 0x00;

  attach(modem: NetworkModem): void {
    this.modems.set(normalisePhone(modem.ownNumber), modem);
  }

  /** A modem handed an SMS-SUBMIT to the network. */
  submit(fromNumber: string, pdu: string): DecodedSubmit {
    const decoded = decodeSubmit(pdu);
    const part: ReceivedPart = { from: fromNumber, to: normalisePhone(decoded.to), text: decoded.text, encoding: decoded.encoding, concat: decoded.concat, at: new Date() };
    this.parts.push(part);
    this.emit('part', part);
    return decoded;
  }

  /** Whole messages a phone has received, joined from their parts, in order of completion. */
  receivedBy(phone: string): ReceivedMessage[] {
    return this.joined().complete.filter((m) => m.to === normalisePhone(phone));
  }

  /** Every whole message any phone received. */
  allReceived(): ReceivedMessage[] {
    return this.joined().complete;
  }

  /** Parts of long messages that never completed (e.g. a modem died between parts). */
  fragments(): ReceivedPart[][] {
    return this.joined().incomplete;
  }

  /** Every part handed to the network, in order. */
  allParts(): ReceivedPart[] {
    return [...this.parts];
  }

  /** A person answers from `fromPhone` to the SIM number `toNumber` of one of the modems. */
  sendFromPhone(fromPhone: string, toNumber: string, text: string): void {
    const modem = this.modems.get(normalisePhone(toNumber));
    if (!modem) throw new Error(`no simulated modem has number ${toNumber}`);
    modem.deliverFromPhone(fromPhone, text);
  }

  private joined(): { complete: ReceivedMessage[]; incomplete: ReceivedPart[][] } {
    const complete: ReceivedMessage[] = [];
    const groups = new Map<string, ReceivedPart[]>();
    for (const part of this.parts) {
      if (!part.concat || part.concat.total <= 1) {
        complete.push({ from: part.from, to: part.to, text: part.text, parts: 1, at: part.at });
        continue;
      }
      const key = `${part.from}|${part.to}|${part.concat.ref}|${part.concat.total}`;
      const group = groups.get(key) ?? [];
      // A handset keeps one part per sequence number; a second copy of a part replaces the first.
      const existing = group.findIndex((p) => p.concat!.seq === part.concat!.seq);
      if (existing >= 0) group.splice(existing, 1);
      group.push(part);
      groups.set(key, group);
      if (group.length === part.concat.total) {
        group.sort((a, b) => a.concat!.seq - b.concat!.seq);
        complete.push({ from: part.from, to: part.to, text: group.map((p) => p.text).join(''), parts: group.length, at: part.at });
        groups.delete(key);
      }
    }
    return { complete, incomplete: [...groups.values()] };
  }
}
