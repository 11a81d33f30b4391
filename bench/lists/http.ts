import { DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS } from '../../db/seeds/demo';
import { isAdminRole } from '../../lib/roles';
import { TOTP_PERIOD_SECONDS, totpCode } from '../../lib/second-factor';

/** A signed-in HTTP session against the app under test, the way the admin UI calls it. */
export interface Session {
  username: string;
  cookie: string;
}

export async function signIn(base: string, username: string): Promise<Session> {
  // The demo administrators also give their TOTP code (the published demo secret); a code is
  // accepted once, so a second sign-in within the same 30 seconds waits for the next one.
  const admin = DEMO_USERS.some((u) => u.username === username && isAdminRole(u.role));
  const attempt = () =>
    fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-requested-with': 'XMLHttpRequest' },
      body: JSON.stringify({ username, password: DEMO_PASSWORD, ...(admin ? { code: totpCode(DEMO_TOTP_SECRET) } : {}) }),
    });
  let res = await attempt();
  if (admin && res.status === 401) {
    await new Promise((r) => setTimeout(r, TOTP_PERIOD_SECONDS * 1000 - (Date.now() % (TOTP_PERIOD_SECONDS * 1000)) + 50));
    res = await attempt();
  }
  if (res.status !== 200) throw new Error(`sign-in as ${username} failed: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  return { username, cookie };
}

export interface ListAnswer {
  status: number;
  /** The total from Content-Range ("*" when the API only knows that more follow). */
  total: string;
  rows: number;
  error?: string;
}

export function listUrl(base: string, path: string, params: { sort: [string, string]; range: [number, number]; filter?: Record<string, unknown> }): string {
  const q = new URLSearchParams({ sort: JSON.stringify(params.sort), range: JSON.stringify(params.range) });
  if (params.filter) q.set('filter', JSON.stringify(params.filter));
  return `${base}${path}?${q.toString()}`;
}

export async function getList(session: Session, url: string): Promise<ListAnswer> {
  const res = await fetch(url, { headers: { cookie: session.cookie } });
  const text = await res.text();
  if (res.status !== 200) return { status: res.status, total: '', rows: 0, error: text.slice(0, 200) };
  const range = res.headers.get('content-range') ?? '';
  // "<resource> <from>-<to>/<total>"; the resource may itself contain a slash (sms/messages).
  const slash = range.lastIndexOf('/');
  return { status: 200, total: slash >= 0 ? range.slice(slash + 1) : '?', rows: (JSON.parse(text) as unknown[]).length };
}

export async function postJson(base: string, session: Session, path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: session.cookie, 'x-requested-with': 'XMLHttpRequest' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text for the error message
  }
  return { status: res.status, body: parsed };
}

/** The least a signed-in call costs: GET /api/auth/me reads the session and answers the user (the HTTP floor of a list). */
export async function getMe(base: string, session: Session): Promise<number> {
  const res = await fetch(`${base}/api/auth/me`, { headers: { cookie: session.cookie } });
  await res.text();
  if (res.status !== 200) throw new Error(`GET /api/auth/me as ${session.username}: ${res.status}`);
  return res.status;
}
