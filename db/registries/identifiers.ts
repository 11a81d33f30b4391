/**
 * The national identifiers the registries are keyed by, with their check characters, so that a
 * mistyped code is rejected at entry instead of creating a second "unique" enterprise or person.
 */

/** Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters, the last a mod-31 check. */
const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARS.indexOf(first17[i]) * USCC_WEIGHTS[i];
  return USCC_CHARS[(31 - (sum % 31)) % 31];
}

export function creditCodeProblem(code: string): string | null {
  if (!/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(code)) return 'must be an 18-character unified social credit code';
  return creditCodeCheckChar(code.slice(0, 17)) === code[17] ? null : 'check character does not match';
}

/** Resident identity card number (GB 11643-1999): 17 digits and a mod-11 check character. */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

export function idNumberCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11];
}

export function idNumberProblem(id: string): string | null {
  if (!/^\d{17}[\dX]$/.test(id)) return 'must be an 18-character ID card number';
  const birth = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  const d = new Date(`${birth}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== birth) return 'contains no valid birth date';
  return idNumberCheckChar(id.slice(0, 17)) === id[17] ? null : 'check character does not match';
}
