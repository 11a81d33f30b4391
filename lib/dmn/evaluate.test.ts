import { DecisionError, evaluateDecision } from './evaluate';
import type { DecisionModel } from './model';
import { readDmn } from './read';
import { dmnDocument, type LiteralSpec, type TableSpec } from './test-documents';

/** Reads a Modeler-shaped document of these decisions; the tests below are about evaluating it. */
async function modelOf(...decisions: Array<TableSpec | LiteralSpec>): Promise<DecisionModel> {
  const read = await readDmn(dmnDocument(decisions));
  if (!read.ok) throw new Error(`test document has problems: ${JSON.stringify(read.problems)}`);
  return read.model;
}

function errorOf(run: () => unknown): DecisionError {
  try {
    run();
  } catch (err) {
    if (err instanceof DecisionError) return err;
    throw err;
  }
  throw new Error('expected a DecisionError');
}

/** Property fee category by building age and floor area (the shape of a typical single-output table). */
const feeCategory = (hitPolicy?: string): TableSpec => ({
  id: 'fee_category',
  name: 'Fee category',
  hitPolicy,
  inputs: [
    { label: 'Building age', expression: 'building.age', typeRef: 'number' },
    { label: 'Floor area', expression: 'area', typeRef: 'number' },
  ],
  outputs: [{ name: 'category', label: 'Category', values: '"A","B","C"' }],
  rules: [
    [['< 10', '> 100'], ['"A"']],
    [['[10..30]', ''], ['"B"']],
    [['> 30', '-'], ['"C"']],
  ],
});

describe('hit policy UNIQUE', () => {
  it('gives the one matching rule’s output, and is the default when the table names none', async () => {
    const model = await modelOf(feeCategory());
    expect(model.decisions.fee_category.kind === 'decisionTable' && model.decisions.fee_category.table.hitPolicy).toBe('UNIQUE');
    expect(evaluateDecision(model, 'fee_category', { building: { age: 20 }, area: 50 }).result).toBe('B');
    expect(evaluateDecision(model, 'fee_category', { building: { age: 40 }, area: 50 }).result).toBe('C');
  });

  it('gives null when no rule matches', async () => {
    const model = await modelOf(feeCategory('UNIQUE'));
    const evaluation = evaluateDecision(model, 'fee_category', { building: { age: 5 }, area: 80 });
    expect(evaluation.result).toBeNull();
    expect(evaluation.evaluatedDecisions[0].matchedRules).toEqual([]);
  });

  it('fails naming the decision and the rules when two rules match', async () => {
    const spec = feeCategory('UNIQUE');
    spec.rules.push([['>= 20', ''], ['"X"']]);
    const model = await modelOf(spec);
    const table = model.decisions.fee_category.kind === 'decisionTable' ? model.decisions.fee_category.table : null;
    const err = errorOf(() => evaluateDecision(model, 'fee_category', { building: { age: 25 }, area: 50 }));
    expect(err.message).toContain("decision 'Fee category' (fee_category)");
    expect(err.message).toContain(`${table?.rules[1].id}, ${table?.rules[3].id}`);
    expect(err.decisionId).toBe('fee_category');
    expect(err.elementId).toBe(table?.id);
  });
});

describe('hit policy FIRST', () => {
  it('gives the first matching rule and records only it', async () => {
    const spec = feeCategory('FIRST');
    spec.rules.unshift([['>= 20', ''], ['"early"']]);
    const model = await modelOf(spec);
    const evaluation = evaluateDecision(model, 'fee_category', { building: { age: 25 }, area: 50 });
    expect(evaluation.result).toBe('early');
    expect(evaluation.evaluatedDecisions[0].matchedRules.map((r) => r.ruleIndex)).toEqual([1]);
  });

  it('does not evaluate the outputs of later matching rules (as Camunda)', async () => {
    const model = await modelOf({
      id: 'first',
      hitPolicy: 'FIRST',
      inputs: [{ expression: 'x', typeRef: 'number' }],
      outputs: [{ name: 'v', typeRef: 'number' }],
      rules: [
        [['> 0'], ['1']],
        [['> 0'], ['2']],
      ],
    });
    // An output entry that throws when evaluated (the reader would have refused it) shows whether it ran.
    const table = model.decisions.first.kind === 'decisionTable' ? model.decisions.first.table : null;
    if (table) table.rules[1].outputEntries[0] = '1 +';
    expect(evaluateDecision(model, 'first', { x: 4 }).result).toBe(1);
    if (table) table.hitPolicy = 'RULE ORDER';
    expect(errorOf(() => evaluateDecision(model, 'first', { x: 4 })).message).toMatch(new RegExp(`^decision 'first': rule ${table?.rules[1].id}, output v: `));
  });
});

describe('hit policy ANY', () => {
  const spec: TableSpec = {
    id: 'compliance',
    hitPolicy: 'ANY',
    inputs: [
      { label: 'Overdue months', expression: 'overdueMonths', typeRef: 'number' },
      { label: 'Complaints', expression: 'complaints', typeRef: 'number' },
    ],
    outputs: [{ name: 'status' }],
    rules: [
      [['> 3', ''], ['"not compliant"']],
      [['', '> 5'], ['"not compliant"']],
      [['<= 3', '<= 5'], ['"compliant"']],
      [['> 12', ''], ['"revoke"']],
    ],
  };

  it('gives the output all matching rules agree on', async () => {
    const model = await modelOf(spec);
    const evaluation = evaluateDecision(model, 'compliance', { overdueMonths: 6, complaints: 9 });
    expect(evaluation.result).toBe('not compliant');
    expect(evaluation.evaluatedDecisions[0].matchedRules.map((r) => r.ruleIndex)).toEqual([1, 2]);
  });

  it('fails when matching rules give different outputs', async () => {
    const model = await modelOf(spec);
    const err = errorOf(() => evaluateDecision(model, 'compliance', { overdueMonths: 13, complaints: 0 }));
    expect(err.message).toMatch(/hit policy ANY requires the matching rules to give equal outputs, but rules DecisionRule_\w+ and DecisionRule_\w+ differ/);
  });
});

/** Review levels ranked by the output's value list: "board" before "manager" before "clerk". */
const reviewLevel = (hitPolicy: string): TableSpec => ({
  id: 'review_level',
  hitPolicy,
  inputs: [{ label: 'Amount', expression: 'amount', typeRef: 'number' }],
  outputs: [{ name: 'level', values: '"board","manager","clerk"' }],
  rules: [
    [['> 0'], ['"clerk"']],
    [['> 10000'], ['"board"']],
    [['> 1000'], ['"manager"']],
    [['> 500'], ['"clerk"']],
  ],
});

describe('hit policy PRIORITY', () => {
  it('gives the matching output ranked first in the output values', async () => {
    const model = await modelOf(reviewLevel('PRIORITY'));
    expect(evaluateDecision(model, 'review_level', { amount: 20000 }).result).toBe('board');
    expect(evaluateDecision(model, 'review_level', { amount: 2000 }).result).toBe('manager');
    expect(evaluateDecision(model, 'review_level', { amount: 20 }).result).toBe('clerk');
    expect(evaluateDecision(model, 'review_level', { amount: -1 }).result).toBeNull();
  });

  it('ranks numbers and several outputs, the first output deciding first', async () => {
    const model = await modelOf({
      id: 'p',
      hitPolicy: 'PRIORITY',
      inputs: [{ expression: 'x', typeRef: 'number' }],
      outputs: [
        { name: 'grade', typeRef: 'number', values: '3,2,1' },
        { name: 'note', values: '"urgent","normal"' },
      ],
      rules: [
        [['> 0'], ['1', '"urgent"']],
        [['> 0'], ['2', '"normal"']],
        [['> 5'], ['2', '"urgent"']],
      ],
    });
    expect(evaluateDecision(model, 'p', { x: 1 }).result).toEqual({ grade: 2, note: 'normal' });
    expect(evaluateDecision(model, 'p', { x: 9 }).result).toEqual({ grade: 2, note: 'urgent' });
  });
});

describe('hit policy OUTPUT ORDER', () => {
  it('gives every matching output, ranked by the output values', async () => {
    const model = await modelOf(reviewLevel('OUTPUT ORDER'));
    expect(evaluateDecision(model, 'review_level', { amount: 20000 }).result).toEqual(['board', 'manager', 'clerk', 'clerk']);
    expect(evaluateDecision(model, 'review_level', { amount: 700 }).result).toEqual(['clerk', 'clerk']);
  });

  it('gives null, not an empty list, when no rule matches (as Camunda)', async () => {
    const model = await modelOf(reviewLevel('OUTPUT ORDER'));
    expect(evaluateDecision(model, 'review_level', { amount: 0 }).result).toBeNull();
  });
});

describe('hit policy RULE ORDER', () => {
  it('gives every matching output in rule order', async () => {
    const model = await modelOf(reviewLevel('RULE ORDER'));
    const evaluation = evaluateDecision(model, 'review_level', { amount: 2000 });
    expect(evaluation.result).toEqual(['clerk', 'manager', 'clerk']);
    expect(evaluation.evaluatedDecisions[0].matchedRules.map((r) => r.ruleIndex)).toEqual([1, 3, 4]);
  });

  it('gives a list of contexts when the table has several outputs', async () => {
    const model = await modelOf({
      id: 'checks',
      hitPolicy: 'RULE ORDER',
      inputs: [{ expression: 'units', typeRef: 'number' }],
      outputs: [{ name: 'check' }, { name: 'weight', typeRef: 'number' }],
      rules: [
        [['> 100'], ['"fire safety"', '2']],
        [['> 0'], ['"lift"', '']],
      ],
    });
    expect(evaluateDecision(model, 'checks', { units: 150 }).result).toEqual([
      { check: 'fire safety', weight: 2 },
      { check: 'lift', weight: null },
    ]);
  });
});

describe('hit policy COLLECT', () => {
  /** Extra annual leave days: several rules can add up. */
  const leave = (aggregation?: string): TableSpec => ({
    id: 'leave',
    hitPolicy: 'COLLECT',
    aggregation,
    inputs: [
      { label: 'Age', expression: 'age', typeRef: 'number' },
      { label: 'Years of service', expression: 'years', typeRef: 'number' },
    ],
    outputs: [{ name: 'days', typeRef: 'number' }],
    rules: [
      [['', ''], ['22']],
      [['>= 60', ''], ['5']],
      [['', '>= 30'], ['3']],
      [['< 18', ''], ['5']],
    ],
  });

  it('without aggregation gives the list of matching outputs', async () => {
    expect(evaluateDecision(await modelOf(leave()), 'leave', { age: 61, years: 31 }).result).toEqual([22, 5, 3]);
  });

  it.each([
    ['SUM', 30],
    ['MIN', 3],
    ['MAX', 22],
    ['COUNT', 3],
  ])('with %s gives %d', async (aggregation, expected) => {
    expect(evaluateDecision(await modelOf(leave(aggregation)), 'leave', { age: 61, years: 31 }).result).toBe(expected);
  });

  it('gives null when no rule matches, with or without aggregation (as Camunda)', async () => {
    const none: TableSpec = { ...leave('SUM'), rules: [[['< 0', ''], ['1']]] };
    expect(evaluateDecision(await modelOf(none), 'leave', { age: 30, years: 1 }).result).toBeNull();
    expect(evaluateDecision(await modelOf({ ...none, aggregation: undefined }), 'leave', { age: 30, years: 1 }).result).toBeNull();
  });

  it('fails to add up an output that is not a number, naming the rule', async () => {
    const spec = leave('SUM');
    spec.rules[2] = [['', '>= 30'], ['"three"']];
    const model = await modelOf(spec);
    const ruleId = model.decisions.leave.kind === 'decisionTable' ? model.decisions.leave.table.rules[2].id : '';
    const err = errorOf(() => evaluateDecision(model, 'leave', { age: 40, years: 31 }));
    expect(err.message).toBe(`decision 'leave': hit policy COLLECT SUM adds up numbers, but rule ${ruleId} gave "three"`);
    expect(err.elementId).toBe(ruleId);
  });
});

describe('outputs', () => {
  const charges: TableSpec = {
    id: 'charges',
    name: 'Service charges',
    hitPolicy: 'FIRST',
    inputs: [{ label: 'Property type', expression: 'property.type' }],
    outputs: [{ name: 'ratePerSqm', typeRef: 'number' }, { name: 'total', typeRef: 'number' }, { name: 'note' }],
    rules: [
      [['"residential"'], ['1.5', 'property.area * 1.5', '']],
      [['"commercial"'], ['4', 'property.area * 4', '"VAT applies"']],
    ],
  };

  it('several outputs make a context by output name; an empty output entry is null; entries see the variables', async () => {
    const model = await modelOf(charges);
    expect(evaluateDecision(model, 'charges', { property: { type: 'residential', area: 100 } }).result).toEqual({ ratePerSqm: 1.5, total: 150, note: null });
    expect(evaluateDecision(model, 'charges', { property: { type: 'commercial', area: 10 } }).result).toEqual({ ratePerSqm: 4, total: 40, note: 'VAT applies' });
  });

  it('several outputs and no match give null', async () => {
    expect(evaluateDecision(await modelOf(charges), 'charges', { property: { type: 'industrial' } }).result).toBeNull();
  });

  it('default output entries give the result when no rule matches', async () => {
    const spec: TableSpec = {
      ...charges,
      outputs: [
        { name: 'ratePerSqm', typeRef: 'number', defaultEntry: '2' },
        { name: 'total', typeRef: 'number', defaultEntry: 'property.area * 2' },
        { name: 'note', defaultEntry: '"default rate"' },
      ],
    };
    const model = await modelOf(spec);
    expect(evaluateDecision(model, 'charges', { property: { type: 'industrial', area: 7 } }).result).toEqual({ ratePerSqm: 2, total: 14, note: 'default rate' });
    const single = await modelOf({ ...feeCategory('UNIQUE'), outputs: [{ name: 'category', defaultEntry: '"none"' }] });
    expect(evaluateDecision(single, 'fee_category', { building: { age: 5 }, area: 1 }).result).toBe('none');
  });

  it('records the evaluated inputs and each matched rule’s outputs for the history', async () => {
    const model = await modelOf(charges);
    const table = model.decisions.charges.kind === 'decisionTable' ? model.decisions.charges.table : null;
    const evaluation = evaluateDecision(model, 'charges', { property: { type: 'commercial', area: 10 } });
    expect(evaluation.evaluatedDecisions).toEqual([
      {
        decisionId: 'charges',
        decisionName: 'Service charges',
        decisionType: 'DECISION_TABLE',
        result: { ratePerSqm: 4, total: 40, note: 'VAT applies' },
        evaluatedInputs: [{ inputId: 'Input_1', inputName: 'Property type', value: 'commercial' }],
        matchedRules: [
          {
            ruleId: table?.rules[1].id,
            ruleIndex: 2,
            evaluatedOutputs: [
              { outputId: 'Output_1', outputName: 'ratePerSqm', value: 4 },
              { outputId: table?.outputs[1].id, outputName: 'total', value: 40 },
              { outputId: table?.outputs[2].id, outputName: 'note', value: 'VAT applies' },
            ],
          },
        ],
      },
    ]);
  });
});

describe('input entries (FEEL unary tests)', () => {
  /** One-rule table: does `entry` match the input value? */
  async function matches(entry: string, input: unknown, variables: Record<string, unknown> = {}, inputExpression = 'value'): Promise<boolean> {
    const model = await modelOf({ id: 'test', inputs: [{ expression: inputExpression }], outputs: [{ name: 'hit', typeRef: 'boolean' }], rules: [[[entry], ['true']]] });
    return evaluateDecision(model, 'test', { ...variables, value: input }).result === true;
  }

  it.each<[string, unknown, boolean]>([
    ['-', 'anything', true],
    ['', null, true],
    ['"sales"', 'sales', true],
    ['"sales"', 'Sales', false],
    ['"a","b"', 'b', true],
    ['"a","b"', 'c', false],
    ['not("x")', 'y', true],
    ['not("x")', 'x', false],
    ['not("a","b")', 'b', false],
    ['[1..10]', 10, true],
    ['[1..10)', 10, false],
    ['(1..10]', 1, false],
    [']1..10[', 5, true],
    ['> 5', 6, true],
    ['> 5', 5, false],
    ['<= 5', 5, true],
    ['< 10, > 100', 150, true],
    ['< 10, > 100', 50, false],
    ['? > 3', 4, true],
    ['? > 3', 2, false],
    ['5', 5, true],
    ['true', true, true],
    ['false', true, false],
    ['null', null, true],
    ['> 5', null, false],
    ['"5"', 5, false],
  ])('%s against %j → %s', async (entry, input, expected) => {
    expect(await matches(entry, input)).toBe(expected);
  });

  it('tests against variables, lists, functions and dates', async () => {
    expect(await matches('> limit', 12, { limit: 10 })).toBe(true);
    expect(await matches('> limit', 8, { limit: 10 })).toBe(false);
    expect(await matches('[min..max]', 5, { min: 1, max: 9 })).toBe(true);
    expect(await matches('allowed', 'b', { allowed: ['a', 'b'] })).toBe(true);
    expect(await matches('starts with(?, "RM-")', 'RM-12')).toBe(true);
    expect(await matches('matches(?, "^\\d{6}$")', '100000')).toBe(true);
    expect(await matches('overdue', 'whatever', { overdue: true })).toBe(true);
    expect(await matches('< date("2024-06-01")', '2024-01-15', {}, 'date(value)')).toBe(true);
    expect(await matches('< date("2024-06-01")', '2024-07-15', {}, 'date(value)')).toBe(false);
    expect(await matches('> duration("P30D")', null, { since: '2024-01-01' }, 'date("2024-03-01") - date(since)')).toBe(true);
  });

  it('names with spaces work in backticks (Camunda FEEL)', async () => {
    const model = await modelOf({ id: 't', inputs: [{ expression: '`floor area`' }], outputs: [{ name: 'big', typeRef: 'boolean' }], rules: [[['> 100'], ['true']]] });
    expect(evaluateDecision(model, 't', { 'floor area': 120 }).result).toBe(true);
  });
});

describe('literal expressions', () => {
  it('give the expression’s value, temporal values as ISO text', async () => {
    const model = await modelOf(
      { id: 'deadline', expression: 'date(submitted) + duration("P15D")', variable: { name: 'deadline', typeRef: 'date' } },
      { id: 'summary', expression: '{owner: upper case(owner), units: count(units), period: duration("P1Y2M")}' },
    );
    const evaluation = evaluateDecision(model, 'deadline', { submitted: '2024-02-20' });
    expect(evaluation.result).toBe('2024-03-06');
    expect(evaluation.evaluatedDecisions).toEqual([{ decisionId: 'deadline', decisionName: 'deadline', decisionType: 'LITERAL_EXPRESSION', result: '2024-03-06', evaluatedInputs: [], matchedRules: [] }]);
    expect(evaluateDecision(model, 'summary', { owner: 'li', units: [1, 2, 3] }).result).toEqual({ owner: 'LI', units: 3, period: 'P1Y2M' });
  });

  it('a missing variable gives null, as in Camunda 8', async () => {
    const model = await modelOf({ id: 'x', expression: 'missing.field' });
    expect(evaluateDecision(model, 'x', {}).result).toBeNull();
  });

  it("fail when the result is not of the variable's type", async () => {
    const model = await modelOf({ id: 'rate', name: 'Rate', expression: '"high"', variable: { name: 'rate', typeRef: 'number' } });
    const err = errorOf(() => evaluateDecision(model, 'rate', {}));
    expect(err.message).toBe(`decision 'Rate' (rate): its result "high" is not of its variable's type 'number'`);
  });
});

describe('required decisions', () => {
  const drd = () =>
    modelOf(
      {
        id: 'approval_route',
        name: 'Approval route',
        requires: ['risk_level', 'base_fee'],
        inputs: [
          { label: 'Risk', expression: 'risk_level', typeRef: 'string' },
          { label: 'Fee', expression: 'fee', typeRef: 'number' },
        ],
        outputs: [{ name: 'route' }, { name: 'fee', typeRef: 'number' }],
        rules: [
          [
            ['"high"', ''],
            ['"district office"', 'fee'],
          ],
          [
            ['"low"', '> 1000'],
            ['"bureau"', 'fee'],
          ],
          [
            ['"low"', '<= 1000'],
            ['"automatic"', 'fee'],
          ],
        ],
      },
      {
        id: 'risk_level',
        name: 'Risk level',
        requires: ['base_fee'],
        hitPolicy: 'FIRST',
        inputs: [
          { label: 'Complaints', expression: 'complaints', typeRef: 'number' },
          { label: 'Fee', expression: 'fee', typeRef: 'number' },
        ],
        outputs: [{ name: 'risk' }],
        rules: [
          [['> 3', ''], ['"high"']],
          [['', '> 5000'], ['"high"']],
          [['', ''], ['"low"']],
        ],
      },
      { id: 'base_fee', name: 'Base fee', expression: 'area * rate', variable: { name: 'fee', typeRef: 'number' } },
    );

  it('are evaluated first, and the dependent decision sees each result under its result name', async () => {
    const model = await drd();
    expect(evaluateDecision(model, 'approval_route', { area: 100, rate: 8, complaints: 0 }).result).toEqual({ route: 'automatic', fee: 800 });
    expect(evaluateDecision(model, 'approval_route', { area: 100, rate: 20, complaints: 0 }).result).toEqual({ route: 'bureau', fee: 2000 });
    expect(evaluateDecision(model, 'approval_route', { area: 1000, rate: 8, complaints: 0 }).result).toEqual({ route: 'district office', fee: 8000 });
    expect(evaluateDecision(model, 'approval_route', { area: 10, rate: 8, complaints: 5 }).result).toEqual({ route: 'district office', fee: 80 });
  });

  it('each decision is evaluated once and recorded before the decisions needing it', async () => {
    const model = await drd();
    const evaluation = evaluateDecision(model, 'approval_route', { area: 100, rate: 8, complaints: 0 });
    expect(evaluation.evaluatedDecisions.map((d) => [d.decisionId, d.result])).toEqual([
      ['base_fee', 800],
      ['risk_level', 'low'],
      ['approval_route', { route: 'automatic', fee: 800 }],
    ]);
  });

  it('a required result overrides a variable of the same name', async () => {
    const model = await drd();
    expect(evaluateDecision(model, 'approval_route', { area: 100, rate: 8, complaints: 0, fee: 99999, risk_level: 'high' }).result).toEqual({ route: 'automatic', fee: 800 });
  });

  it('a required decision can be called on its own', async () => {
    const model = await drd();
    const evaluation = evaluateDecision(model, 'risk_level', { area: 1000, rate: 8, complaints: 0 });
    expect(evaluation.result).toBe('high');
    expect(evaluation.evaluatedDecisions.map((d) => d.decisionId)).toEqual(['base_fee', 'risk_level']);
  });

  it('keep FEEL values between decisions, so a required date still compares as a date', async () => {
    const model = await modelOf(
      { id: 'due', expression: 'date(received) + duration("P10D")' },
      { id: 'late', requires: ['due'], inputs: [{ expression: 'date(today)' }], outputs: [{ name: 'late', typeRef: 'boolean' }], rules: [[['> due'], ['true']]] },
    );
    expect(evaluateDecision(model, 'late', { received: '2024-05-01', today: '2024-05-20' }).result).toBe(true);
    expect(evaluateDecision(model, 'late', { received: '2024-05-01', today: '2024-05-05' }).result).toBeNull();
  });

  it('a failing required decision fails the call, naming the required decision, with the history so far', async () => {
    const model = await drd();
    const broken = structuredClone(model);
    if (broken.decisions.risk_level.kind === 'decisionTable') broken.decisions.risk_level.table.hitPolicy = 'UNIQUE';
    const err = errorOf(() => evaluateDecision(broken, 'approval_route', { area: 1000, rate: 8, complaints: 9 }));
    expect(err.decisionId).toBe('risk_level');
    expect(err.message).toMatch(/^decision 'Risk level' \(risk_level\): hit policy UNIQUE allows one matching rule, but 3 matched/);
    expect(err.evaluatedDecisions.map((d) => d.decisionId)).toEqual(['base_fee']);
  });
});

describe('errors and plain data', () => {
  it('an unknown decision id fails', async () => {
    const model = await modelOf(feeCategory());
    const err = errorOf(() => evaluateDecision(model, 'nope', {}));
    expect(err.message).toBe("no decision 'nope' in DMN definitions 'Definitions_1'");
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('DecisionError');
  });

  it('a hand-made model with a missing or cyclic requirement fails instead of looping', async () => {
    const model = await modelOf({ id: 'a', expression: '1' }, { id: 'b', expression: '2' });
    model.decisions.a.requiredDecisions = ['b'];
    model.decisions.b.requiredDecisions = ['a'];
    expect(errorOf(() => evaluateDecision(model, 'a', {})).message).toBe("decision 'a': requires itself (a → b → a)");
    model.decisions.b.requiredDecisions = ['gone'];
    expect(errorOf(() => evaluateDecision(model, 'a', {})).message).toBe("decision 'b': requires decision 'gone', which DMN definitions 'Definitions_1' do not have");
  });

  it('an input entry that cannot be evaluated names the rule and the input', async () => {
    const model = await modelOf({ id: 'bad', inputs: [{ label: 'Size', expression: 'size' }], outputs: [{ name: 'o' }], rules: [[['> 1'], ['"ok"']]] });
    const table = model.decisions.bad.kind === 'decisionTable' ? model.decisions.bad.table : null;
    if (table) table.rules[0].inputEntries[0] = '> (';
    const err = errorOf(() => evaluateDecision(model, 'bad', { size: 3 }));
    expect(err.message).toMatch(new RegExp(`^decision 'bad': rule ${table?.rules[0].id}, input Size: `));
    expect(err.elementId).toBe(table?.rules[0].id);
  });

  it('the model and the evaluation are plain JSON', async () => {
    const model = await modelOf(feeCategory(), { id: 'when', expression: 'date and time("2024-01-01T10:00:00") + duration("PT1H")' });
    const copy = JSON.parse(JSON.stringify(model)) as DecisionModel;
    expect(copy).toEqual(model);
    const evaluation = evaluateDecision(copy, 'when', {});
    expect(evaluation.result).toBe('2024-01-01T11:00:00');
    expect(JSON.parse(JSON.stringify(evaluation))).toEqual(evaluation);
  });

  it('does not change the variables it is given', async () => {
    const model = await modelOf({ id: 'f', expression: 'x + 1' });
    const variables = { x: 1 };
    evaluateDecision(model, 'f', variables);
    expect(variables).toEqual({ x: 1 });
  });
});
