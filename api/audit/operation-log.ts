import type { NextFunction, Request, Response } from 'express';
import type { Knex } from 'knex';
import type { Logger } from 'pino';

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
const DENIED_STATUSES = new Set([401, 403, 423]);

function resultOf(status: number): 'ok' | 'denied' | 'failed' {
  if (status < 400) return 'ok';
  return DENIED_STATUSES.has(status) ? 'denied' : 'failed';
}

export async function recordOperation(db: Knex | Knex.Transaction, req: Request, entry: AuditEntry): Promise<void> {
  const user = req.user;
  await db('operation_log').insert({
    user_id: user?.id ?? null,
    username: (user?.username ?? entry.username ?? null)?.slice(0, 64) ?? null,
    role: user?.role ?? null,
    organisation_id: user?.organisationId ?? null,
    ip: (req.ip ?? req.socket.remoteAddress ?? '').slice(0, 64),
    method: req.method,
    path: req.originalUrl.split('?')[0].slice(0, 255),
    action: entry.action.slice(0, 64),
    target_type: entry.targetType ?? null,
    target_id: entry.targetId === undefined || entry.targetId === null ? null : String(entry.targetId),
    result: entry.result ?? resultOf(entry.status),
    status: entry.status,
    request_id: String(req.id ?? '').slice(0, 64) || null,
    detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
  });
}

export function operationLogSafetyNet(db: Knex, log: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    res.on('finish', () => {
      // A handler that logged this very outcome already did so in its transaction.
      if (res.locals.auditedStatus === res.statusCode) return;
      const isWrite = WRITE_METHODS.has(req.method);
      const isDenied = DENIED_STATUSES.has(res.statusCode) && res.locals.auditDenied !== false;
      if (!isWrite && !isDenied) return;
      const action = (res.locals.action as string | undefined) ?? `${req.method.toLowerCase()} ${req.path}`;
      recordOperation(db, req, { action, status: res.statusCode }).catch((err) =>
        log.error({ err, action }, 'could not write the operation log'),
      );
    });
    next();
  };
}
