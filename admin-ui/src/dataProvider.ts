import simpleRestProvider from 'ra-data-simple-rest';
import { fetchUtils } from 'react-admin';

/**
 * react-admin's simple-rest conventions, which the API follows (Content-Range totals).
 * Field errors from a 400 are passed on as `body.errors`, which react-admin shows on the inputs.
 */
const httpClient = async (url: string, options: fetchUtils.Options = {}) => {
  try {
    return await fetchUtils.fetchJson(url, { ...options, credentials: 'same-origin' });
  } catch (error) {
    const e = error as { body?: { error?: { message?: string; details?: Array<{ field: string; reason: string }> } }; message: string; status: number };
    const details = e.body?.error?.details;
    if (details) {
      (e.body as Record<string, unknown>).errors = Object.fromEntries(details.map((d) => [d.field.replace(/^body\./, ''), d.reason]));
    }
    if (e.body?.error?.message) e.message = e.body.error.message;
    throw e;
  }
};

export const dataProvider = simpleRestProvider('/api', httpClient);
