import type { Knex } from 'knex';
import { getList, listUrl, type Session } from './http';
import { bareSql, viewerOf, type ListSpec } from './list-specs';
import { timeCalls } from './timing';

/** One line of the result: a list, as one user, in one variant, timed over HTTP and bare. */
export interface Row {
  list: string;
  user: string;
  variant: string;
  total: string;
  samples: number;
  p50: number;
  p95: number;
  bareP50: number;
  /** p50 of the user's trivial signed-in call (GET /api/auth/me): session check, express, HTTP. */
  floorP50: number;
  note?: string;
}

const DEEP = 5000;

/**
 * Times one list in its variants: the default page, a deep page (5,000 rows in, or the last
 * page when the list is shorter), the search box with the list's terms (a part of a title that
 * few rows hold, a case number's start) and with one that matches none.
 */
export async function measureList(db: Knex, base: string, session: Session, floorP50: number, spec: ListSpec): Promise<Row[]> {
  const viewer = await viewerOf(db, spec.user);
  const bare = spec.bare(viewer, db);
  const rows: Row[] = [];
  const line = { list: spec.list, user: spec.user, floorP50 };
  const run = async (variant: string, offset: number, term?: string) => {
    const url = listUrl(base, spec.path, { sort: spec.sort, range: [offset, offset + spec.perPage - 1], filter: term === undefined ? undefined : { [spec.searchKey]: term } });
    const first = await getList(session, url);
    if (first.status !== 200) {
      rows.push({ ...line, variant, total: `HTTP ${first.status}`, samples: 0, p50: NaN, p95: NaN, bareP50: NaN, note: first.error });
      return first;
    }
    const http = await timeCalls(() => getList(session, url));
    // The search clause is settled before timing: a hand-written query knows its index.
    const sql = bareSql(bare, bare.select, offset, spec.perPage, term === undefined ? undefined : await bare.search(db, term));
    const bareTiming = await timeCalls(() => db.raw(sql));
    rows.push({ ...line, variant, total: first.total, samples: http.samples.length, p50: http.p50, p95: http.p95, bareP50: bareTiming.p50 });
    return first;
  };
  const first = await run('default', 0);
  const total = Number(first.total);
  const deep = Number.isFinite(total) && total <= DEEP + spec.perPage ? Math.max(0, Math.floor((total - 1) / spec.perPage) * spec.perPage) : DEEP;
  await run(`deep [${deep}]`, deep);
  // The terms come from the list's third row (its first when it is shorter), so "a few" holds whatever the data.
  const [sample] = (await db.raw(bareSql(bare, spec.sampleColumns.map((c, i) => `${c} AS t${i}`).join(', '), 0, 3))) as [Array<Record<string, unknown>>];
  const from = sample[Math.min(2, sample.length - 1)];
  if (from) {
    for (const { label, term } of spec.terms(spec.sampleColumns.map((_, i) => String(from[`t${i}`])))) await run(`${label} "${term}"`, 0, term);
  }
  await run('q none', 0, spec.none);
  return rows;
}
