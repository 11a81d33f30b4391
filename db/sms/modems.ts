import type { Knex } from 'knex';
import type { ModemSnapshot } from '../../lib/sms/pool';

/**
 * Modem health (M5), table sms_modems: one row per modem (by IMEI), written by the SMS worker on
 * every status change and read by the SMS pages, /readyz and /metrics.
 */
export async function saveModemStatus(db: Knex, m: ModemSnapshot): Promise<void> {
  if (!m.imei) return;
  const row = {
    imei: m.imei,
    port: m.path.slice(0, 255),
    status: m.status,
    reason: m.reason?.slice(0, 255) ?? null,
    rssi: m.health?.rssi ?? null,
    registration: m.health?.registration ?? null,
    storage_used: m.health?.storageUsed ?? null,
    storage_total: m.health?.storageTotal ?? null,
    last_error: m.lastError?.slice(0, 255) ?? null,
    status_since: m.since,
    updated_at: new Date(),
  };
  await db('sms_modems').insert(row).onConflict('imei').merge();
}

export interface ModemRow {
  imei: string;
  port: string;
  status: string;
  reason: string | null;
  status_since: Date;
  updated_at: Date;
}

/** Every modem as last recorded, by port; `all` adds the signal and storage columns the SMS pages show. */
export async function listModems(db: Knex, opts: { all?: boolean } = {}): Promise<ModemRow[]> {
  const q = db('sms_modems').orderBy('port');
  return (opts.all ? q.select() : q.select('imei', 'port', 'status', 'reason', 'status_since', 'updated_at')) as Promise<ModemRow[]>;
}
