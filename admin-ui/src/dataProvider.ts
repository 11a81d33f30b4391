import simpleRestProvider from 'ra-data-simple-rest';
import { fetchUtils, type DataProvider, type GetListResult } from 'react-admin';
import { GATEWAY_STATUSES, offlineError } from './api';

/**
 * react-admin's simple-rest conventions, which the API follows (Content-Range totals).
 * Field errors from a 400 are passed on as `body.errors`, which react-admin shows on the inputs.
 */
const httpClient = async (url: string, options: fetchUtils.Options = {}) => {
  try {
    return await fetchUtils.fetchJson(url, { ...options, credentials: 'same-origin' });
  } catch (error) {
    // No answer (fetch's English "Failed to fetch"), or a gateway with nothing behind it.
    if (error instanceof TypeError || GATEWAY_STATUSES.has((error as { status?: number }).status ?? -1)) throw offlineError((error as { status?: number }).status ?? 0);
    const e = error as { body?: { error?: { message?: string; details?: Array<{ field: string; reason: string }> } }; message: string; status: number };
    const details = e.body?.error?.details;
    if (details) {
      (e.body as Record<string, unknown>).errors = Object.fromEntries(details.map((d) => [d.field.replace(/^body\./, ''), d.reason]));
    }
    if (e.body?.error?.message) e.message = e.body.error.message;
    throw e;
  }
};

const base = simpleRestProvider('/api', httpClient);

/**
 * Lists answer an exact total only up to a bound (the server's db/paging.ts); past it the
 * Content-Range total is `*` and X-Has-More says whether a next page exists. Those pages are
 * shown with react-admin's partial pagination (pageInfo) instead of a made-up total.
 */
async function getList(resource: string, params: { pagination?: { page: number; perPage: number }; sort?: { field: string; order: string }; filter?: unknown }): Promise<GetListResult> {
  const { page, perPage } = params.pagination ?? { page: 1, perPage: 25 };
  const query = new URLSearchParams({
    sort: JSON.stringify([params.sort?.field ?? 'id', params.sort?.order ?? 'ASC']),
    range: JSON.stringify([(page - 1) * perPage, page * perPage - 1]),
    filter: JSON.stringify(params.filter ?? {}),
  });
  const { headers, json } = await httpClient(`/api/${resource}?${query.toString()}`);
  const total = headers.get('content-range')?.split('/').pop();
  if (total && total !== '*') return { data: json, total: Number.parseInt(total, 10) };
  return { data: json, pageInfo: { hasNextPage: headers.get('x-has-more') === 'true', hasPreviousPage: page > 1 } };
}

export const dataProvider: DataProvider = {
  ...base,
  getList: ((resource: string, params: Parameters<DataProvider['getList']>[1]) => getList(resource, params)) as DataProvider['getList'],
  getManyReference: ((resource: string, params: Parameters<DataProvider['getManyReference']>[1]) => getList(resource, { ...params, filter: { ...params.filter, [params.target]: params.id } })) as DataProvider['getManyReference'],
};
