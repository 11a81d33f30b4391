import { HttpError } from 'react-admin';

/**
 * fetch against the platform API (same origin, cookie session). Errors become react-admin
 * HttpErrors carrying the server's message and field problems, so forms can show them by field.
 */
export interface ApiErrorBody {
  error?: { code: string; message: string; details?: Array<{ field: string; reason: string }> };
}

export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(path, {
    ...init,
    credentials: 'same-origin',
    // X-Requested-With: uploads require it (a header a cross-site page cannot make the browser send).
    headers: { Accept: 'application/json', 'X-Requested-With': 'fetch', ...(init.body ? { 'Content-Type': 'application/json' } : {}), ...init.headers },
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as ApiErrorBody;
    const fieldErrors = Object.fromEntries((body.error?.details ?? []).map((d) => [d.field.replace(/^body\./, ''), d.reason]));
    throw new HttpError(body.error?.message ?? res.statusText, res.status, { ...body, errors: fieldErrors });
  }
  return res;
}
