import { ApplicationFailure } from '@temporalio/workflow';

/** Thrown by a token that cannot go on: the case stops with status "incident". */
export class Incident extends Error {}

/**
 * Refuses an update with a typed, non-retryable failure (a `CASE_FAILURES` type), which the API
 * maps to an HTTP status; thrown from validators and again from handlers, which re-check.
 */
export function fail(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}
