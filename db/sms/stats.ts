import type { Knex } from 'knex';

/**
 * SMS traffic per modem and per day (M5), over `sms_messages`, `sms_inbound` and `sms_attempts`:
 * each measure is one GROUP BY over an indexed time column (sent_at, failed_at, delivered_at,
 * received_at, and (modem_imei, finished_at) for failed attempts), read within [start, end).
 */
export const TRAFFIC_MEASURES = ['sent', 'failed', 'delivered', 'inbound', 'failed_attempts'] as const;
export type TrafficRow = { day: string; modem_imei: string } & Record<(typeof TRAFFIC_MEASURES)[number], number>;

// Days are Beijing time: the bureau's working day, whatever the database server's zone.
const DAY = (column: string) => `DATE(CONVERT_TZ(${column}, '+00:00', '+08:00'))`;

/** Rows newest day first, then by modem; a modem with no traffic on a day has no row. */
export async function trafficByModemAndDay(db: Knex, start: Date, end: Date): Promise<TrafficRow[]> {
  const part = (table: string, column: string, measure: string) =>
    db(table)
      .where(column, '>=', start)
      .where(column, '<', end)
      .groupByRaw('1, 2')
      .select(db.raw(`${DAY(column)} AS day`), db.raw(`COALESCE(modem_imei, '') AS modem_imei`), db.raw(`COUNT(*) AS ${measure}`));
  const pieces = [
    part('sms_messages', 'sent_at', 'sent'),
    part('sms_messages', 'failed_at', 'failed'),
    part('sms_messages', 'delivered_at', 'delivered'),
    part('sms_inbound', 'received_at', 'inbound'),
    part('sms_attempts', 'finished_at', 'failed_attempts').where('status', 'failed'),
  ];
  const rows = new Map<string, TrafficRow>();
  for (const [i, piece] of pieces.entries()) {
    const measure = TRAFFIC_MEASURES[i];
    for (const r of (await piece) as Array<{ day: Date | string; modem_imei: string } & Record<string, number | string>>) {
      const day = r.day instanceof Date ? r.day.toISOString().slice(0, 10) : String(r.day).slice(0, 10);
      const key = `${day}|${r.modem_imei}`;
      const row = rows.get(key) ?? ({ day, modem_imei: r.modem_imei, ...Object.fromEntries(TRAFFIC_MEASURES.map((m) => [m, 0])) } as TrafficRow);
      row[measure] = Number(r[measure]);
      rows.set(key, row);
    }
  }
  return [...rows.values()].sort((a, b) => (a.day === b.day ? a.modem_imei.localeCompare(b.modem_imei) : b.day.localeCompare(a.day)));
}

/**
 * Messages sent and failed per modem since the beginning (the /metrics counters), each a
 * grouped read of one index: (modem_imei, sent_at) and the failed_at index.
 */
export async function outcomesByModem(db: Knex): Promise<{ sent: Array<{ modem_imei: string | null; n: number | string }>; failed: Array<{ modem_imei: string | null; n: number | string }> }> {
  const [sent, failed] = await Promise.all([
    db('sms_messages').whereNotNull('sent_at').groupBy('modem_imei').select('modem_imei', db.raw('COUNT(*) AS n')),
    db('sms_messages').whereNotNull('failed_at').groupBy('modem_imei').select('modem_imei', db.raw('COUNT(*) AS n')),
  ]);
  return { sent: sent as Array<{ modem_imei: string | null; n: number | string }>, failed: failed as Array<{ modem_imei: string | null; n: number | string }> };
}
