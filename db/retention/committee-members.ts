import { columnsOf, type Db } from './common';
import { recordAnonymisation, redactRegistryHistory } from './registry-history';

/**
 * Members of owners' committees (committee_members, D4) whose term is over: once the committee's
 * term ended (term_ends_on), or it was dissolved, longer ago than the retention period, a
 * member's name becomes 原委员#<id> and phone, birth year and political status are cleared. The
 * position stays, so the committee's record still shows how it was composed. The committee's
 * history snapshots (which list members without row ids) are redacted by name and phone.
 */
export const MEMBER_PSEUDONYM = '原委员#';

const OPTIONAL_PERSONAL = ['phone', 'birth_year', 'political_status'];

export async function membersPastRetention(db: Db, beforeDate: string, limit: number): Promise<number[]> {
  return (await db('committee_members as m')
    .join('owners_committees as c', 'c.id', 'm.committee_id')
    .whereNull('m.anonymised_at')
    .where((w) => w.where('c.term_ends_on', '<', beforeDate).orWhere((d) => d.where('c.status', 'dissolved').where('c.updated_at', '<', beforeDate)))
    .orderBy('m.id')
    .limit(limit)
    .pluck('m.id')) as number[];
}

export async function anonymiseMembers(trx: Db, ids: number[], by: string): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = (await trx('committee_members').whereIn('id', ids).whereNull('anonymised_at').forUpdate().select('id', 'committee_id', 'name', 'phone')) as Array<{ id: number; committee_id: number; name: string; phone: string | null }>;
  if (rows.length === 0) return 0;
  // birth_year and political_status may be dropped by a later migration (they are optional).
  const columns = await columnsOf(trx, 'committee_members');
  const cleared = Object.fromEntries(OPTIONAL_PERSONAL.filter((c) => columns.has(c)).map((c) => [c, null]));
  await trx('committee_members')
    .whereIn(
      'id',
      rows.map((r) => r.id),
    )
    .update({ name: trx.raw('CONCAT(?, id)', [MEMBER_PSEUDONYM]), ...cleared, anonymised_at: trx.fn.now(3) });
  const byCommittee = new Map<number, typeof rows>();
  for (const r of rows) byCommittee.set(r.committee_id, [...(byCommittee.get(r.committee_id) ?? []), r]);
  for (const [committeeId, members] of byCommittee) {
    await redactRegistryHistory(trx, 'committee', committeeId, (s) => {
      if (!Array.isArray(s.members)) return s;
      return {
        ...s,
        members: (s.members as Array<Record<string, unknown>>).map((m) => {
          const hit = members.find((r) => r.name === m.name && (r.phone ?? null) === (m.phone ?? null));
          return hit ? { ...m, name: `${MEMBER_PSEUDONYM}${hit.id}`, ...Object.fromEntries(OPTIONAL_PERSONAL.filter((c) => c in m).map((c) => [c, null])) } : m;
        }),
      };
    });
    await recordAnonymisation(trx, 'committee', committeeId, ['members'], by);
  }
  return rows.length;
}
