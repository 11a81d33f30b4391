import fs from 'node:fs';
import type { TLSConfig } from '@temporalio/client';

export interface TemporalTlsEnv {
  TEMPORAL_TLS?: string;
  TEMPORAL_TLS_CA?: string;
  TEMPORAL_TLS_CERT?: string;
  TEMPORAL_TLS_KEY?: string;
  TEMPORAL_TLS_SERVER_NAME?: string;
}

/**
 * TLS to Temporal's frontend (docs/deployment-security.md), the same for every connection the
 * platform makes (the API's client, the workers' native and client connections, the readiness
 * probe): off unless one of the variables is set; TEMPORAL_TLS_CA verifies a server whose
 * certificate comes from a private CA, TEMPORAL_TLS_CERT + TEMPORAL_TLS_KEY present a client
 * certificate (mTLS), TEMPORAL_TLS_SERVER_NAME is the name on the server's certificate when it is
 * not the host of TEMPORAL_ADDRESS; TEMPORAL_TLS=true alone uses the system's CAs. Read from the
 * environment here so no caller can forget it.
 */
export function temporalTls(env: TemporalTlsEnv = process.env): TLSConfig | undefined {
  const read = (name: 'TEMPORAL_TLS_CA' | 'TEMPORAL_TLS_CERT' | 'TEMPORAL_TLS_KEY') => {
    const file = env[name]?.trim();
    if (!file) return undefined;
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new Error(`${name}: cannot read ${file} (${(err as Error).message})`, { cause: err });
    }
  };
  const ca = read('TEMPORAL_TLS_CA');
  const crt = read('TEMPORAL_TLS_CERT');
  const key = read('TEMPORAL_TLS_KEY');
  const serverName = env.TEMPORAL_TLS_SERVER_NAME?.trim();
  if (Boolean(crt) !== Boolean(key)) throw new Error('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (a client certificate and its key)');
  if (!ca && !crt && !serverName && env.TEMPORAL_TLS !== 'true') return undefined;
  return {
    ...(ca ? { serverRootCACertificate: ca } : {}),
    ...(crt && key ? { clientCertPair: { crt, key } } : {}),
    ...(serverName ? { serverNameOverride: serverName } : {}),
  };
}
