import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Knex } from 'knex';
import { rowExists } from '../../db/exists';
import { ZodError } from 'zod';
import { isTemporalUnavailable } from '../../lib/temporal/client';

/**
 * One error format for every response:
 *   { "error": { "code": "...", "message": "...", "details": [{ "field": "...", "reason": "..." }] },
 *     "requestId": "..." }
 * Handlers throw HttpError (or let a mapped database error through); nothing else reaches the
 * client, so an unexpected exception becomes a 500 without internals.
 */
export interface FieldProblem {
  field: string;
  reason: string;
  /** The reason in Chinese, where the check words one (form values, Camunda lint reports). */
  zh?: string;
  /** The Camunda lint rule that reported it (a process's problems). */
  rule?: string;
}

export class HttpError extends Error {
  /** Set on a refusal that looks like "not found" to the caller but is logged as denied. */
  deniedTarget?: { type: string; id: string | number | null };
  /** Seconds for a Retry-After header (a 503 the caller should simply try again later). */
  retryAfterSeconds?: number;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: FieldProblem[],
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: FieldProblem[]) => new HttpError(400, 'bad_request', message, details);
export const unauthenticated = (message = 'Sign in first') => new HttpError(401, 'unauthenticated', message);
export const forbidden = (message = 'You may not do this') => new HttpError(403, 'forbidden', message);
export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);
/**
 * A record that exists but lies outside the caller's scope: answered exactly like a missing one
 * (so ids cannot be probed), and written to the operation log as a denied attempt on it.
 */
export function outOfScope(what: string, type: string, id: string | number | null): HttpError {
  const err = notFound(what);
  err.deniedTarget = { type, id };
  return err;
}

/** "Not found" or "out of scope", whichever is true: a by-id read or write asks the table. */
export async function missingOrDenied(db: Knex | Knex.Transaction, table: string, id: string | number, what: string, type = table): Promise<HttpError> {
  return (await rowExists(db, table, id)) ? outOfScope(what, type, id) : notFound(what);
}

export const conflict = (message: string, details?: FieldProblem[]) => new HttpError(409, 'conflict', message, details);
export const locked = (message: string) => new HttpError(423, 'account_locked', message);

/** Temporal cannot be reached (down, restarting): nothing was done, try again shortly. */
export function temporalUnavailable(message = 'The workflow service is unavailable for a moment; nothing was changed, try again shortly'): HttpError {
  const err = new HttpError(503, 'temporal_unavailable', message);
  err.retryAfterSeconds = 5;
  return err;
}

export function validationError(err: ZodError, location: 'body' | 'query' | 'params'): HttpError {
  const details = err.issues.map((issue) => ({
    field: [location, ...issue.path.map(String)].join('.'),
    reason: issue.message,
  }));
  return new HttpError(400, 'validation_failed', `Invalid ${location}: ${details.map((d) => `${d.field} ${d.reason}`).join('; ')}`, details);
}

/** MySQL/MariaDB errors that are the client's fault, mapped to 4xx in one place. */
function fromDatabaseError(err: { code?: string; sqlMessage?: string }): HttpError | null {
  switch (err.code) {
    case 'ER_DUP_ENTRY': {
      // knex names unique indexes <table>_<columns>_unique; MySQL 8 prefixes the table again.
      const key = /for key '([^']+)'/.exec(err.sqlMessage ?? '')?.[1] ?? 'unique key';
      const field = key.replace(/^[^.]*\./, '').replace(/_unique$/, '');
      return conflict('A record with the same value already exists', [{ field, reason: 'already exists' }]);
    }
    case 'ER_NO_REFERENCED_ROW':
    case 'ER_NO_REFERENCED_ROW_2':
      return new HttpError(422, 'invalid_reference', 'A referenced record does not exist');
    case 'ER_ROW_IS_REFERENCED':
    case 'ER_ROW_IS_REFERENCED_2':
      return conflict('The record is still referenced by other records');
    case 'ER_DATA_TOO_LONG':
      return badRequest('A value is too long', [{ field: /column '([^']+)'/.exec(err.sqlMessage ?? '')?.[1] ?? 'unknown', reason: 'too long' }]);
    default:
      return null;
  }
}

export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof ZodError) return validationError(err, 'body');
  // Every command that talks to Temporal (start, update, signal, query, self-check) lands here when the server is away.
  if (isTemporalUnavailable(err)) return temporalUnavailable();
  if (err && typeof err === 'object') {
    const e = err as { type?: string; status?: number; code?: string; sqlMessage?: string };
    // body-parser's own errors (malformed JSON, body too large) carry a status.
    if (e.type === 'entity.parse.failed') return badRequest('The request body is not valid JSON', [{ field: 'body', reason: 'malformed JSON' }]);
    if (e.type === 'entity.too.large') return new HttpError(413, 'payload_too_large', 'The request body is too large');
    // The rest of body-parser's and the router's refusals of the request itself: a charset or
    // content encoding it cannot read (415), a body that does not inflate or ends early, a path
    // that does not percent-decode (400). They are the client's, not a 500.
    const clientStatus = (e as { status?: unknown }).status;
    if (typeof clientStatus === 'number' && clientStatus >= 400 && clientStatus < 500 && ((e as { expose?: unknown }).expose === true || err instanceof URIError)) {
      if (clientStatus === 415) return new HttpError(415, 'unsupported_media_type', 'The request body’s charset or content encoding is not supported', [{ field: 'headers', reason: String((err as Error).message).slice(0, 200) }]);
      if (err instanceof URIError) return badRequest('The request path is not valid percent-encoding', [{ field: 'path', reason: 'malformed percent-encoding' }]);
      return new HttpError(clientStatus, clientStatus === 400 ? 'bad_request' : 'request_refused', 'The request could not be read', [{ field: 'body', reason: String((err as Error).message).slice(0, 200) }]);
    }
    const mapped = fromDatabaseError(e);
    if (mapped) return mapped;
  }
  return new HttpError(500, 'internal_error', 'Something went wrong on our side; the request id identifies it in the logs');
}

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const httpError = toHttpError(err);
  if (httpError.deniedTarget) res.locals.deniedTarget = httpError.deniedTarget;
  if (httpError.retryAfterSeconds) res.setHeader('Retry-After', String(httpError.retryAfterSeconds));
  if (httpError.code === 'temporal_unavailable') req.log?.warn({ err: String((err as Error)?.message ?? err) }, httpError.message);
  else if (httpError.status >= 500) req.log?.error({ err }, 'request failed');
  else req.log?.info({ code: httpError.code, details: httpError.details }, httpError.message);
  res.status(httpError.status).json({
    error: { code: httpError.code, message: httpError.message, ...(httpError.details ? { details: httpError.details } : {}) },
    requestId: String(req.id ?? ''),
  });
};

export const notFoundHandler: RequestHandler = (req, _res, next) => next(notFound(`Route ${req.method} ${req.path}`));
