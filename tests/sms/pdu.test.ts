import {
  buildDeliverPdus,
  buildStatusReportPdu,
  buildSubmitPdus,
  decodeDeliver,
  decodeGsm7,
  decodeStatusReport,
  decodeSubmit,
  decodeTimestamp,
  encodeGsm7,
  encodeTimestamp,
  packSeptets,
  planMessage,
  tpduLengthOf,
  unpackSeptets,
} from '../../lib/sms/pdu';

/**
 * The codec against published vectors (the classic "hellohello" examples of GSM 03.40 tutorials)
 * and against an independent bit-string packer, so that the driver and the simulator, which share
 * this codec, cannot agree on a wrong encoding.
 */
function naivePack(septets: number[], fillBits: number): string {
  // Bits LSB-first per septet, then cut into octets read LSB-first.
  let bits = '0'.repeat(fillBits);
  for (const s of septets) for (let i = 0; i < 7; i++) bits += (s >> i) & 1 ? '1' : '0';
  while (bits.length % 8) bits += '0';
  let hex = '';
  for (let i = 0; i < bits.length; i += 8) {
    const octet = bits
      .slice(i, i + 8)
      .split('')
      .reverse()
      .join('');
    hex += parseInt(octet, 2).toString(16).padStart(2, '0');
  }
  return hex.toUpperCase();
}

describe('GSM 7-bit packing', () => {
  it('packs "hellohello" as the published example', () => {
    expect(packSeptets(encodeGsm7('hellohello')).toString('hex').toUpperCase()).toBe('E8329BFD4697D9EC37');
  });

  it('agrees with a bit-string packer for every fill and length, and unpacks back', () => {
    const text = 'Abc{}€[~]|^\\ @£$¥ 0123456789 ÄÖÑÜ§¿äöñüà';
    const septets = encodeGsm7(text);
    for (let fill = 0; fill < 7; fill++) {
      for (let n = 1; n <= septets.length; n += 3) {
        const slice = septets.slice(0, n);
        expect(packSeptets(slice, fill).toString('hex').toUpperCase()).toBe(naivePack(slice, fill));
        expect(unpackSeptets(packSeptets(slice, fill), slice.length, fill)).toEqual(slice);
      }
    }
    expect(decodeGsm7(septets)).toBe(text);
  });

  it('encodes extension characters as escape + code', () => {
    expect(encodeGsm7('€')).toEqual([0x1b, 0x65]);
    expect(encodeGsm7('{')).toEqual([0x1b, 0x28]);
  });
});

describe('SMS-SUBMIT', () => {
  it('decodes the published SUBMIT example', () => {
    const decoded = decodeSubmit('0011000B916407281553F80000AA0AE8329BFD4697D9EC37');
    expect(decoded).toMatchObject({ to: '+46708251358', text: 'hellohello', encoding: 'gsm7', statusReportRequested: false });
  });

  it('builds a plain GSM message with a status report request', () => {
    const [pdu, ...rest] = buildSubmitPdus('+8613800138000', 'hellohello');
    expect(rest).toHaveLength(0);
    // 00 SCA | 31 first octet (SUBMIT, VPF relative, SRR) | 00 MR | 0D 91 683108108300F0 | 00 PID | 00 DCS | A7 VP 24h | 0A UDL
    expect(pdu.hex).toBe('0031000D91683108108300F00000A70AE8329BFD4697D9EC37');
    expect(pdu.tpduLength).toBe(tpduLengthOf(pdu.hex));
    expect(pdu.tpduLength).toBe(pdu.hex.length / 2 - 1);
  });

  it('encodes Chinese as UCS2', () => {
    const [pdu] = buildSubmitPdus('13800138000', '中文');
    expect(pdu.encoding).toBe('ucs2');
    expect(pdu.hex).toBe('0031000B813108108300F00008A7044E2D6587');
    expect(decodeSubmit(pdu.hex)).toMatchObject({ to: '13800138000', text: '中文', encoding: 'ucs2' });
  });

  it('splits a long Chinese message into 67-character parts with a concatenation header', () => {
    const text = '苏州市住房和城乡建设局提醒：'.repeat(11); // 154 characters
    const pdus = buildSubmitPdus('13800138000', text, { concatRef: 0x2a });
    expect(pdus.map((p) => p.partCount)).toEqual([3, 3, 3]);
    const decoded = pdus.map((p) => decodeSubmit(p.hex));
    expect(decoded.map((d) => d.concat)).toEqual([
      { ref: 0x2a, total: 3, seq: 1 },
      { ref: 0x2a, total: 3, seq: 2 },
      { ref: 0x2a, total: 3, seq: 3 },
    ]);
    expect(decoded.map((d) => d.text.length)).toEqual([67, 67, 20]);
    expect(decoded.map((d) => d.text).join('')).toBe(text);
    // Header: UDHL 05, IEI 00, length 03, ref, total, seq; first octet has UDHI (0x71).
    expect(pdus[0].hex.slice(2, 4)).toBe('71');
    expect(pdus[1].hex).toContain('0500032A0302');
  });

  it('splits GSM text at 153 septets with the fill bit, never between an escape and its character', () => {
    const text = 'a'.repeat(152) + '€' + 'b'.repeat(20);
    const pdus = buildSubmitPdus('+8613800138000', text, { concatRef: 7 });
    expect(pdus).toHaveLength(2);
    const decoded = pdus.map((p) => decodeSubmit(p.hex));
    expect(decoded[0].text).toBe('a'.repeat(152));
    expect(decoded[1].text).toBe('€' + 'b'.repeat(20));
    // The first part's user data, checked against the independent packer: header then 1 fill bit.
    const ud = pdus[0].hex.slice(-2 * (6 + Math.ceil((1 + 152 * 7) / 8)));
    expect(ud).toBe('050003070201' + naivePack(encodeGsm7('a'.repeat(152)), 1));
  });

  it('keeps a single part up to the limit and never splits a surrogate pair', () => {
    expect(planMessage('a'.repeat(160)).parts).toHaveLength(1);
    expect(planMessage('a'.repeat(161)).parts).toHaveLength(2);
    expect(planMessage('中'.repeat(70)).parts).toHaveLength(1);
    const withEmoji = '中'.repeat(66) + '😀' + '文'.repeat(5);
    const parts = planMessage(withEmoji).parts;
    expect(parts[0]).toBe('中'.repeat(66));
    expect(parts.join('')).toBe(withEmoji);
  });
});

describe('SMS-DELIVER', () => {
  it('decodes the published DELIVER example', () => {
    const d = decodeDeliver('07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37');
    expect(d.serviceCentre).toBe('+27381000015');
    expect(d.from).toBe('27838890001');
    expect(d.text).toBe('hellohello');
    // 99-03-29 15:16:59 at +2 hours (8 quarters).
    expect(d.sentAt.toISOString()).toBe('2099-03-29T13:16:59.000Z');
  });

  it('round-trips a multi-part Chinese reply from a phone', () => {
    const text = '同意。'.repeat(30);
    const pdus = buildDeliverPdus('+8613900000001', text, { serviceCentre: '+8613800512500', concatRef: 9, sentAt: new Date('2026-05-01T02:03:04Z') });
    const parts = pdus.map(decodeDeliver);
    expect(parts.map((p) => p.concat?.seq)).toEqual([1, 2]);
    expect(parts.map((p) => p.text).join('')).toBe(text);
    expect(parts[0]).toMatchObject({ from: '+8613900000001', serviceCentre: '+8613800512500' });
    expect(parts[0].sentAt.toISOString()).toBe('2026-05-01T02:03:04.000Z');
  });
});

describe('SMS-STATUS-REPORT and time stamps', () => {
  it('round-trips a report and classifies its status', () => {
    const at = new Date('2026-03-02T10:20:30Z');
    const hex = buildStatusReportPdu({ mr: 200, recipient: '+8613800138000', status: 0x00, serviceCentreAt: at, dischargedAt: at });
    expect(decodeStatusReport(hex)).toEqual({ mr: 200, recipient: '+8613800138000', serviceCentreAt: at, dischargedAt: at, status: 0, outcome: 'delivered' });
    const failed = buildStatusReportPdu({ mr: 1, recipient: '13800138000', status: 0x41, serviceCentreAt: at, dischargedAt: at });
    expect(decodeStatusReport(failed).outcome).toBe('failed');
    const pending = buildStatusReportPdu({ mr: 1, recipient: '13800138000', status: 0x20, serviceCentreAt: at, dischargedAt: at });
    expect(decodeStatusReport(pending).outcome).toBe('pending');
  });

  it('writes China time with a +32 quarter-hour zone and negative zones with the sign bit', () => {
    const at = new Date('2026-12-31T20:00:05Z');
    expect(encodeTimestamp(at).toString('hex')).toBe('72101040005023');
    expect(decodeTimestamp(encodeTimestamp(at), 0)).toEqual(at);
    expect(decodeTimestamp(encodeTimestamp(at, -20), 0)).toEqual(at);
  });

  it('rejects PDUs of the wrong kind', () => {
    const [submit] = buildSubmitPdus('10086', 'hi');
    expect(() => decodeDeliver(submit.hex)).toThrow(/not an SMS-DELIVER/);
    expect(() => decodeStatusReport(submit.hex)).toThrow(/not an SMS-STATUS-REPORT/);
    expect(() => decodeSubmit('0')).toThrow(/hex/);
  });
});
