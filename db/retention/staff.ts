import { columnsOf, type Db } from './common';
import { recordAnonymisation, redactRegistryHistory } from './registry-history';

/**
 * Enterprise staff who left (enterprise_staff, D3): once a person has been inactive for the
 * retention period, the row stays (credit events and trainings refer to it, and the counts per
 * enterprise stay right) but names nobody: the name becomes 已离职人员#<id>, and every column
 * that identifies the person — ID number, mobile, certificate number, and any encrypted copy or
 * blind index of them another migration adds (their names start with the same words) — is
 * cleared. Role, title, certificate type and dates stay: they are not about who the person is.
 */
export const STAFF_PSEUDONYM = '已离职人员#';

/** Columns that identify a person: the plain ones and their encrypted / blind-index companions. */
const PERSONAL = /^(id_number|mobile|certificate_no)(_|$)/;

/** The person left (left_on), or, without a date, was last changed as inactive before `beforeDate`. */
export async function staffPastRetention(db: Db, beforeDate: string, limit: number): Promise<number[]> {
  return (await db('enterprise_staff')
    .where('active', 0)
    .whereNull('anonymised_at')
    .where((w) => w.where('left_on', '<', beforeDate).orWhere((n) => n.whereNull('left_on').where('updated_at', '<', beforeDate)))
    .orderBy('id')
    .limit(limit)
    .pluck('id')) as number[];
}

/**
 * Anonymises these rows (only those still inactive and not yet anonymised) and their history.
 * A NOT NULL identifying column gets "#<id>": unique per row, as (enterprise_id, id_number) must be.
 */
export async function anonymiseStaff(trx: Db, ids: number[], by: string): Promise<number> {
  if (ids.length === 0) return 0;
  const columns = await columnsOf(trx, 'enterprise_staff');
  const personal = [...columns.keys()].filter((c) => PERSONAL.test(c));
  const set: Record<string, unknown> = { name: trx.raw('CONCAT(?, id)', [STAFF_PSEUDONYM]), anonymised_at: trx.fn.now(3) };
  for (const c of personal) set[c] = columns.get(c)!.nullable ? null : trx.raw("CONCAT('#', id)");
  const due = (await trx('enterprise_staff').whereIn('id', ids).where('active', 0).whereNull('anonymised_at').forUpdate().pluck('id')) as number[];
  if (due.length === 0) return 0;
  await trx('enterprise_staff').whereIn('id', due).update(set);
  const fields = ['name', ...personal];
  for (const id of due) {
    await redactRegistryHistory(trx, 'staff', id, (s) => ({ ...s, ...Object.fromEntries(fields.filter((f) => f in s).map((f) => [f, f === 'name' ? `${STAFF_PSEUDONYM}${id}` : null])) }));
    await recordAnonymisation(trx, 'staff', id, fields, by);
  }
  return due.length;
}
