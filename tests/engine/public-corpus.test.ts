import fs from 'node:fs';
import path from 'node:path';
import type TestAgent from 'supertest/lib/agent';
import { compileBpmn } from '../../lib/bpmn/compile';
import { startMessageOf, type ProcessGraph } from '../../lib/bpmn/graph';
import type { FormSchema } from '../../lib/forms/form-schema';
import { caseDriver, publishDecisionFiles, sampleFormData, startCorpusEngine } from './corpus-driver';
import { caseRow, startCase, type Engine } from './harness';

/**
 * The acceptance run over Camunda's own public files (docs/process-engine.md, "Camunda's public
 * files"): every .bpmn file in PUBLIC_BPMN_DIR — e.g. those of camunda/camunda-8-tutorials and
 * camunda-community-hub/camunda-8-examples — is published through POST /api/processes with only
 * its roles and users mapped (candidate groups → city_staff, candidate users and assignees →
 * city.staff), after the directory's .dmn files (POST /api/decisions) and with the .form files
 * of PUBLIC_FORMS_DIR (or the same directory) as its linked forms. A case of each published file
 * is driven to its end by tests/engine/corpus-driver.ts, acting as users, job workers, outside
 * systems and, where the run cannot know the data a gateway or a long timer waits for, as an
 * operator moving the case on. It prints the publish rate, the refusal reasons and each run.
 *
 * The files are not part of this repository: without PUBLIC_BPMN_DIR the run is skipped.
 *   PUBLIC_BPMN_DIR=/tmp/public-bpmn npx jest --runTestsByPath tests/engine/public-corpus.test.ts
 */
const DIR = process.env.PUBLIC_BPMN_DIR;
const FORMS_DIR = process.env.PUBLIC_FORMS_DIR ?? DIR;
const run = DIR ? describe : describe.skip;

/**
 * Data a few files' expressions need and nothing in them gives — a correlation key, a job type
 * built from a request id, the lists and prices their job workers would answer — as start
 * variables, or (for a file with a start form, which takes only its fields) as what every job
 * answers; by file name.
 */
const HINTS: Array<[RegExp, { start?: Record<string, unknown>; jobs?: Record<string, unknown>; messages?: Record<string, unknown> }]> = [
  [/responseProcess\.bpmn$/, { start: { requestId: 'acceptance-1' } }],
  [/Bank_customer_complaint_dispute_handling\.bpmn$/, { start: { disputeDetails: { disputeId: 'D-1' } } }],
  [/rollback-process\.bpmn$/, { start: { validateDataType: 'validate-data', saveDataType: 'save-data' } }],
  [
    /telco-service-order-fulfillment-retail\.bpmn$/,
    {
      start: {
        orderItems: [
          { type: 'hardware', price: 100, reocurring: null },
          { type: 'mobile', price: 20, reocurring: 'monthly' },
        ],
      },
    },
  ],
  [
    /CI-CD Pipeline\.bpmn$/,
    {
      jobs: { fileDetailList: [{ name: 'a.bpmn' }], folder: { metadata: { name: 'blueprints' }, content: { files: [{ name: 'a.bpmn' }] } }, mergeRequestWebhookPayload: { object_attributes: { action: 'merge' } } },
      // What its webhooks' result expressions would make of GitLab's calls: a merged request, successful deployments.
      messages: {
        mergeRequestWebhookPayload: { object_attributes: { action: 'merge' } },
        devDeploymentWebhookPayload: { deployedFolder: 'blueprints', status: 'success' },
        stageDeploymentWebhookPayload: { deployedFolder: 'blueprints', status: 'success' },
        prodDeploymentWebhookPayload: { deployedFolder: 'blueprints', status: 'success' },
      },
    },
  ],
  [/Capital_Market_Trade_Exception_Remediation_Processing\.bpmn$/, { jobs: { orderType: 'BUY_LIMIT', limitPricePerStock: { price: 100 }, marketPrice: { price: 100 }, orderExpiryDate: '2099-01-01T00:00:00Z' } }],
];
const hintsFor = (file: string) => HINTS.find(([re]) => re.test(file))?.[1] ?? {};

const mapRoles = (xml: string) =>
  xml
    .replace(/candidateGroups="[^"]*"/g, 'candidateGroups="city_staff"')
    .replace(/candidateUsers="[^"]*"/g, 'candidateUsers="city.staff"')
    .replace(/assignee="[^"]*"/g, 'assignee="city.staff"');

run('Camunda’s public files (PUBLIC_BPMN_DIR)', () => {
  let engine: Engine;
  let admin: TestAgent;
  let usernames = new Map<number, string>();

  beforeAll(async () => {
    ({ engine, admin, usernames } = await startCorpusEngine());
  });
  afterAll(() => engine.stop());

  it(
    'publishes at least 80 % after mapping roles and users, and runs a case of each published file to its end',
    async () => {
      // PUBLIC_BPMN_ONLY narrows the run to the files whose names contain it (to look at one).
      const files = fs
        .readdirSync(DIR!)
        .filter((f) => f.endsWith('.bpmn') && f.includes(process.env.PUBLIC_BPMN_ONLY ?? ''))
        .sort();
      for (const r of await publishDecisionFiles(admin, DIR!, /\.dmnx?$/)) console.log(`decisions ${r.file}: ${r.status} ${r.detail}`);
      const forms: Record<string, unknown> = {};
      for (const f of fs.readdirSync(FORMS_DIR!).filter((f) => f.endsWith('.form'))) {
        try {
          const form = JSON.parse(fs.readFileSync(path.join(FORMS_DIR!, f), 'utf8')) as { id?: string };
          if (form.id) forms[form.id] = form;
        } catch {
          console.log(`form ${f}: not JSON, skipped`);
        }
      }
      // Cases are applied for by an enterprise of 姑苏区, so the bureau's staff may act on them; 待分配 tasks go to its district staff.
      const enterprise = (await engine.db('users').where('username', 'dongwu.ent').first('organisation_id')).organisation_id as number;
      const place = { applicantOrganisationId: enterprise, districtCode: '320508' };
      const driverFor = (file: string) =>
        caseDriver(engine, admin, usernames, {
          roleActor: { city_staff: 'city.staff', district_staff: 'gusu.staff' },
          operate: true,
          budgetMs: 90_000,
          listsFromJobs: true,
          anyJobVariables: hintsFor(file).jobs,
          anyMessageVariables: hintsFor(file).messages,
        });
      const rows: Array<{ file: string; published: boolean; detail: string; ran?: string; graph?: ProcessGraph }> = [];
      // Every file is published first: a call activity's process may come later in the list.
      for (const file of files) {
        const xml = mapRoles(fs.readFileSync(path.join(DIR!, file), 'utf8'));
        const compiled = await compileBpmn(xml);
        const linked = compiled.ok ? Object.fromEntries(Object.entries(forms).filter(([id]) => xml.includes(`formId="${id}"`))) : {};
        const res = await admin.post('/api/processes').send({ xml, status: 'enabled', ...(Object.keys(linked).length ? { forms: linked } : {}) });
        if (res.status !== 201 || !compiled.ok) {
          rows.push({ file, published: false, detail: ((res.body.error?.details ?? []) as Array<{ field: string; reason: string }>).map((d) => `${d.field}: ${d.reason}`).join(' | ') || JSON.stringify(res.body.error) });
          continue;
        }
        rows.push({ file, published: true, detail: `${res.body.processKey} v${res.body.version}`, graph: compiled.graph });
      }
      for (const row of rows.filter((r) => r.published)) {
        const { file } = row;
        const compiled = { graph: row.graph! };
        try {
          const message = startMessageOf(compiled.graph);
          const startNode = compiled.graph.nodes[compiled.graph.startNodeId];
          const startForm = startNode?.kind === 'start' && startNode.formId ? (forms[startNode.formId] as FormSchema | undefined) : undefined;
          const variables = { ...sampleFormData(startForm), ...hintsFor(file).start };
          const caseId = message
            ? ((await admin.post('/api/messages').send({ name: message, correlationKey: 'acceptance', variables, ...place })).body.started?.[0]?.id as number)
            : (await startCase(admin, compiled.graph.processKey, variables, place)).id;
          if (!caseId) throw new Error('no case started');
          const log = await driverFor(file)(compiled.graph, caseId, file);
          const end = await caseRow(engine.db, caseId);
          row.ran = `${end.status} (${end.result}) after ${log.length} steps${log.some((l) => l.startsWith('operator')) ? `, ${log.filter((l) => l.startsWith('operator')).length} by the operator` : ''}`;
        } catch (err) {
          row.ran = `FAILED: ${(err as Error).message.slice(0, 3000)}`;
        }
      }
      const published = rows.filter((r) => r.published);
      const ended = published.filter((r) => r.ran?.startsWith('completed'));
      console.log(
        [
          `Camunda public files: ${published.length} of ${rows.length} publish (${Math.round((100 * published.length) / rows.length)} %), ${ended.length} of ${published.length} ran to an end`,
          ...rows.map((r) => `${r.published ? 'published' : 'refused  '} ${r.file}\n    ${r.published ? r.ran : r.detail.slice(0, 600)}`),
        ].join('\n'),
      );
      expect(published.length / rows.length).toBeGreaterThanOrEqual(0.8);
      expect(published.filter((r) => !r.ran?.startsWith('completed')).map((r) => `${r.file}: ${r.ran}`)).toEqual([]);
    },
    40 * 60_000,
  );
});
