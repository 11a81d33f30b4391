import argon2 from 'argon2';

/** argon2id with the library's defaults (64 MiB, t=3): OWASP's recommended password hash. */
export function hashPassword(plain: string): Promise<string> {
  return argon2.hash(plain, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, plain: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, plain);
  } catch {
    return false; // a malformed hash is a failed sign-in, not a crash
  }
}

/** The password policy: at least 8 characters with letters and digits. */
export function passwordProblem(plain: string): string | null {
  if (plain.length < 8) return 'must be at least 8 characters';
  if (plain.length > 128) return 'must be at most 128 characters';
  if (!/[A-Za-z]/.test(plain) || !/[0-9]/.test(plain)) return 'must contain letters and digits';
  return null;
}
