import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decryptField, encryptField, keyIdOf } from './fields';
import { generateKeyRingJson, parseKeyRing } from './keyring';
import { addKey, readRingFile, retireKey, writeRingFile } from './ring-file';

describe('key ring file', () => {
  it('adds a current key, keeps the old one for decryption, retires only a non-current key', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psp-ring-'));
    const file = path.join(dir, 'keys.json');
    writeRingFile(file, generateKeyRingJson('2026a'));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const before = parseKeyRing(readRingFile(file));
    const stored = encryptField('p', 'secret', before);

    writeRingFile(file, addKey(readRingFile(file), '2027a'));
    const after = parseKeyRing(readRingFile(file));
    expect(after.currentId).toBe('2027a');
    expect(decryptField('p', stored, after)).toBe('secret');
    expect(keyIdOf(encryptField('p', 'secret', after))).toBe('2027a');

    expect(() => addKey(readRingFile(file), '2027a')).toThrow(/already/);
    expect(() => retireKey(readRingFile(file), '2027a')).toThrow(/current/);
    const retired = retireKey(readRingFile(file), '2026a');
    expect(Object.keys(retired.keys)).toEqual(['2027a']);
    expect(() => decryptField('p', stored, parseKeyRing(retired))).toThrow(/not in the key ring/);
  });
});
