import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Knex } from 'knex';
import type { SessionUser } from '../auth/sessions';
import { whereCaseVisible as caseVisible, whereTaskCandidate } from '../../db/cases/visibility';
import { HttpError, conflict, forbidden, temporalUnavailable } from '../http/errors';
import { isTemporalUnavailable } from '../../lib/temporal/client';
import { CASE_FAILURES, type Actor } from '../../workflows/case/contract';

/**
 * Who reaches which case and task: the rule lives with the SQL (db/cases/visibility.ts); these
 * are its shapes for callers that hold a session user.
 */
export const whereCaseVisible = (_db: Knex, q: Knex.QueryBuilder, user: SessionUser): Knex.QueryBuilder => caseVisible(q, user);
export const whereCandidate = (db: Knex, q: Knex.QueryBuilder, user: SessionUser): Knex.QueryBuilder => whereTaskCandidate(db, q, user);

export function actorOf(user: SessionUser): Actor {
  return { userId: user.id, username: user.username, displayName: user.displayName, role: user.role };
}

/**
 * The workflow has the last word on state (is the task still open, is the outcome offered);
 * its refusals come back as typed failures and become 403/409/422 here.
 */
export function fromWorkflowError(err: unknown): HttpError | unknown {
  // Temporal down or restarting: 503 with Retry-After (the same mapping toHttpError applies to every route).
  if (isTemporalUnavailable(err)) return temporalUnavailable();
  if (err instanceof WorkflowNotFoundError) return conflict('The case has ended or its workflow is gone');
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) {
      switch (cause.type) {
        case CASE_FAILURES.notHolder:
          return forbidden(cause.message);
        case CASE_FAILURES.invalidDecision:
          return new HttpError(422, 'invalid_decision', cause.message);
        case CASE_FAILURES.invalidRecipient:
          return new HttpError(422, 'invalid_recipient', cause.message, [{ field: 'body.to', reason: cause.message }]);
        case CASE_FAILURES.taskNotOpen:
        case CASE_FAILURES.caseClosed:
        case CASE_FAILURES.notAllowed:
          return conflict(cause.message);
      }
    }
    return conflict(cause?.message ?? err.message);
  }
  if (err instanceof Error && /workflow execution already completed/i.test(err.message)) return conflict('The case has ended');
  return err;
}

export async function sendToCase<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw fromWorkflowError(err);
  }
}
