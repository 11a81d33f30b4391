import type { Knex } from 'knex';

/**
 * One page of a list, with a bounded total. Counting every row a list could show costs as much as
 * reading them all (a city-wide 已办 box holds hundreds of thousands), so totals are exact only up
 * to TOTAL_BOUND; past it the answer is "more than that" (`total: null`) and the UI pages on with
 * partial pagination (react-admin's pageInfo), knowing only whether a next page exists.
 */
export const TOTAL_BOUND = 1000;

export interface PageParams {
  sort: [string, 'ASC' | 'DESC'];
  offset: number;
  limit: number;
}

export interface Page<T> {
  rows: T[];
  /** Exact when at most TOTAL_BOUND rows match; null means more than that. */
  total: number | null;
  /** Whether rows follow this page (always known: the page reads one row more than it shows). */
  hasMore: boolean;
}

/**
 * Counts at most `bound + 1` rows of a filtered query: an index range read that stops early,
 * never a full count. Answers null when the bound is passed.
 */
export async function boundedCount(query: Knex.QueryBuilder, bound = TOTAL_BOUND): Promise<number | null> {
  const inner = query
    .clone()
    .clearSelect()
    .clearOrder()
    .select(query.client.raw('1 AS one'))
    .limit(bound + 1);
  const row = (await query.client.queryBuilder().count({ n: '*' }).from(inner.as('bounded')).first()) as { n: number | string } | undefined;
  const n = Number(row?.n ?? 0);
  return n > bound ? null : n;
}

/** The total a page implies without counting: exact when the page is the last one, else null. */
export function totalFromPage(offset: number, shown: number, hasMore: boolean): number | null {
  return hasMore || (shown === 0 && offset > 0) ? null : offset + shown;
}

/**
 * Runs the page (one row more than asked, to know whether another follows) and, unless the page
 * itself settles it, a bounded count. `columns` maps each sortable name to its SQL column; a
 * tie-breaker on the primary key keeps pages from overlapping.
 */
export async function pageOf<T>(query: Knex.QueryBuilder, params: PageParams, columns: Record<string, string>, idColumn: string): Promise<Page<T>> {
  const direction = params.sort[1].toLowerCase() as 'asc' | 'desc';
  const sortColumn = columns[params.sort[0]] ?? idColumn;
  const fetched = (await query
    .clone()
    .orderBy(sortColumn, direction)
    // The tie-breaker follows the sort's direction so one index serves both (…, id) in a single scan.
    .orderBy(idColumn, direction)
    .offset(params.offset)
    .limit(params.limit + 1)) as T[];
  const hasMore = fetched.length > params.limit;
  const rows = hasMore ? fetched.slice(0, params.limit) : fetched;
  const settled = totalFromPage(params.offset, rows.length, hasMore);
  if (settled !== null) return { rows, total: settled, hasMore };
  if (params.offset + params.limit > TOTAL_BOUND) return { rows, total: null, hasMore };
  return { rows, total: await boundedCount(query), hasMore };
}

/**
 * A page over the union of several indexed branches, each selecting `id` and the sort key `k`
 * (e.g. a district's cases, my cases, cases I take part in). Each branch is cut to what the page
 * can need (offset + limit + 1 rows, in index order), the union is sorted and cut once more, so
 * every branch stays an index range read instead of an OR no index can serve. Answers the ids in
 * page order; the caller loads the rows.
 */
export async function unionPage(
  db: Knex,
  branches: Knex.QueryBuilder[],
  params: { direction: 'asc' | 'desc'; offset: number; limit: number },
  opts: { count?: boolean } = {},
): Promise<{ ids: number[]; total: number | null; hasMore: boolean }> {
  if (!branches.length) return { ids: [], total: 0, hasMore: false };
  const { direction, offset, limit } = params;
  const cut = (b: Knex.QueryBuilder, n: number) => b.clone().orderBy('k', direction).orderBy('id', direction).limit(n);
  const union = (n: number) =>
    db.raw(
      branches.map(() => '(?)').join(' UNION '),
      branches.map((b) => cut(b, n)),
    );
  const fetched = (await db
    .select('u.id')
    .from(db.raw('(?) AS u', [union(offset + limit + 1)]))
    .orderBy('u.k', direction)
    .orderBy('u.id', direction)
    .offset(offset)
    .limit(limit + 1)) as Array<{ id: number }>;
  const hasMore = fetched.length > limit;
  const ids = fetched.slice(0, limit).map((r) => Number(r.id));
  let total = totalFromPage(offset, ids.length, hasMore);
  if (total === null && opts.count !== false && offset + limit <= TOTAL_BOUND) {
    // One branch past the bound settles it from its own index range; only small branches are unioned.
    for (const b of branches) if ((await boundedCount(b)) === null) return { ids, total: null, hasMore };
    // Union (not union all): a case reached by two reasons counts once.
    const row = (await db
      .count({ n: '*' })
      .from(db.raw('(?) AS u', [union(TOTAL_BOUND + 1)]))
      .first()) as { n: number | string } | undefined;
    const n = Number(row?.n ?? 0);
    total = n > TOTAL_BOUND ? null : n;
  }
  return { ids, total, hasMore };
}

/**
 * Every id a union of branches (each selecting `id` and the sort key `k`, as for `unionPage`)
 * answers, in sort order, `chunk` ids at a time and at most `max` in all: the walk an export
 * makes. Each chunk starts after the last (k, id) it answered, so every chunk is an index range
 * read of `chunk` rows however deep it is (an offset would re-read everything before it). A sort
 * key may be NULL (a task without a deadline): MySQL sorts NULL first ascending, last
 * descending, and the cursor follows that.
 */
export async function* unionKeyset(db: Knex, branches: Knex.QueryBuilder[], direction: 'asc' | 'desc', opts: { chunk: number; max: number; keyIsId?: boolean }): AsyncGenerator<number[]> {
  if (!branches.length) return;
  const past = direction === 'desc' ? '<' : '>';
  const seen = new Set<number>();
  let after: { k: unknown; id: number } | null = null;
  while (seen.size < opts.max) {
    const n = Math.min(opts.chunk, opts.max - seen.size);
    const cursor = after;
    const cut = (b: Knex.QueryBuilder) => {
      // The branch as a derived table MariaDB and MySQL merge into it: the cursor's condition
      // reaches the branch's own index.
      const q = db.select('b.id', 'b.k').from(b.clone().as('b'));
      // Sorted by the id itself: one column to order and cut by (ordering by k and id then,
      // the same column twice through the derived table, makes MariaDB sort the whole range).
      if (opts.keyIsId) {
        if (cursor) q.where('b.id', past, cursor.id);
        return q.orderBy('b.id', direction).limit(n);
      }
      if (cursor) {
        q.where((w) => {
          if (cursor.k === null) {
            w.where((same) => same.whereNull('b.k').where('b.id', past, cursor.id));
            if (direction === 'asc') w.orWhereNotNull('b.k');
          } else {
            w.where('b.k', past, cursor.k as Knex.Value).orWhere((same) => same.where('b.k', cursor.k as Knex.Value).where('b.id', past, cursor.id));
            if (direction === 'desc') w.orWhereNull('b.k');
          }
        });
      }
      return q.orderBy('b.k', direction).orderBy('b.id', direction).limit(n);
    };
    const rows = (await db
      .select('u.id', 'u.k')
      .from(db.raw(`(${branches.map(() => '(?)').join(' UNION ')}) AS u`, branches.map(cut)))
      .orderBy(opts.keyIsId ? 'u.id' : 'u.k', direction)
      .orderBy('u.id', direction)
      .limit(n)) as Array<{ id: number; k: unknown }>;
    if (!rows.length) return;
    const last = rows[rows.length - 1]!;
    after = { k: last.k, id: Number(last.id) };
    // A row two branches reach with the same key is one row of the union; one reached under
    // two keys (two candidate rows of a task) is answered once.
    const fresh = rows.map((r) => Number(r.id)).filter((id) => !seen.has(id) && (seen.add(id), true));
    if (fresh.length) yield fresh;
    if (rows.length < n) return;
  }
}
