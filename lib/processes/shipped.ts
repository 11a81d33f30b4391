import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { formFiles } from '../approvals/forms';
import { insertCodingRuleIfMissing, setCategoryIfMissing } from '../../db/processes';
import { codingRuleProblem } from '../cases/case-numbers';
import type { ProcessCategory } from './lifecycle';
import { publishProcess, type PublishedVersion } from './store';

/**
 * The processes that ship with the platform: every processes/*.bpmn is published at start
 * with the Camunda forms it links, processes/forms/<form id>.form, pinned to the version (a new
 * version only when the BPMN file or a form changed), and processes/coding-rules.json gives each its
 * case-number pattern unless an administrator has already set one. They are enabled when first
 * published (the demo and the tests start them at once); a status or category an administrator
 * chose later is kept. Shipping a new approval is dropping its .bpmn file there, adding its rule
 * (and its category below), and recording a replay history (npm run replay:record).
 */
export const SHIPPED_PROCESSES_DIR = path.resolve(__dirname, '..', '..', 'processes');

/** The category each shipped approval starts in, unless an administrator has chosen one; others are `other`. */
const SHIPPED_CATEGORIES: Record<string, ProcessCategory> = {
  qualification: 'qualification',
  'contract-filing': 'filing',
  'committee-filing': 'filing',
  tender: 'supervision',
  'credit-deduction': 'credit',
  'credit-appeal': 'credit',
  'credit-publication': 'credit',
};

export interface ShippedProcessReport {
  file: string;
  processKey: string;
  version: number;
  changed: boolean;
}

export async function publishShippedProcesses(db: Knex, dir = SHIPPED_PROCESSES_DIR): Promise<ShippedProcessReport[]> {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.bpmn'))
    .sort();
  const rulesFile = path.join(dir, 'coding-rules.json');
  const rules = fs.existsSync(rulesFile) ? (JSON.parse(fs.readFileSync(rulesFile, 'utf8')) as Record<string, string>) : {};
  const reports: ShippedProcessReport[] = [];
  for (const file of files) {
    const xml = fs.readFileSync(path.join(dir, file), 'utf8');
    // The forms are the ones the diagram links, read once it has compiled.
    const forms = (formIds: string[]) => formFiles(formIds, path.join(dir, 'forms'));
    const result = await publishProcess(db, xml, { publishedBy: null, source: 'shipped', skipIfUnchanged: true, forms, newStatus: 'enabled' });
    if (!result.ok) {
      throw new Error(`Shipped process ${file} does not validate: ${result.problems.map((p) => `${p.elementId}: ${p.message}`).join('; ')}`);
    }
    const published: PublishedVersion = result.published;
    const rule = rules[published.processKey];
    if (rule) {
      const problem = codingRuleProblem(rule);
      if (problem) throw new Error(`Coding rule for ${published.processKey} is invalid: ${problem}`);
      await insertCodingRuleIfMissing(db, published.processKey, rule);
    }
    await setCategoryIfMissing(db, published.processKey, SHIPPED_CATEGORIES[published.processKey] ?? 'other');
    reports.push({ file, processKey: published.processKey, version: published.version, changed: !result.unchanged });
  }
  return reports;
}
