import type { Knex } from 'knex';
import { z } from 'zod';

/**
 * react-admin's simple-rest list parameters: `sort=["field","ASC"]`, `range=[0,24]`,
 * `filter={"q":"…"}`, each a JSON string in the query. Sorting is limited to whitelisted
 * columns and pages to 500 rows, so a list is always one indexed, bounded SQL query.
 */
export const MAX_PAGE = 500;

const jsonString = <T extends z.ZodType>(inner: T, name: string) =>
  z
    .string()
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `${name} must be JSON` });
        return z.NEVER;
      }
    })
    .pipe(inner);

export function listQuery<S extends readonly [string, ...string[]], F extends z.ZodRawShape>(opts: {
  sortable: S;
  defaultSort: [S[number], 'ASC' | 'DESC'];
  filter: z.ZodObject<F>;
}) {
  const sort = z.tuple([z.enum(opts.sortable), z.enum(['ASC', 'DESC', 'asc', 'desc'])]);
  const range = z
    .tuple([z.number().int().min(0), z.number().int().min(0)])
    .refine(([a, b]) => b >= a, 'range end must not be before its start')
    .refine(([a, b]) => b - a < MAX_PAGE, `at most ${MAX_PAGE} rows per page`);
  return z.object({
    sort: jsonString(sort, 'sort').optional(),
    range: jsonString(range, 'range').optional(),
    filter: jsonString(opts.filter.strict(), 'filter').optional(),
  }).transform((q) => ({
    sort: (q.sort ? [q.sort[0], q.sort[1].toUpperCase()] : opts.defaultSort) as [S[number], 'ASC' | 'DESC'],
    offset: q.range ? q.range[0] : 0,
    limit: q.range ? q.range[1] - q.range[0] + 1 : 25,
    filter: (q.filter ?? {}) as z.output<z.ZodObject<F>>,
  }));
}

export interface ListParams {
  sort: [string, 'ASC' | 'DESC'];
  offset: number;
  limit: number;
}

/**
 * Runs the count and the page of a filtered query. `columns` maps each sortable name to its SQL
 * column; a stable tie-breaker on the primary key keeps pages from overlapping.
 */
export async function pageOf<T>(
  query: Knex.QueryBuilder,
  params: ListParams,
  columns: Record<string, string>,
  idColumn: string,
): Promise<{ rows: T[]; total: number }> {
  const countRow = (await query.clone().clearSelect().clearOrder().count({ total: '*' }).first()) as { total: number | string } | undefined;
  const rows = (await query
    .clone()
    .orderBy(columns[params.sort[0]] ?? idColumn, params.sort[1].toLowerCase() as 'asc' | 'desc')
    .orderBy(idColumn, 'asc')
    .offset(params.offset)
    .limit(params.limit)) as T[];
  return { rows, total: Number(countRow?.total ?? 0) };
}
