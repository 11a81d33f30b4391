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

let dummyHash: Promise<string> | null = null;

/**
 * Spends the same time as a real verification, for a sign-in whose account does not exist or is
 * disabled: without it an unknown name answers in milliseconds and a known one in a few hundred,
 * which tells an attacker which usernames exist.
 */
export async function verifyAgainstDummy(plain: string): Promise<false> {
  dummyHash ??= hashPassword(`dummy-${Math.random()}`);
  await verifyPassword(await dummyHash, plain);
  return false;
}

export { passwordProblem } from './password-policy';
