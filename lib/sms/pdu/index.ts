// The SMS PDU codec: GSM 7-bit / UCS2 text, concatenation headers, SUBMIT / DELIVER / STATUS-REPORT.
export { isGsm7, encodeGsm7, decodeGsm7, packSeptets, unpackSeptets } from './gsm7';
export { encodeAddress, decodeAddress, encodeAlphanumericAddress, encodeTimestamp, decodeTimestamp } from './semi-octets';
export { encodingOfDcs, ucs2Encode, ucs2Decode, type Encoding, type Concatenation, type UserData } from './user-data';
export { planMessage, LIMITS, MAX_PARTS, type MessagePlan } from './split';
export {
  buildSubmitPdus,
  decodeSubmit,
  decodeDeliver,
  buildDeliverPdus,
  decodeStatusReport,
  buildStatusReportPdu,
  reportOutcome,
  encodeValidity,
  tpduLengthOf,
  type SubmitPdu,
  type DecodedSubmit,
  type DecodedDeliver,
  type DecodedStatusReport,
  type ReportOutcome,
} from './tpdu';
