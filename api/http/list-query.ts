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

export function listQuery<S extends readonly [string, ...string[]], F extends z.ZodRawShape>(opts: { sortable: S; defaultSort: [S[number], 'ASC' | 'DESC']; filter: z.ZodObject<F> }) {
  const sort = z.tuple([z.enum(opts.sortable), z.enum(['ASC', 'DESC', 'asc', 'desc'])]);
  const range = z
    .tuple([z.number().int().min(0), z.number().int().min(0)])
    .refine(([a, b]) => b >= a, 'range end must not be before its start')
    .refine(([a, b]) => b - a < MAX_PAGE, `at most ${MAX_PAGE} rows per page`);
  return z
    .object({
      sort: jsonString(sort, 'sort').optional(),
      range: jsonString(range, 'range').optional(),
      filter: jsonString(opts.filter.strict(), 'filter').optional(),
    })
    .transform((q) => ({
      sort: (q.sort ? [q.sort[0], q.sort[1].toUpperCase()] : opts.defaultSort) as [S[number], 'ASC' | 'DESC'],
      offset: q.range ? q.range[0] : 0,
      limit: q.range ? q.range[1] - q.range[0] + 1 : 25,
      filter: (q.filter ?? {}) as z.output<z.ZodObject<F>>,
    }));
}

// Pages and bounded totals are built where the SQL lives (db/), and shared by every list.
export { pageOf, TOTAL_BOUND, type PageParams as ListParams } from '../../db/paging';
