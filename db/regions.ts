import type { Knex } from 'knex';

/**
 * The place hierarchy (`regions`: city → district → street → community), public reference data
 * that every form's pickers read and every placement is checked against. Small (a city has a
 * few thousand places) and read by (parent_code, sort), so its list needs no paging.
 */
type Db = Knex | Knex.Transaction;

export type RegionLevel = 'city' | 'district' | 'street' | 'community';

export interface RegionRow {
  code: string;
  name: string;
  level: RegionLevel;
  parent_code: string | null;
}

export async function listRegions(db: Db, filter: { parent_code?: string; level?: RegionLevel }): Promise<RegionRow[]> {
  const q = db('regions').select('code', 'name', 'level', 'parent_code').orderBy(['level', 'parent_code', 'sort']);
  if (filter.parent_code) q.where('parent_code', filter.parent_code);
  if (filter.level) q.where('level', filter.level);
  return (await q) as RegionRow[];
}

/** Whether a code names a place of that level (and, when given, under that parent). */
export async function regionExists(db: Db, code: string, level: RegionLevel, parentCode?: string | null): Promise<boolean> {
  const q = db('regions').where({ code, level });
  if (parentCode !== undefined) q.where('parent_code', parentCode);
  return Boolean(await q.first('code'));
}

/** The parent of a place (null for the city, undefined for an unknown code). */
export async function regionParent(db: Db, code: string): Promise<string | null | undefined> {
  const row = (await db('regions').where('code', code).first('parent_code')) as { parent_code: string | null } | undefined;
  return row ? row.parent_code : undefined;
}

/** code → name of the given places (an export's district column); unknown codes are left out. */
export async function regionNames(db: Db, codes: Iterable<string>): Promise<Map<string, string>> {
  const wanted = [...new Set(codes)];
  if (!wanted.length) return new Map();
  const rows = (await db('regions').whereIn('code', wanted).select('code', 'name')) as Array<{ code: string; name: string }>;
  return new Map(rows.map((r) => [r.code, r.name]));
}
