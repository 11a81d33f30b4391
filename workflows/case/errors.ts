import { ApplicationFailure } from '@temporalio/workflow';

/** Thrown by a token that cannot go on: the case stops with status "incident". */
export class Incident extends Error {}

/**
 * A BPMN error (an error end event, a called case ending with one, a service task's activity
 * failing with type "BpmnError"): caught by the nearest error boundary event with its code on
 * the way out; one nobody catches is an incident (in a called case: the caller's to catch).
 */
export class BpmnError extends Error {
  constructor(
    readonly code: string,
    readonly thrownBy: string,
    message?: string,
    /**
     * What a job worker threw with the error: its message and variables, for the catching
     * boundary (its output mappings see them with errorCode and errorMessage, as in Zeebe).
     */
    readonly thrown?: { errorMessage: string | null; variables: Record<string, unknown> },
  ) {
    super(message ?? `the BPMN error ${code} thrown by ${thrownBy} was caught by no error boundary event`);
  }
}

/**
 * An escalation that interrupts: it leaves the sub-processes around its thrower the way a BPMN
 * error does (ending them) until the one its catching boundary is attached to. Only error
 * boundaries never catch it; it is thrown only when publishing found its `catcher`.
 */
export class EscalationThrown extends BpmnError {
  constructor(
    code: string,
    thrownBy: string,
    readonly catcher: string,
  ) {
    super(code, thrownBy, `the escalation ${code} thrown by ${thrownBy}`);
  }
}

/**
 * Refuses an update with a typed, non-retryable failure (a `CASE_FAILURES` type), which the API
 * maps to an HTTP status; thrown from validators and again from handlers, which re-check.
 */
export function fail(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}
