import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Knex } from 'knex';
import type { SessionUser } from '../auth/sessions';
import { whereInScope } from '../auth/scope';
import { HttpError, conflict, forbidden, temporalUnavailable } from '../http/errors';
import { isTemporalUnavailable } from '../../lib/temporal/client';
import { CASE_FAILURES, type Actor } from '../../workflows/case/contract';

/**
 * Who reaches which case and task. A case is visible within the caller's scope (city, own
 * district or street, own organisation as applicant), and to whoever started it, holds or held
 * one of its tasks, or was copied on it. A task is offered to its candidate users and to its
 * candidate groups (roles) within the organisation scope stored on the candidate row.
 */
export const CASE_SCOPE = { organisationId: 'c.applicant_organisation_id', districtCode: 'c.district_code', streetCode: 'c.street_code' };

export function whereCaseVisible(db: Knex, q: Knex.QueryBuilder, user: SessionUser): Knex.QueryBuilder {
  // City-wide roles see every case (an empty scope clause would otherwise vanish from the OR).
  if (user.scope.kind === 'city') return q;
  return q.where((w) => {
    w.where((scoped) => {
      whereInScope(scoped, user.scope, CASE_SCOPE);
    })
      .orWhere('c.started_by', user.id)
      .orWhereExists(db('case_tasks as vt').select(db.raw('1')).whereRaw('vt.case_id = c.id').where((h) => h.where('vt.assignee_id', user.id).orWhere('vt.completed_by', user.id)))
      .orWhereExists(db('case_copies as vc').select(db.raw('1')).whereRaw('vc.case_id = c.id').where('vc.user_id', user.id));
  });
}

/** Tasks (alias t) the user is a candidate of: by user id, or by role within the row's scope. */
export function whereCandidate(db: Knex, q: Knex.QueryBuilder, user: SessionUser): Knex.QueryBuilder {
  return q.whereExists(
    db('case_task_candidates as tc')
      .select(db.raw('1'))
      .whereRaw('tc.task_id = t.id')
      .where((w) => {
        w.where((u) => u.where('tc.kind', 'user').where('tc.value', String(user.id))).orWhere((g) => {
          g.where('tc.kind', 'group')
            .where('tc.value', user.role)
            .where((d) => d.whereNull('tc.district_code').orWhere('tc.district_code', user.districtCode ?? ''))
            .where((s) => s.whereNull('tc.street_code').orWhere('tc.street_code', user.streetCode ?? ''))
            .where((o) => o.whereNull('tc.organisation_id').orWhere('tc.organisation_id', user.organisationId));
        });
      }),
  );
}

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
