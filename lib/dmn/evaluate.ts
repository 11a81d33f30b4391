import { DecisionError } from './errors';
import { evaluateExpression, feelTypeOf, isBlank, passesUnaryTests, toJson, type FeelContext } from './feel';
import { applyHitPolicy, shapeOutputs, type Fail, type RuleResult } from './hit-policy';
import type { DecisionEvaluation, EvaluatedDecision, MatchedRule } from './history';
import type { Decision, DecisionModel, DecisionTableDecision, InputClause, LiteralExpressionDecision } from './model';

export { DecisionError } from './errors';
export type { DecisionEvaluation, EvaluatedDecision, EvaluatedInput, EvaluatedOutput, MatchedRule } from './history';

/**
 * Evaluates a decision as Camunda 8 does for a business rule task (zeebe:calledDecision): its required
 * decisions first, each result available to the decisions needing it under the required decision's
 * result name (its variable name, else its id), then the decision itself against the variables.
 * Pure and deterministic, so workflow code can call it. Throws DecisionError when the decision fails.
 */
export function evaluateDecision(model: DecisionModel, decisionId: string, variables: Record<string, unknown>): DecisionEvaluation {
  const evaluatedDecisions: EvaluatedDecision[] = [];
  // FEEL values by decision id: a decision two others require is evaluated once.
  const results = new Map<string, unknown>();
  const inProgress: string[] = [];

  const resultOf = (id: string, neededBy: Decision | null): unknown => {
    if (results.has(id)) return results.get(id);
    const decision = Object.hasOwn(model.decisions, id) ? model.decisions[id] : undefined;
    if (!decision) {
      if (neededBy) throw new DecisionError(neededBy.id, null, `${describe(neededBy)}: requires decision '${id}', which DMN definitions '${model.id}' do not have`);
      throw new DecisionError(id, null, `no decision '${id}' in DMN definitions '${model.id}'`);
    }
    if (inProgress.includes(id)) throw new DecisionError(id, null, `${describe(decision)}: requires itself (${[...inProgress, id].join(' → ')})`);
    inProgress.push(id);
    const context: FeelContext = { ...variables };
    for (const required of decision.requiredDecisions) {
      const value = resultOf(required, decision);
      context[model.decisions[required].resultName] = value;
    }
    const { value, record } = decision.kind === 'decisionTable' ? evaluateTable(decision, context) : evaluateLiteral(decision, context);
    checkResultType(decision, value);
    inProgress.pop();
    results.set(id, value);
    evaluatedDecisions.push(record);
    return value;
  };

  try {
    return { result: toJson(resultOf(decisionId, null)), evaluatedDecisions };
  } catch (err) {
    if (err instanceof DecisionError) err.evaluatedDecisions = evaluatedDecisions;
    throw err;
  }
}

interface Evaluated {
  /** The FEEL value, kept as feelin's own for the decisions requiring this one. */
  value: unknown;
  record: EvaluatedDecision;
}

function evaluateLiteral(decision: LiteralExpressionDecision, context: FeelContext): Evaluated {
  const value = feel(decision, decision.expressionId, 'literal expression', () => evaluateExpression(decision.expression, context));
  return {
    value,
    record: { decisionId: decision.id, decisionName: decision.name, decisionType: 'LITERAL_EXPRESSION', result: toJson(value), evaluatedInputs: [], matchedRules: [] },
  };
}

function evaluateTable(decision: DecisionTableDecision, context: FeelContext): Evaluated {
  const { table } = decision;
  const fail: Fail = (elementId, message) => {
    throw new DecisionError(decision.id, elementId, `${describe(decision)}: ${message}`);
  };
  const inputValues = table.inputs.map((input) => feel(decision, input.id, `input ${inputName(input)}`, () => evaluateExpression(input.expression, context)));

  const matched = table.rules
    .map((rule, index) => ({ rule, index }))
    .filter(({ rule }) =>
      // As Camunda: a rule's entries are tested in order, and the first that fails settles it.
      table.inputs.every((input, i) => {
        const entry = rule.inputEntries[i] ?? '';
        const passed = feel(decision, rule.id, `rule ${rule.id}, input ${inputName(input)}`, () => passesUnaryTests(entry, inputValues[i], context));
        if (passed === true) return true;
        if (passed === false || passed === null) return false;
        return fail(rule.id, `rule ${rule.id}: input entry "${entry}" gave ${JSON.stringify(toJson(passed))}, not true, false or null`);
      }),
    );

  // Hit policy FIRST evaluates (and records) only the first matching rule's outputs.
  const used = table.hitPolicy === 'FIRST' ? matched.slice(0, 1) : matched;
  const ruleResults: RuleResult[] = used.map(({ rule }) => ({
    rule,
    outputs: table.outputs.map((output, i) => {
      const entry = rule.outputEntries[i] ?? '';
      if (isBlank(entry)) return null;
      return feel(decision, rule.id, `rule ${rule.id}, output ${output.name ?? output.label ?? output.id}`, () => evaluateExpression(entry, context));
    }),
  }));

  const value = ruleResults.length ? applyHitPolicy(table, ruleResults, fail) : defaultOutputs(decision, context);
  const matchedRules: MatchedRule[] = ruleResults.map((r, i) => ({
    ruleId: r.rule.id,
    ruleIndex: used[i].index + 1,
    evaluatedOutputs: table.outputs.map((output, o) => ({ outputId: output.id, outputName: output.name, value: toJson(r.outputs[o]) })),
  }));
  return {
    value,
    record: {
      decisionId: decision.id,
      decisionName: decision.name,
      decisionType: 'DECISION_TABLE',
      result: toJson(value),
      evaluatedInputs: table.inputs.map((input, i) => ({ inputId: input.id, inputName: inputName(input), value: toJson(inputValues[i]) })),
      matchedRules,
    },
  };
}

/**
 * The result when no rule matched: null, unless outputs have default output entries. As in Camunda's
 * engine, only outputs with a default take part, and one such output gives its bare value, whatever the hit policy.
 */
function defaultOutputs(decision: DecisionTableDecision, context: FeelContext): unknown {
  const { table } = decision;
  const withDefault = table.outputs.filter((o) => o.defaultOutputEntry !== null && !isBlank(o.defaultOutputEntry));
  const values = withDefault.map((o) => feel(decision, o.id, `default output entry of ${o.name ?? o.id}`, () => evaluateExpression(o.defaultOutputEntry ?? '', context)));
  if (!withDefault.length) return null;
  if (withDefault.length === 1) return values[0];
  if (withDefault.length === table.outputs.length) return shapeOutputs(table, values);
  return Object.fromEntries(withDefault.map((o, i) => [o.name ?? o.id, values[i]]));
}

/** The FEEL types Camunda checks a decision's result against (other typeRefs are not checked). */
const CHECKED_TYPES = new Set(['string', 'number', 'boolean', 'date', 'time', 'dateTime', 'dayTimeDuration', 'yearMonthDuration']);

function checkResultType(decision: Decision, value: unknown): void {
  const type = decision.resultType?.replace(/^feel:/, '');
  if (!type || !CHECKED_TYPES.has(type) || value === null || value === undefined) return;
  if (feelTypeOf(value) !== type) {
    throw new DecisionError(decision.id, null, `${describe(decision)}: its result ${JSON.stringify(toJson(value))} is not of its variable's type '${type}'`);
  }
}

/** Runs a FEEL evaluation; an exception from it becomes a DecisionError naming where it happened. */
function feel<T>(decision: Decision, elementId: string, where: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof DecisionError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new DecisionError(decision.id, elementId, `${describe(decision)}: ${where}: ${message}`);
  }
}

function describe(decision: Decision): string {
  return decision.name && decision.name !== decision.id ? `decision '${decision.name}' (${decision.id})` : `decision '${decision.id}'`;
}

function inputName(input: InputClause): string {
  return input.label ?? input.expression;
}
