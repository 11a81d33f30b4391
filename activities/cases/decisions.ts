import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { latestDecision } from '../../db/decisions';
import { DecisionError, evaluateDecision } from '../../lib/dmn/evaluate';

export interface DecisionInput {
  decisionId: string;
  variables: Record<string, unknown>;
}

export interface DecisionOutput {
  result: unknown;
  version: number;
  /** Each decision evaluated (required ones first) and the rules that matched, for the history. */
  evaluated: Array<{ decisionId: string; matchedRules: number[] }>;
}

/**
 * A business rule task's decision (workflows/case/elements/business-rule-task.ts): the latest
 * published version of the decision, evaluated over the variables. A decision not published or
 * one that fails (no unique match, a FEEL error) fails for good — the task raises an incident
 * naming it; publish the decision or fix the data, then retry.
 */
export function createDecisionActivities(db: Knex) {
  return {
    async evaluateCaseDecision(input: DecisionInput): Promise<DecisionOutput> {
      const deployed = await latestDecision(db, input.decisionId);
      if (!deployed) throw ApplicationFailure.create({ type: 'DecisionFailed', message: `the decision ${input.decisionId} is not published (POST /api/decisions)`, nonRetryable: true });
      try {
        const evaluation = evaluateDecision(deployed.model, input.decisionId, input.variables);
        return {
          result: evaluation.result,
          version: deployed.version,
          evaluated: evaluation.evaluatedDecisions.map((d) => ({ decisionId: d.decisionId, matchedRules: d.matchedRules.map((r) => r.ruleIndex) })),
        };
      } catch (err) {
        if (err instanceof DecisionError) throw ApplicationFailure.create({ type: 'DecisionFailed', message: `the decision ${input.decisionId} (version ${deployed.version}) failed: ${err.message}`, nonRetryable: true });
        throw err;
      }
    },
  };
}
