import { hashPassword, passwordProblem, verifyAgainstDummy, verifyPassword } from './passwords';

describe('passwords', () => {
  it('hashes with argon2id and verifies', async () => {
    const hash = await hashPassword('Secret123');
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(hash, 'Secret123')).toBe(true);
    expect(await verifyPassword(hash, 'secret123')).toBe(false);
  });

  it('treats a malformed stored hash as a failed check, not a crash', async () => {
    expect(await verifyPassword('not-a-hash', 'x')).toBe(false);
  });

  it('verifies against a dummy hash in about the time of a real one', async () => {
    const hash = await hashPassword('Secret123');
    await verifyAgainstDummy('warm-up');
    let t = process.hrtime.bigint();
    await verifyPassword(hash, 'wrong');
    const real = Number(process.hrtime.bigint() - t);
    t = process.hrtime.bigint();
    expect(await verifyAgainstDummy('wrong')).toBe(false);
    const dummy = Number(process.hrtime.bigint() - t);
    // Same algorithm and cost: within a factor of a few, never milliseconds against hundreds.
    expect(dummy).toBeGreaterThan(real / 5);
  });

  it('refuses short, common and name-based passwords, accepts strong ones', () => {
    expect(passwordProblem('Ab1')).toMatch(/at least 10/);
    expect(passwordProblem('Password1')).toMatch(/at least 10/);
    expect(passwordProblem('Password123')).toMatch(/too easy to guess/);
    expect(passwordProblem('qwertyuiop12')).toMatch(/too easy to guess/);
    expect(passwordProblem('dongwu.ent2026!', ['dongwu.ent'])).toMatch(/username/);
    expect(passwordProblem('Gusu#Qiao-2027')).toBeNull();
    expect(passwordProblem('correct horse battery')).toBeNull();
  });
});
