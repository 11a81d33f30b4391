import fs from 'node:fs';
import path from 'node:path';
import { incidentHasWords, incidentInWords } from './incident-words';

const ROOT = path.join(__dirname, '..', '..');

/** Every .ts file under a folder, tests left out. */
function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return sources(rel);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [rel] : [];
  });
}

/**
 * The message templates that can stop a case: each `new Incident(`…`)` of the engine, the BPMN
 * error nobody caught, the service task failing after its retries, and the non-retryable
 * failures of the activities a case waits on. A sample message is made of each by putting a
 * plain word where the template interpolates (`input`/`output` for a mapping's kind).
 */
function incidentTemplates(): Array<{ file: string; template: string }> {
  const found: Array<{ file: string; template: string }> = [];
  const files = [...sources('workflows/case'), 'activities/cases/child-cases.ts', 'activities/cases/decisions.ts'];
  const sites = [/new Incident\(`([^`]*)`/g, /ApplicationFailure\.nonRetryable\(`([^`]*)`/g, /type: 'DecisionFailed', message: `([^`]*)`/g, /super\(message \?\? `([^`]*)`/g, /return `([^`]*failed after its retries[^`]*)`/g];
  for (const file of files) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    for (const site of sites) for (const m of text.matchAll(site)) found.push({ file, template: m[1] });
  }
  return found;
}

// A business rule task's incident carries the decision activity's own failure (scanned above too).
const DECISION_FAILURE = 'the decision el_1 is not published (POST /api/decisions)';
const sampleOf = (expr: string) => (expr.trim() === 'kind' ? 'output' : expr.includes('cause.message') ? DECISION_FAILURE : 'el_1');
const sample = (template: string) => template.replace(/\$\{([^}]*(?:\{[^}]*\}[^}]*)*)\}/g, (_, expr: string) => sampleOf(expr));

describe('incident messages in words', () => {
  const templates = incidentTemplates();

  it('finds the engine’s incident messages', () => {
    // A change in how incidents are thrown that this scan misses would make the next test pass vacuously.
    expect(templates.length).toBeGreaterThanOrEqual(30);
  });

  it.each(templates.map((t) => [t.file, t.template]))('%s: "%s" reads in Chinese', (_file, template) => {
    const message = sample(template);
    expect(incidentHasWords(message)).toBe(true);
    const zh = incidentInWords(message);
    expect(zh).toMatch(/[\u4e00-\u9fff]/);
    // No English left but the sample's own words and the element names BPMN gives them.
    expect(zh.replace(/el_1|output|inputCollection|processId|BPMN/g, '')).not.toMatch(/[A-Za-z]{3,}/);
  });

  it('puts nested causes in words, names roles and statuses, and leaves English and the unknown as written', () => {
    expect(incidentInWords('boundary timer nag of review: timer "abc" is not a duration')).toBe('review 的边界定时器 nag：定时器“abc”不是有效的时长');
    expect(incidentInWords("nobody can hold task districtReview: no active user with the role district_staff or street_office works in the case's area")).toBe(
      '任务 districtReview 无人可办：案件所在区域没有角色为“区局工作人员或街道办事处”的在用账号',
    );
    expect(incidentInWords('nobody can hold task review: its assignee and candidate users (ghost; nobody.here) name no active user')).toBe('任务 review 无人可办：办理人和候选用户（ghost、nobody.here）都不是在用账号');
    expect(incidentInWords('the called case QY-1 (child) ended terminated, not completed')).toBe('被调案件 QY-1（child）以“已终止”结束，没有办结');
    expect(incidentInWords('核验 (check) failed after its retries: ERP down')).toBe('核验（check）重试后仍然失败：ERP down');
    expect(incidentInWords('信用评级: the decision credit-level is not published (POST /api/decisions)')).toBe('信用评级：决策 credit-level 尚未发布');
    expect(incidentInWords('no branch of gateway gw matched and it has no default flow', 'en')).toBe('no branch of gateway gw matched and it has no default flow');
    expect(incidentInWords('something new went wrong')).toBe('something new went wrong');
    expect(incidentInWords(null)).toBe('');
  });
});
