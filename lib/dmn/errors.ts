import type { EvaluatedDecision } from './history';

/**
 * A decision could not be evaluated (as Camunda 8 fails a business rule task with an incident).
 * The message names the decision and the rule, input or output at fault.
 */
export class DecisionError extends Error {
  override readonly name = 'DecisionError';
  /** The decision being evaluated when it failed (a required decision of the called one, perhaps). */
  readonly decisionId: string;
  /** The rule, input clause, output clause or expression at fault, when one is. */
  readonly elementId: string | null;
  /** The decisions evaluated before the failure, required ones first, for the history of the failed evaluation. */
  evaluatedDecisions: EvaluatedDecision[] = [];

  constructor(decisionId: string, elementId: string | null, message: string) {
    super(message);
    this.decisionId = decisionId;
    this.elementId = elementId;
  }
}
