/**
 * A compiled DMN 1.3 decision model: what `readDmn` makes of a .dmn file and `evaluateDecision` runs.
 *
 * Plain JSON data only (no classes, no functions, no Node APIs): workflow code imports it and the
 * model may be stored with a deployed process or passed through Temporal as an argument.
 */

export const HIT_POLICIES = ['UNIQUE', 'FIRST', 'PRIORITY', 'ANY', 'COLLECT', 'RULE ORDER', 'OUTPUT ORDER'] as const;
export type HitPolicy = (typeof HIT_POLICIES)[number];

export const AGGREGATIONS = ['SUM', 'MIN', 'MAX', 'COUNT'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export interface DecisionModel {
  /** The id of the DMN definitions element. */
  id: string;
  name: string | null;
  /** Every decision of the file, by decision id (the id a business rule task's zeebe:calledDecision names). */
  decisions: Record<string, Decision>;
}

export type Decision = DecisionTableDecision | LiteralExpressionDecision;

interface DecisionBase {
  id: string;
  name: string | null;
  /**
   * The name a decision requiring this one finds its result under: the decision's variable name if
   * it has one, else its id (as Camunda's DMN engine, dmn-scala, names it).
   */
  resultName: string;
  /** The typeRef of the decision's variable; Camunda rejects a result of another type (null passes). */
  resultType: string | null;
  /** Ids of the decisions whose results this one needs (its information requirements), in document order. */
  requiredDecisions: string[];
}

export interface DecisionTableDecision extends DecisionBase {
  kind: 'decisionTable';
  table: DecisionTable;
}

export interface LiteralExpressionDecision extends DecisionBase {
  kind: 'literalExpression';
  /** The id of the literalExpression element. */
  expressionId: string;
  /** FEEL expression text. */
  expression: string;
}

export interface DecisionTable {
  /** The id of the decisionTable element. */
  id: string;
  hitPolicy: HitPolicy;
  /** Only meaningful with hit policy COLLECT (Camunda ignores it otherwise). */
  aggregation: Aggregation | null;
  inputs: InputClause[];
  outputs: OutputClause[];
  rules: Rule[];
}

export interface InputClause {
  id: string;
  label: string | null;
  /** FEEL expression whose value the rules' input entries test. */
  expression: string;
}

export interface OutputClause {
  id: string;
  label: string | null;
  /** The key of this output in a result context; may be null only when the table has a single output. */
  name: string | null;
  /**
   * The output's allowed values, in order, as written (string quotes removed). PRIORITY and OUTPUT
   * ORDER rank rule results by the position of their value in this list.
   */
  outputValues: string[];
  /** FEEL expression giving this output when no rule matches (DMN 1.3), or null. */
  defaultOutputEntry: string | null;
}

export interface Rule {
  id: string;
  description: string | null;
  /** FEEL unary tests, one per input; '' (or '-') matches any value. */
  inputEntries: string[];
  /** FEEL expressions, one per output; '' gives null. */
  outputEntries: string[];
}
