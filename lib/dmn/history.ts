/**
 * What an evaluation leaves for the case history, shaped like the evaluatedDecisions of Zeebe's
 * decision-evaluation record so an operator reads it as in Camunda Operate. Plain JSON values only.
 */

export interface DecisionEvaluation {
  /** The called decision's result, as Camunda stores it in the business rule task's resultVariable. */
  result: unknown;
  /** Every decision evaluated, each once, required decisions before those needing them; the called one is last. */
  evaluatedDecisions: EvaluatedDecision[];
}

export interface EvaluatedDecision {
  decisionId: string;
  decisionName: string | null;
  decisionType: 'DECISION_TABLE' | 'LITERAL_EXPRESSION';
  result: unknown;
  /** The value of each input expression (decision tables only). */
  evaluatedInputs: EvaluatedInput[];
  /** The rules whose outputs made the result (with hit policy FIRST only the first that matched). */
  matchedRules: MatchedRule[];
}

export interface EvaluatedInput {
  inputId: string;
  /** The input's label, else its expression. */
  inputName: string;
  value: unknown;
}

export interface MatchedRule {
  ruleId: string;
  /** 1-based position of the rule in its table, as Zeebe counts. */
  ruleIndex: number;
  evaluatedOutputs: EvaluatedOutput[];
}

export interface EvaluatedOutput {
  outputId: string;
  outputName: string | null;
  value: unknown;
}
