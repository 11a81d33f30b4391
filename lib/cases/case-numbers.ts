import crypto from 'node:crypto';

/**
 * Case numbers from a coding rule per process (E8), e.g. "ZZ-{yyyy}-{seq:6}" → ZZ-2026-000123.
 * Tokens: {yyyy} {yy} {mm} {dd} (bureau time, UTC+8), {district} (the case's district code),
 * {key} (the process key, upper case) and {seq:N} (the counter, N digits). The counter runs per
 * rendered prefix, so a rule with {yyyy} starts again at 1 each year.
 */
export const DEFAULT_CODING_RULE = '{key}-{yyyy}-{seq:6}';
const TOKENS = /\{(yyyy|yy|mm|dd|district|key|seq(?::(\d{1,2}))?)\}/g;

export function codingRuleProblem(pattern: string): string | null {
  if (pattern.length > 64) return 'at most 64 characters';
  const seqs = [...pattern.matchAll(/\{seq(?::\d{1,2})?\}/g)].length;
  if (seqs !== 1) return 'must contain {seq} or {seq:N} exactly once';
  const unknown = pattern.replace(TOKENS, '').match(/\{[^}]*\}/);
  if (unknown) return `unknown token ${unknown[0]}`;
  if (!/^[A-Za-z0-9{}:_\-/]+$/.test(pattern)) return 'letters, digits, "-", "_", "/" and tokens only';
  return null;
}

function render(pattern: string, processKey: string, districtCode: string | null, now: Date, seq: number | null): string {
  const local = new Date(now.getTime() + 8 * 3600_000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return pattern.replace(TOKENS, (_m, token: string, width?: string) => {
    switch (token) {
      case 'yyyy':
        return String(local.getUTCFullYear());
      case 'yy':
        return pad(local.getUTCFullYear() % 100);
      case 'mm':
        return pad(local.getUTCMonth() + 1);
      case 'dd':
        return pad(local.getUTCDate());
      case 'district':
        return districtCode ?? '000000';
      case 'key':
        return processKey.toUpperCase();
      default:
        return seq === null ? '{seq}' : pad(seq, Number(width ?? 6));
    }
  });
}

/** Renders a pattern for other numbering (certificate and filing numbers); a null seq leaves "{seq}". */
export const renderCodingRule = render;

/** The code the public quotes with a case number to look its status up (E4). */
export function newCheckCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return Array.from(crypto.randomBytes(6), (b) => alphabet[b % alphabet.length]).join('');
}
