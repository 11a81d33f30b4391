import { listItems, readDmn, type ReadProblem } from './read';
import { decisionTable, dmnDocument, type TableSpec } from './test-documents';

/** As Camunda Modeler 5 saves a DRD for Camunda 8: a decision table requiring a literal expression. */
const MODELER_FILE = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"
    xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" xmlns:di="http://www.omg.org/spec/DMN/20180521/DI/" xmlns:modeler="http://camunda.org/schema/modeler/1.0"
    id="repair_fund" name="Repair fund" namespace="http://camunda.org/schema/1.0/dmn"
    exporter="Camunda Modeler" exporterVersion="5.25.0" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.5.0">
  <decision id="withdrawal_approval" name="Withdrawal approval">
    <informationRequirement id="InformationRequirement_0x1b2c3">
      <requiredDecision href="#owner_share" />
    </informationRequirement>
    <decisionTable id="DecisionTable_1k9d8sa" hitPolicy="FIRST">
      <input id="Input_1" label="Amount">
        <inputExpression id="InputExpression_1" typeRef="number">
          <text>amount</text>
        </inputExpression>
      </input>
      <input id="InputClause_0c4l2xq" label="Owners in favour">
        <inputExpression id="LiteralExpression_1u7t0cb" typeRef="number">
          <text>ownerShare</text>
        </inputExpression>
      </input>
      <output id="Output_1" label="Approved" name="approved" typeRef="boolean" />
      <output id="OutputClause_1d3pq0v" label="Level" name="level" typeRef="string">
        <outputValues id="UnaryTests_0ak1w2e">
          <text>"bureau","committee"</text>
        </outputValues>
      </output>
      <rule id="DecisionRule_0p3x6qf">
        <description>Small repairs need a simple majority</description>
        <inputEntry id="UnaryTests_1b0vm5k">
          <text>&lt;= 50000</text>
        </inputEntry>
        <inputEntry id="UnaryTests_0n8x4ad">
          <text>&gt;= 0.5</text>
        </inputEntry>
        <outputEntry id="LiteralExpression_0wq5m1r">
          <text>true</text>
        </outputEntry>
        <outputEntry id="LiteralExpression_1j2k3l4">
          <text>"committee"</text>
        </outputEntry>
      </rule>
      <rule id="DecisionRule_1y7ab2c">
        <inputEntry id="UnaryTests_0q9w8e7">
          <text></text>
        </inputEntry>
        <inputEntry id="UnaryTests_1r5t6y7">
          <text>&gt;= 2/3</text>
        </inputEntry>
        <outputEntry id="LiteralExpression_0u8i9o0">
          <text>true</text>
        </outputEntry>
        <outputEntry id="LiteralExpression_1p2a3s4">
          <text>"bureau"</text>
        </outputEntry>
      </rule>
      <rule id="DecisionRule_0d5f6g7">
        <inputEntry id="UnaryTests_1h8j9k0">
          <text>-</text>
        </inputEntry>
        <inputEntry id="UnaryTests_0l1z2x3">
          <text></text>
        </inputEntry>
        <outputEntry id="LiteralExpression_1c4v5b6">
          <text>false</text>
        </outputEntry>
        <outputEntry id="LiteralExpression_0n7m8q9">
          <text></text>
        </outputEntry>
      </rule>
    </decisionTable>
  </decision>
  <decision id="owner_share" name="Owner share">
    <variable id="InformationItem_0z1x2c3" name="ownerShare" typeRef="number" />
    <literalExpression id="LiteralExpression_0v4b5n6">
      <text>votesInFavour / owners</text>
    </literalExpression>
  </decision>
  <dmndi:DMNDI>
    <dmndi:DMNDiagram>
      <dmndi:DMNShape dmnElementRef="withdrawal_approval">
        <dc:Bounds height="80" width="180" x="160" y="100" />
      </dmndi:DMNShape>
      <dmndi:DMNShape id="DMNShape_1q2w3e4" dmnElementRef="owner_share">
        <dc:Bounds height="80" width="180" x="160" y="280" />
      </dmndi:DMNShape>
      <dmndi:DMNEdge id="DMNEdge_0a1s2d3" dmnElementRef="InformationRequirement_0x1b2c3">
        <di:waypoint x="250" y="280" />
        <di:waypoint x="250" y="200" />
        <di:waypoint x="250" y="180" />
      </dmndi:DMNEdge>
    </dmndi:DMNDiagram>
  </dmndi:DMNDI>
</definitions>
`;

async function problemsOf(xml: string): Promise<ReadProblem[]> {
  const read = await readDmn(xml);
  if (read.ok) throw new Error('expected problems, but the document read cleanly');
  return read.problems;
}

const simpleTable = (over: Partial<TableSpec> = {}): TableSpec => ({
  id: 'd1',
  name: 'Decision 1',
  inputs: [{ label: 'Kind', expression: 'kind' }],
  outputs: [{ name: 'result' }],
  rules: [[['"a"'], ['1']]],
  ...over,
});

describe('readDmn: a file as Camunda Modeler 5 saves it', () => {
  it('compiles every decision, table and requirement into plain data', async () => {
    const read = await readDmn(MODELER_FILE);
    expect(read).toEqual({
      ok: true,
      model: {
        id: 'repair_fund',
        name: 'Repair fund',
        decisions: {
          withdrawal_approval: {
            id: 'withdrawal_approval',
            name: 'Withdrawal approval',
            resultName: 'withdrawal_approval',
            resultType: null,
            requiredDecisions: ['owner_share'],
            kind: 'decisionTable',
            table: {
              id: 'DecisionTable_1k9d8sa',
              hitPolicy: 'FIRST',
              aggregation: null,
              inputs: [
                { id: 'Input_1', label: 'Amount', expression: 'amount' },
                { id: 'InputClause_0c4l2xq', label: 'Owners in favour', expression: 'ownerShare' },
              ],
              outputs: [
                { id: 'Output_1', label: 'Approved', name: 'approved', outputValues: [], defaultOutputEntry: null },
                { id: 'OutputClause_1d3pq0v', label: 'Level', name: 'level', outputValues: ['bureau', 'committee'], defaultOutputEntry: null },
              ],
              rules: [
                { id: 'DecisionRule_0p3x6qf', description: 'Small repairs need a simple majority', inputEntries: ['<= 50000', '>= 0.5'], outputEntries: ['true', '"committee"'] },
                { id: 'DecisionRule_1y7ab2c', description: null, inputEntries: ['', '>= 2/3'], outputEntries: ['true', '"bureau"'] },
                { id: 'DecisionRule_0d5f6g7', description: null, inputEntries: ['-', ''], outputEntries: ['false', ''] },
              ],
            },
          },
          owner_share: {
            id: 'owner_share',
            name: 'Owner share',
            resultName: 'ownerShare',
            resultType: 'number',
            requiredDecisions: [],
            kind: 'literalExpression',
            expressionId: 'LiteralExpression_0v4b5n6',
            expression: 'votesInFavour / owners',
          },
        },
      },
    });
  });

  it('reads every hit policy and aggregation Camunda offers', async () => {
    for (const [hitPolicy, aggregation] of [['UNIQUE'], ['FIRST'], ['PRIORITY'], ['ANY'], ['COLLECT'], ['COLLECT', 'SUM'], ['COLLECT', 'MIN'], ['COLLECT', 'MAX'], ['COLLECT', 'COUNT'], ['RULE ORDER'], ['OUTPUT ORDER']]) {
      const read = await readDmn(dmnDocument([simpleTable({ hitPolicy, aggregation })]));
      const decision = read.ok ? read.model.decisions.d1 : null;
      expect(decision?.kind === 'decisionTable' && [decision.table.hitPolicy, decision.table.aggregation]).toEqual([hitPolicy, aggregation ?? null]);
    }
  });

  it('ignores an aggregation on a hit policy other than COLLECT, as Camunda does', async () => {
    const read = await readDmn(dmnDocument([simpleTable({ hitPolicy: 'FIRST', aggregation: 'SUM' })]));
    expect(read.ok && read.model.decisions.d1.kind === 'decisionTable' && read.model.decisions.d1.table.aggregation).toBeNull();
  });

  it('accepts names with spaces of required decisions and FEEL namespaces as expression language', async () => {
    const xml = dmnDocument([
      { id: 'rate', name: 'Discount rate', expression: '0.1', variable: { name: 'Discount rate', typeRef: 'number' } },
      { id: 'price', requires: ['rate'], expression: 'list price * (1 - Discount rate)' },
    ]).replace('<literalExpression id', '<literalExpression expressionLanguage="https://www.omg.org/spec/DMN/20191111/FEEL/" id');
    const read = await readDmn(xml);
    expect(read.ok && read.model.decisions.price).toMatchObject({ requiredDecisions: ['rate'], expression: 'list price * (1 - Discount rate)' });
  });
});

describe('readDmn: problems, each naming its element', () => {
  it('an unknown hit policy and an unknown aggregation', async () => {
    const xml = dmnDocument([simpleTable({ hitPolicy: 'FOO' }), simpleTable({ id: 'd2', name: 'Decision 2', hitPolicy: 'COLLECT', aggregation: 'AVG' })]);
    const tableIds = [...xml.matchAll(/<decisionTable id="([^"]+)"/g)].map((m) => m[1]);
    expect(await problemsOf(xml)).toEqual([
      { elementId: tableIds[0], message: "decision 'Decision 1' (d1): unknown hit policy 'FOO' (one of UNIQUE, FIRST, PRIORITY, ANY, COLLECT, RULE ORDER, OUTPUT ORDER)" },
      { elementId: tableIds[1], message: "decision 'Decision 2' (d2): unknown aggregation 'AVG' (one of SUM, MIN, MAX, COUNT)" },
    ]);
  });

  it('input entries that are not FEEL unary tests and output entries that are not FEEL, all of them at once', async () => {
    const xml = dmnDocument([
      simpleTable({
        inputs: [{ label: 'Kind', expression: 'kind' }],
        rules: [
          [['[1..'], ['1']],
          [['"a'], ['1 +']],
          [['> 5'], ['{a: }']],
        ],
      }),
    ]);
    const entryIds = [...xml.matchAll(/<(?:inputEntry|outputEntry) id="([^"]+)"/g)].map((m) => m[1]);
    const ruleIds = [...xml.matchAll(/<rule id="([^"]+)"/g)].map((m) => m[1]);
    const problems = await problemsOf(xml);
    expect(problems.map((p) => p.elementId)).toEqual([entryIds[0], entryIds[2], entryIds[3], entryIds[5]]);
    expect(problems[0].message).toBe(`decision 'Decision 1' (d1): rule 1 (${ruleIds[0]}): input entry "[1.." for input 'Kind' is not valid FEEL unary tests: it ends too early`);
    expect(problems[1].message).toMatch(/^decision 'Decision 1' \(d1\): rule 2 \(\w+\): input entry ""a" for input 'Kind' is not valid FEEL unary tests: /);
    expect(problems[2].message).toBe(`decision 'Decision 1' (d1): rule 2 (${ruleIds[1]}): output entry "1 +" for output 'result' is not valid FEEL: it ends too early`);
    expect(problems[3].message).toMatch(/rule 3 \(\w+\): output entry "\{a: \}" for output 'result' is not valid FEEL: unexpected '}' at character 5$/);
  });

  it('input expressions, input values, output values and default output entries are checked too', async () => {
    const xml = dmnDocument([
      simpleTable({
        inputs: [
          { label: 'Kind', expression: 'kind +', values: '"a",' },
          { label: 'Empty', expression: '' },
        ],
        outputs: [{ name: 'result', values: '"x" "y"', defaultEntry: '(' }],
        rules: [[['"a"', ''], ['1']]],
      }),
    ]);
    const messages = (await problemsOf(xml)).map((p) => [p.elementId, p.message]);
    expect(messages).toEqual([
      ['Input_1', "decision 'Decision 1' (d1): input 'Kind': input expression is not valid FEEL: it ends too early"],
      [expect.stringMatching(/^UnaryTests_/), "decision 'Decision 1' (d1): input 'Kind': input values is not valid FEEL unary tests: it ends too early"],
      [expect.stringMatching(/^InputClause_/), "decision 'Decision 1' (d1): input 'Empty' has no input expression"],
      [expect.stringMatching(/^UnaryTests_/), `decision 'Decision 1' (d1): output 'result': output values is not valid FEEL unary tests: unexpected '"y"' at character 5`],
      [expect.stringMatching(/^LiteralExpression_/), "decision 'Decision 1' (d1): output 'result': default output entry is not valid FEEL: it ends too early"],
    ]);
  });

  it('a required decision that does not exist', async () => {
    const xml = dmnDocument([simpleTable({ requires: ['ghost'] })]);
    expect(await problemsOf(xml)).toEqual([{ elementId: 'd1', message: "decision 'Decision 1' (d1) requires decision '#ghost', which the file does not have" }]);
  });

  it('a cycle in the requirements, and a decision requiring itself', async () => {
    const xml = dmnDocument([
      { id: 'a', expression: 'b + 1', requires: ['b'] },
      { id: 'b', expression: 'c + 1', requires: ['c'] },
      { id: 'c', expression: 'a + 1', requires: ['a'] },
      { id: 'self', expression: 'self', requires: ['self'] },
    ]);
    expect(await problemsOf(xml)).toEqual([
      { elementId: 'a', message: 'decisions require each other in a cycle: a → b → c → a' },
      { elementId: 'self', message: 'decisions require each other in a cycle: self → self' },
    ]);
  });

  it('a decision with neither a decision table nor a literal expression', async () => {
    const xml = dmnDocument([
      '  <decision id="empty" name="Empty" />\n',
      `  <decision id="boxed" name="Boxed">
    <context id="Context_1">
      <contextEntry>
        <literalExpression id="LiteralExpression_9"><text>1</text></literalExpression>
      </contextEntry>
    </context>
  </decision>
`,
    ]);
    expect(await problemsOf(xml)).toEqual([
      { elementId: 'empty', message: "decision 'Empty' (empty) has neither a decision table nor a literal expression" },
      { elementId: 'boxed', message: "decision 'Boxed' (boxed) has neither a decision table nor a literal expression (it has a Context, which is not supported)" },
    ]);
  });

  it('a file without decisions', async () => {
    expect(await problemsOf(dmnDocument([], 'Definitions_empty'))).toEqual([{ elementId: 'Definitions_empty', message: 'the DMN file has no decision' }]);
  });

  it('several outputs without names, or with aggregation', async () => {
    const xml = dmnDocument([simpleTable({ hitPolicy: 'COLLECT', aggregation: 'SUM', outputs: [{ name: 'a' }, { label: 'Unnamed' }, { name: 'a' }], rules: [[['1'], ['1', '2', '3']]] })]);
    const problems = await problemsOf(xml);
    expect(problems.map((p) => p.message)).toEqual([
      "decision 'Decision 1' (d1): output 'Unnamed' has no name (a table with several outputs needs one for each)",
      "decision 'Decision 1' (d1): two outputs are named 'a'",
      "decision 'Decision 1' (d1): hit policy COLLECT with aggregation SUM needs a single output, but the table has 3",
    ]);
  });

  it('a rule with too few or too many entries, and a table without outputs', async () => {
    const short = dmnDocument([simpleTable({ inputs: [{ expression: 'a' }, { expression: 'b' }], rules: [[['1'], ['1', '2']]] })]);
    expect((await problemsOf(short)).map((p) => p.message.replace(/\(DecisionRule_\w+\)/, '(rule)'))).toEqual([
      "decision 'Decision 1' (d1): rule 1 (rule) has 1 input entries, but the table has 2 inputs",
      "decision 'Decision 1' (d1): rule 1 (rule) has 2 output entries, but the table has 1 outputs",
    ]);
    const noOutput = dmnDocument([simpleTable({ outputs: [], rules: [] })]);
    expect((await problemsOf(noOutput)).map((p) => p.message)).toEqual(["decision 'Decision 1' (d1): the decision table has no output"]);
  });

  it('an empty literal expression, another expression language, a business knowledge model', async () => {
    const xml = dmnDocument([
      { id: 'blank', expression: ' ' },
      { id: 'juel', expression: '${a}' },
      `  <decision id="bkm_user" name="BKM user">
    <knowledgeRequirement id="KnowledgeRequirement_1">
      <requiredKnowledge href="#bkm" />
    </knowledgeRequirement>
    <literalExpression id="LiteralExpression_x"><text>f(1)</text></literalExpression>
  </decision>
`,
    ]).replace(/(<decision id="juel"[^]*?<literalExpression) /, '$1 expressionLanguage="juel" ');
    expect((await problemsOf(xml)).map((p) => p.message)).toEqual([
      "decision 'blank': its literal expression is empty",
      "decision 'juel': literal expression: expression language 'juel' is not supported (only FEEL)",
      "decision 'BKM user' (bkm_user) requires a business knowledge model, which is not supported",
    ]);
  });

  it('duplicate ids, as the XML reader reports them, with the line', async () => {
    const xml = dmnDocument([simpleTable(), simpleTable()]);
    const problems = await problemsOf(xml);
    expect(problems[0]).toEqual({ elementId: 'd1', message: `unparsable content <decision> detected: duplicate ID <d1> (line ${xml.split('\n').findIndex((l, i) => i > 3 && l.includes('<decision id="d1"')) + 1})` });
  });

  it('a document that is not DMN 1.3 XML', async () => {
    expect(await problemsOf('no xml here')).toEqual([{ elementId: '', message: 'not a readable DMN file: unparsable content no xml here detected' }]);
    const dmn11 = '<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="http://www.omg.org/spec/DMN/20151101/dmn.xsd" id="old"><decision id="d" /></definitions>';
    expect(await problemsOf(dmn11)).toEqual([{ elementId: '', message: 'not a readable DMN file: failed to parse document as <dmn:Definitions> (a DMN 1.3 file is expected, namespace https://www.omg.org/spec/DMN/20191111/MODEL/)' }]);
  });

  it('a diagram shape pointing at a missing element is no problem: it spoils only the drawing', async () => {
    const xml = dmnDocument([simpleTable()]).replace('<dmndi:DMNDiagram>', '<dmndi:DMNDiagram>\n      <dmndi:DMNShape dmnElementRef="gone"><dc:Bounds height="80" width="180" x="0" y="0" /></dmndi:DMNShape>');
    expect((await readDmn(xml)).ok).toBe(true);
  });

  it('decision tables built by the test helper read cleanly (the helper makes valid files)', async () => {
    expect((await readDmn(dmnDocument([decisionTable(simpleTable())]))).ok).toBe(true);
  });
});

describe('listItems', () => {
  it('splits an output value list, dropping string quotes', () => {
    expect(listItems('"low","medium", "high"')).toEqual(['low', 'medium', 'high']);
    expect(listItems('"a, b","c \\"d\\""')).toEqual(['a, b', 'c "d"']);
    expect(listItems('3, 2,1')).toEqual(['3', '2', '1']);
    expect(listItems('')).toEqual([]);
  });
});
