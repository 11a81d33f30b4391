import type { NextFunction, Request, Response } from 'express';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { insertOperation } from '../../db/operation-log';

/**
 * The operation log (R2). Handlers that write record their row inside their own transaction
 * (`ctx.audit`), so the change and its log line commit together. This middleware is the safety
 * net: any write that did not record itself, and every denied attempt, is logged when the
 * response finishes.
 */
export interface AuditEntry {
  action: string;
  status: number;
  result?: 'ok' | 'denied' | 'failed';
  targetType?: string;
  targetId?: string | number | null;
  detail?: unknown;
  /** For sign-in attempts, where no one is signed in yet. */
  username?: string;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const DENIED_STATUSES = new Set([401, 403, 423, 429]);

function resultOf(status: number): 'ok' | 'denied' | 'failed' {
  if (status < 400) return 'ok';
  return DENIED_STATUSES.has(status) ? 'denied' : 'failed';
}

/**
 * The detail column is JSON, and MariaDB's JSON check refuses the `\ud800` escapes JSON.stringify
 * writes for an unpaired surrogate, which a client can send in any string (a user's name, an
 * organisation's address): the log row, and with it the write it records, failed with a 500. Such
 * halves become U+FFFD, as the text columns store them anyway.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const wellFormed = (_key: string, value: unknown) => (typeof value === 'string' ? value.replace(LONE_SURROGATE, '\ufffd') : value);

export async function recordOperation(db: Knex | Knex.Transaction, req: Request, entry: AuditEntry): Promise<void> {
  const user = req.user;
  await insertOperation(db, {
    user_id: user?.id ?? null,
    // A job worker (api/auth/job-workers.ts) has no account: it is named by its configured name.
    username: (user?.username ?? entry.username ?? (req.jobWorker ? `job-worker:${req.jobWorker.name}` : null))?.slice(0, 64) ?? null,
    role: user?.role ?? null,
    organisation_id: user?.organisationId ?? null,
    // A client that hung up leaves the socket without an address; the attempt is still logged.
    ip: String(req.ip ?? req.socket?.remoteAddress ?? '').slice(0, 64),
    method: req.method,
    path: String(req.originalUrl ?? '')
      .split('?')[0]
      .slice(0, 255),
    action: entry.action.slice(0, 64),
    target_type: entry.targetType ?? null,
    target_id: entry.targetId === undefined || entry.targetId === null ? null : String(entry.targetId),
    result: entry.result ?? resultOf(entry.status),
    status: entry.status,
    request_id: String(req.id ?? '').slice(0, 64) || null,
    detail: entry.detail === undefined ? null : JSON.stringify(entry.detail, wellFormed),
  });
}

export function operationLogSafetyNet(db: Knex, log: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    // Logged when the answer is handed to the socket (res.end), not on 'finish': a client that
    // hangs up first never lets 'finish' fire, and its attempt must be logged all the same.
    let logged = false;
    const logOnce = () => {
      if (logged) return;
      logged = true;
      // A handler that logged this very outcome already did so in its transaction; a flood's
      // repeated over-limit refusals are logged once per window (api/http/rate-limits.ts).
      if (res.locals.auditedStatus === res.statusCode || res.locals.auditSkip) return;
      const isWrite = WRITE_METHODS.has(req.method);
      // A record outside the caller's scope answers 404 (its existence stays hidden) but is a
      // denied attempt all the same (see outOfScope in api/http/errors.ts).
      const scopeDenied = res.locals.deniedTarget as { type: string; id: string | number | null } | undefined;
      const isDenied = scopeDenied !== undefined || (DENIED_STATUSES.has(res.statusCode) && res.locals.auditDenied !== false);
      if (!isWrite && !isDenied) return;
      const action = (res.locals.action as string | undefined) ?? `${req.method.toLowerCase()} ${req.path}`;
      const entry: AuditEntry = scopeDenied
        ? { action, status: res.statusCode, result: 'denied', targetType: scopeDenied.type, targetId: scopeDenied.id, detail: { reason: 'outside the caller’s scope' } }
        : { action, status: res.statusCode, result: isDenied ? 'denied' : undefined };
      recordOperation(db, req, entry).catch((err) => log.error({ err, action }, 'could not write the operation log'));
    };
    const end = res.end;
    res.end = function (this: Response, ...args: Parameters<Response['end']>) {
      logOnce();
      return end.apply(this, args);
    } as Response['end'];
    next();
  };
}
