/**
 * One spelling per phone number, so that a reply from "+8613800000001" finds the topic sent to
 * "13800000001": separators dropped, the China country code removed from mobile numbers.
 */
export function normalisePhone(raw: string): string {
  const digits = raw.trim().replace(/[\s()-]/g, '');
  const mobile = /^(?:\+86|0086|86)?(1[3-9]\d{9})$/.exec(digits);
  if (mobile) return mobile[1];
  return digits;
}

/** Numbers the platform sends to: mainland mobiles, or international numbers written with "+". */
export const PHONE_PATTERN = /^(?:\+?\d{5,20})$/;

export function isSendablePhone(raw: string): boolean {
  return PHONE_PATTERN.test(raw.trim().replace(/[\s()-]/g, ''));
}

/**
 * What a typed phone search means: the start of a normalised number, so "+86 138", "0086138"
 * and "138" find the same messages (a whole number is normalised like a stored one).
 */
export function phoneSearchPrefix(typed: string): string {
  const digits = typed.trim().replace(/[\s()-]/g, '');
  const whole = normalisePhone(digits);
  return whole !== digits ? whole : digits.replace(/^(?:\+86|0086)/, '');
}
