import { blindIndex, decryptField, encryptField, isEncrypted, keyIdOf } from './fields';
import { generateKeyRingJson, loadKeyRing, parseKeyRing } from './keyring';

describe('field encryption', () => {
  const ring = parseKeyRing(generateKeyRingJson('k1'));

  it('round-trips, and two encryptions of one value differ', () => {
    const a = encryptField('staff.id_number', '320508199001011234', ring);
    const b = encryptField('staff.id_number', '320508199001011234', ring);
    expect(a).not.toBe(b);
    expect(isEncrypted(a)).toBe(true);
    expect(a).not.toContain('1234');
    expect(keyIdOf(a)).toBe('k1');
    expect(decryptField('staff.id_number', a, ring)).toBe('320508199001011234');
  });

  it('refuses a value moved to another column or edited', () => {
    const a = encryptField('staff.id_number', '13800001111', ring);
    expect(() => decryptField('staff.mobile', a, ring)).toThrow();
    const edited = a.slice(0, -2) + (a.endsWith('A') ? 'BB' : 'AA');
    expect(() => decryptField('staff.id_number', edited, ring)).toThrow();
  });

  it('decrypts under an older key after the current one changed', () => {
    const old = generateKeyRingJson('k1');
    const next = generateKeyRingJson('k2');
    const before = parseKeyRing(old);
    const after = parseKeyRing({ current: 'k2', keys: { ...old.keys, ...next.keys }, index: old.index });
    const stored = encryptField('p', 'x', before);
    expect(decryptField('p', stored, after)).toBe('x');
    expect(keyIdOf(encryptField('p', 'x', after))).toBe('k2');
    expect(blindIndex('p', 'x', before)).toBe(blindIndex('p', 'x', after));
  });

  it('gives equal blind indexes for equal values only, per purpose', () => {
    expect(blindIndex('a', '1', ring)).toBe(blindIndex('a', '1', ring));
    expect(blindIndex('a', '1', ring)).not.toBe(blindIndex('a', '2', ring));
    expect(blindIndex('a', '1', ring)).not.toBe(blindIndex('b', '1', ring));
  });

  it('refuses production without keys and a malformed ring', () => {
    expect(() => loadKeyRing({ NODE_ENV: 'production' })).toThrow(/DATA_KEYS_FILE/);
    expect(loadKeyRing({ NODE_ENV: 'development' }).development).toBe(true);
    expect(() => parseKeyRing({ current: 'x', keys: { y: Buffer.alloc(32).toString('base64') }, index: Buffer.alloc(32).toString('base64') })).toThrow(/current/);
    expect(() => parseKeyRing({ current: 'x', keys: { x: 'c2hvcnQ=' }, index: Buffer.alloc(32).toString('base64') })).toThrow(/32 bytes/);
  });
});
