import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { demoLoginBody } from '../helpers/totp';

/**
 * Shared by the two whole-API security tests (role-matrix, malformed-input): the operations of
 * the OpenAPI document the API serves, and a raw HTTP client over a real listening socket, for
 * requests supertest would "fix" (no Content-Type, any bytes as the body, a body on a GET, a
 * percent-encoding error in the path), each with a hard time limit.
 */
export const WRITE_METHODS = ['post', 'put', 'patch', 'delete'] as const;
const METHODS = ['get', ...WRITE_METHODS] as const;

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  default?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  const?: unknown;
}

export interface DocOperation {
  /** "POST /api/users/{id}/password": the key of both tests' tables. */
  key: string;
  method: string;
  /** The OpenAPI path template, `{id}` style. */
  path: string;
  pathParams: string[];
  queryParams: Array<{ name: string; schema: JsonSchema }>;
  bodySchema: JsonSchema | null;
  /** From the description Api.add writes: 'public', 'signed-in', a permission, or null (a route documented by hand). */
  access: string | null;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { description?: string; parameters?: Array<{ in: string; name: string; schema?: JsonSchema }>; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>>;
}

export function documentOperations(doc: unknown): DocOperation[] {
  const ops: DocOperation[] = [];
  for (const [path, item] of Object.entries((doc as OpenApiDocument).paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = op.parameters ?? [];
      ops.push({
        key: `${method.toUpperCase()} ${path}`,
        method,
        path,
        pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]),
        queryParams: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        bodySchema: op.requestBody?.content?.['application/json']?.schema ?? null,
        access: accessOf(op.description),
      });
    }
  }
  return ops;
}

function accessOf(description: string | undefined): string | null {
  if (!description) return null;
  if (description.startsWith('Open to everyone')) return 'public';
  if (description.startsWith('Any signed-in user')) return 'signed-in';
  return /Requires the `([^`]+)` permission/.exec(description)?.[1] ?? null;
}

/** Fills `{name}` in a path template (values are percent-encoded unless `raw`). */
export function fillPath(template: string, values: Record<string, string | number>, raw = false): string {
  return template.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    if (!(name in values)) throw new Error(`no value for {${name}} in ${template}`);
    const v = String(values[name]);
    return raw ? v : encodeURIComponent(v);
  });
}

export interface Served {
  origin: string;
  port: number;
  close(): Promise<void>;
}

/** The app on a real socket of 127.0.0.1, as a browser or a script would reach it. */
export async function serve(app: Express): Promise<Served> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RawRequest {
  method: string;
  /** Path and query, sent as given (so it may carry broken percent-encoding). */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
}

export interface RawResponse {
  status: number;
  /** The answer's first few kilobytes, for the report. */
  text: string;
  headers: http.IncomingHttpHeaders;
  ms: number;
  /** Set when no answer came in time, or the connection broke. */
  failure?: string;
}

const KEEP = 4096;

/** One HTTP exchange over a keep-alive agent, with a deadline; never throws. */
export function rawRequest(port: number, agent: http.Agent, req: RawRequest): Promise<RawResponse> {
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Omit<RawResponse, 'ms'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...r, ms: Date.now() - started });
    };
    const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
    const headers: Record<string, string | number> = { ...(req.headers ?? {}) };
    if (body !== undefined) headers['content-length'] = body.length;
    const r = http.request({ host: '127.0.0.1', port, method: req.method, path: req.path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on('data', (c: Buffer) => {
        if (kept < KEEP) {
          chunks.push(c);
          kept += c.length;
        }
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8').slice(0, KEEP), headers: res.headers }));
      res.on('error', (err) => done({ status: res.statusCode ?? 0, text: '', headers: res.headers, failure: `response error: ${err.message}` }));
    });
    r.setTimeout(req.timeoutMs ?? 30_000, () => {
      r.destroy(new Error(`no answer within ${req.timeoutMs ?? 30_000} ms`));
    });
    r.on('error', (err) => done({ status: 0, text: '', headers: {}, failure: err.message }));
    if (body !== undefined) r.end(body);
    else r.end();
  });
}

/** Signs in over the raw client and answers the session cookie ("name=value"). */
export async function signInCookie(port: number, agent: http.Agent, username: string, password: string): Promise<string> {
  const res = await rawRequest(port, agent, {
    method: 'POST',
    path: '/api/auth/login',
    headers: { 'content-type': 'application/json', 'x-requested-with': 'security-test' },
    // The demo administrators' TOTP code is computed from the demo secret (tests/helpers/totp.ts).
    body: JSON.stringify(await demoLoginBody(username, password)),
  });
  const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0]?.split(';')[0];
  if (res.status !== 200 || !cookie) throw new Error(`sign-in as ${username} failed: ${res.status} ${res.text}`);
  return cookie;
}

/** Runs jobs with at most `concurrency` in flight, in order of the list. */
export async function runPool<T>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i], i);
    }
  });
  await Promise.all(lanes);
}
