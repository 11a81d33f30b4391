import crypto from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/**
 * The administrators' second factor (docs/security.md "Second factor"): TOTP as RFC 6238 has it
 * (HMAC-SHA-1, 6 digits, 30-second steps — what every authenticator app speaks), and ten
 * single-use recovery codes. The secret is stored encrypted (lib/crypto/fields.ts, purpose
 * TOTP_SECRET_PURPOSE); a code is accepted one step either side of now for clock drift, and the
 * caller refuses a step it has already accepted (replay).
 */
export const TOTP_SECRET_PURPOSE = 'users.totp_secret';
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one. */
export const TOTP_WINDOW = 1;
export const TOTP_ISSUER = '物业监管平台';
export const RECOVERY_CODE_COUNT = 10;

const totpOf = (base32Secret: string, label = 'account') => new TOTP({ issuer: TOTP_ISSUER, label, secret: Secret.fromBase32(base32Secret), algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS });

/** A new random 160-bit secret (RFC 4226's recommended length), base32. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an authenticator app scans (as a QR code) to enrol. */
export function otpauthUri(base32Secret: string, username: string): string {
  return totpOf(base32Secret, username).toString();
}

/** The step (30-second slot since the epoch) an instant falls in. */
export function totpStep(at = Date.now()): number {
  return TOTP.counter({ period: TOTP_PERIOD_SECONDS, timestamp: at });
}

/** The code of a step (the current one by default). */
export function totpCode(base32Secret: string, step = totpStep()): string {
  return totpOf(base32Secret).generate({ timestamp: step * TOTP_PERIOD_SECONDS * 1000 });
}

/** The step a code belongs to when it is valid within the window around `at`; null otherwise. */
export function totpMatchingStep(base32Secret: string, code: string, at = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpOf(base32Secret).validate({ token: code, timestamp: at, window: TOTP_WINDOW });
  return delta === null ? null : totpStep(at) + delta;
}

/** Looks like a TOTP code (six digits) rather than a recovery code. */
export const isTotpCode = (code: string) => /^\d{6}$/.test(code.trim());

// Recovery codes: 10 characters of a 32-letter alphabet without look-alikes (no o, 1, l, i),
// shown as xxxxx-xxxxx; 10 × 5 = 50 random bits each, so a fast hash (SHA-256) suffices to store them.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz023456789';

export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const bytes = crypto.randomBytes(10);
    const chars = [...bytes].map((b) => ALPHABET[b % 32]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** What is stored of a recovery code: case, spaces and dashes do not matter when it is typed. */
export function recoveryCodeHash(code: string): string {
  return crypto.createHash('sha256').update(code.toLowerCase().replace(/[\s-]/g, '')).digest('hex');
}
