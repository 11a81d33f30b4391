import { HttpError } from 'react-admin';

/**
 * fetch against the platform API (same origin, cookie session). Errors become react-admin
 * HttpErrors carrying the server's message and field problems, so forms can show them by field.
 */
export interface ApiErrorBody {
  error?: { code: string; message: string; details?: Array<{ field: string; reason: string }> };
}

/** The server did not answer (restarting, the network gone, a proxy with nothing behind it). */
export const OFFLINE_MESSAGE = 'app.errors.offline';
export const GATEWAY_STATUSES = new Set([502, 503, 504]);

/** A failure of the connection itself, as react-admin shows it: a message key, in the reader's language. */
export function offlineError(status = 0): HttpError {
  return new HttpError(OFFLINE_MESSAGE, status, {});
}

export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(path, {
    ...init,
    credentials: 'same-origin',
    // X-Requested-With: uploads require it (a header a cross-site page cannot make the browser send).
    headers: { Accept: 'application/json', 'X-Requested-With': 'fetch', ...(init.body ? { 'Content-Type': 'application/json' } : {}), ...init.headers },
  }).catch((err: unknown) => {
    // fetch rejects only when no answer came at all (its "Failed to fetch" is English).
    throw err instanceof DOMException && err.name === 'AbortError' ? err : offlineError();
  });
  if (GATEWAY_STATUSES.has(res.status)) throw offlineError(res.status);
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as ApiErrorBody;
    const fieldErrors = Object.fromEntries((body.error?.details ?? []).map((d) => [d.field.replace(/^body\./, ''), d.reason]));
    throw new HttpError(body.error?.message ?? res.statusText, res.status, { ...body, errors: fieldErrors });
  }
  return res;
}
