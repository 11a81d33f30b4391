import { OpenAPIRegistry, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import type { Request, Response, Router } from 'express';
import type { Knex } from 'knex';
import { z, type ZodType } from 'zod';
import { can, type Permission } from '../../lib/roles';
import { recordOperation, type AuditEntry } from '../audit/operation-log';
import type { JobWorker } from '../auth/job-workers';
import type { SessionUser } from '../auth/sessions';
import { forbidden, unauthenticated, validationError } from './errors';

extendZodWithOpenApi(z);

/**
 * A route is declared once — method, path, who may call it, the zod schemas of its input — and
 * that one declaration both mounts the express handler (validation, authorisation) and
 * describes the route in the OpenAPI document. Docs and behaviour cannot drift apart.
 */
export type Access = 'public' | 'signed-in' | 'job-worker' | Permission;

export interface RouteContext<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  user: SessionUser | null;
  req: Request;
  res: Response;
  /** Writes the operation-log row inside the caller's transaction, so a write and its log commit together. */
  audit(db: Knex | Knex.Transaction, entry: Partial<AuditEntry>): Promise<void>;
}

export interface SignedInContext<B, Q, P> extends RouteContext<B, Q, P> {
  user: SessionUser;
}

/** A route for job workers (JOB_WORKERS bearer tokens, api/auth/job-workers.ts): no session user. */
export interface JobWorkerContext<B, Q, P> extends RouteContext<B, Q, P> {
  worker: JobWorker;
}

/**
 * What a list handler returns. react-admin reads the total from Content-Range; a total past the
 * count bound (db/paging.ts) is sent as `*` with X-Has-More, and the UI pages on partially.
 */
export interface ListResult<T> {
  kind: 'list';
  resource: string;
  rows: T[];
  total: number | null;
  offset: number;
  hasMore: boolean;
}

export function listResult<T>(resource: string, rows: T[], total: number | null, offset: number, hasMore?: boolean): ListResult<T> {
  return { kind: 'list', resource, rows, total, offset, hasMore: hasMore ?? (total === null || offset + rows.length < total) };
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteSpec<B extends ZodType, Q extends ZodType, P extends ZodType, A extends Access> {
  method: Method;
  path: string;
  summary: string;
  tags: string[];
  access: A;
  /** Name in the operation log; defaults to "<tag>.<method>". */
  action?: string;
  body?: B;
  query?: Q;
  params?: P;
  /** A successful answer's status; 200 unless said. */
  status?: number;
  /** Log a 401/403 on this route as a denied attempt (identity probes like /auth/me say no). */
  auditDenied?: boolean;
  handler: (
    ctx: A extends 'public' ? RouteContext<z.output<B>, z.output<Q>, z.output<P>> : A extends 'job-worker' ? JobWorkerContext<z.output<B>, z.output<Q>, z.output<P>> : SignedInContext<z.output<B>, z.output<Q>, z.output<P>>,
  ) => Promise<unknown>;
}

const toOpenApiPath = (p: string) => p.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

export class Api {
  readonly registry = new OpenAPIRegistry();
  constructor(private readonly router: Router) {}

  add<B extends ZodType = ZodType<undefined>, Q extends ZodType = ZodType<undefined>, P extends ZodType = ZodType<undefined>, A extends Access = Access>(spec: RouteSpec<B, Q, P, A>): void {
    const action = spec.action ?? `${spec.tags[0]}.${spec.method}`;
    this.document(spec);
    this.router[spec.method](spec.path, async (req, res, next) => {
      res.locals.action = action;
      res.locals.auditDenied = spec.auditDenied !== false;
      try {
        const user = req.user ?? null;
        if (spec.access === 'job-worker') {
          if (!req.jobWorker) throw unauthenticated('Present a job worker token: Authorization: Bearer <token> (JOB_WORKERS)');
        } else if (spec.access !== 'public') {
          if (!user) throw unauthenticated();
          if (spec.access !== 'signed-in' && !can(user.role, spec.access)) {
            throw forbidden(`Your role may not ${spec.access.replace(':', ' ')}`);
          }
        }
        const parse = <S extends ZodType>(schema: S | undefined, value: unknown, where: 'body' | 'query' | 'params') => {
          if (!schema) return undefined;
          const result = schema.safeParse(value ?? {});
          if (!result.success) throw validationError(result.error, where);
          return result.data;
        };
        const ctx = {
          body: parse(spec.body, req.body, 'body'),
          query: parse(spec.query, req.query, 'query'),
          params: parse(spec.params, req.params, 'params'),
          user,
          worker: req.jobWorker,
          req,
          res,
          audit: async (db: Knex | Knex.Transaction, entry: Partial<AuditEntry>) => {
            const status = entry.status ?? spec.status ?? 200;
            await recordOperation(db, req, { action, ...entry, status });
            res.locals.auditedStatus = status;
          },
        };
        const result = await spec.handler(ctx as never);
        if (res.headersSent) return;
        if (result && typeof result === 'object' && (result as ListResult<unknown>).kind === 'list') {
          const list = result as ListResult<unknown>;
          const end = list.rows.length ? list.offset + list.rows.length - 1 : list.offset;
          res.setHeader('Content-Range', `${list.resource} ${list.offset}-${end}/${list.total ?? '*'}`);
          res.setHeader('X-Has-More', String(list.hasMore));
          res.status(200).json(list.rows);
          return;
        }
        if (result === undefined) res.status(spec.status ?? 204).end();
        else res.status(spec.status ?? 200).json(result);
      } catch (err) {
        next(err);
      }
    });
  }

  private document(spec: RouteSpec<ZodType, ZodType, ZodType, Access>): void {
    const request: Record<string, unknown> = {};
    if (spec.body) request.body = { content: { 'application/json': { schema: spec.body } } };
    if (spec.query) request.query = spec.query;
    if (spec.params) request.params = spec.params;
    const errors = {
      400: { description: 'Invalid input: `error.details` lists each field and the reason' },
      ...(spec.access === 'job-worker' ? { 401: { description: 'No job worker token' }, 403: { description: 'Not a job type of this worker' } } : {}),
      ...(spec.access !== 'public' && spec.access !== 'job-worker' ? { 401: { description: 'Not signed in' }, 403: { description: 'Not allowed for this role or scope' } } : {}),
    };
    this.registry.registerPath({
      method: spec.method,
      path: toOpenApiPath(spec.path),
      summary: spec.summary,
      tags: spec.tags,
      description:
        spec.access === 'public'
          ? 'Open to everyone.'
          : spec.access === 'signed-in'
            ? 'Any signed-in user.'
            : spec.access === 'job-worker'
              ? 'A job worker: `Authorization: Bearer <token>` of JOB_WORKERS, for its job types.'
              : `Requires the \`${spec.access}\` permission.`,
      request: request as never,
      responses: { [spec.status ?? 200]: { description: 'Success' }, ...errors },
    });
  }
}
