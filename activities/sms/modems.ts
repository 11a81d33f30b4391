import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { slotsHeldByOpenAttempts } from '../../db/sms/journal';
import { STAT } from '../../lib/sms/modem';
import type { ModemPool } from '../../lib/sms/pool';

/**
 * The start-up tidy-up of the SIMs' stored messages (modem health rows: db/sms/modems.ts).
 *
 * Deletes stored submits that no open attempt refers to: copies left by a worker that died after
 * AT+CMGW, or whose delete failed. Copies that an open attempt refers to are the only record of
 * whether a part left, so they stay until that attempt settles them. Runs before the worker
 * takes activities, when nothing else is sending.
 */
export async function reconcileSimStorage(db: Knex, pool: ModemPool, log: Logger): Promise<number> {
  let removed = 0;
  for (const snapshot of pool.snapshot()) {
    if (snapshot.status !== 'ready' || !snapshot.imei) continue;
    const modem = pool.modemByImei(snapshot.imei)!;
    try {
      const referenced = new Set(await slotsHeldByOpenAttempts(db, snapshot.imei));
      for (const entry of await modem.list()) {
        if ((entry.stat === STAT.stoUnsent || entry.stat === STAT.stoSent) && !referenced.has(entry.index)) {
          await modem.delete(entry.index);
          removed++;
        }
      }
    } catch (err) {
      log.warn({ err, imei: snapshot.imei }, 'could not tidy the SIM storage; will try at the next start');
    }
  }
  if (removed) log.info({ removed }, 'removed stored copies no attempt refers to');
  return removed;
}
