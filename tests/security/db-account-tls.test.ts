import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb, databaseTls } from '../../db/connection';
import { temporalTls } from '../../lib/temporal/tls';
import { testDatabaseUrl } from '../helpers/db';

/**
 * TLS options of the database and Temporal connections (docs/deployment-security.md). The test
 * MariaDB has TLS disabled, which is what proves the option is real: with TLS asked for, mysql2
 * refuses to talk to it in clear instead of silently falling back.
 */
describe('TLS to MySQL and Temporal', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psp-tls-'));
  const pem = (name: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `-----BEGIN ${name}-----\nAAAA\n-----END ${name}-----\n`);
    return file;
  };
  const ca = pem('CA');
  const cert = pem('CERT');
  const key = pem('KEY');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('maps ?ssl and DATABASE_TLS_* to verified mysql2 ssl options', () => {
    const url = (q = '') => new URL(`mysql://u:p@db.internal:3306/propsvc${q}`);
    expect(databaseTls(url(), {})).toBeUndefined();
    expect(databaseTls(url('?ssl=true'), {})).toEqual({ rejectUnauthorized: true });
    expect(databaseTls(url(), { DATABASE_TLS_CA: ca })).toEqual({ ca: fs.readFileSync(ca, 'utf8'), rejectUnauthorized: true });
    expect(databaseTls(url(), { DATABASE_TLS_CA: ca, DATABASE_TLS_CERT: cert, DATABASE_TLS_KEY: key })).toMatchObject({ cert: expect.stringContaining('CERT'), key: expect.stringContaining('KEY') });
    expect(databaseTls(url('?ssl=false'), { DATABASE_TLS_CA: ca })).toBeUndefined();
    expect(() => databaseTls(url('?ssl=maybe'), {})).toThrow(/ssl=maybe/);
    expect(() => databaseTls(url(), { DATABASE_TLS_CERT: cert })).toThrow(/go together/);
    expect(() => databaseTls(url(), { DATABASE_TLS_CA: path.join(dir, 'missing.pem') })).toThrow(/DATABASE_TLS_CA: cannot read/);
  });

  it('asks the server for TLS and refuses a server that cannot give it', async () => {
    const plain = createDb(new URL('/', testDatabaseUrl()).toString(), { min: 0, max: 1 });
    const tls = createDb(`${new URL('/', testDatabaseUrl()).toString()}?ssl=true`, { min: 0, max: 1 });
    try {
      await expect(plain.raw('SELECT 1')).resolves.toBeDefined();
      await expect(tls.raw('SELECT 1')).rejects.toThrow(/secure connection|SSL|TLS/i);
    } finally {
      await plain.destroy();
      await tls.destroy();
    }
  });

  it('maps TEMPORAL_TLS_* to the SDK’s TLS options', () => {
    expect(temporalTls({})).toBeUndefined();
    expect(temporalTls({ TEMPORAL_TLS: 'true' })).toEqual({});
    const full = temporalTls({ TEMPORAL_TLS_CA: ca, TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key, TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' });
    expect(full).toEqual({ serverRootCACertificate: fs.readFileSync(ca), clientCertPair: { crt: fs.readFileSync(cert), key: fs.readFileSync(key) }, serverNameOverride: 'temporal.internal' });
    expect(() => temporalTls({ TEMPORAL_TLS_KEY: key })).toThrow(/go together/);
  });
});
