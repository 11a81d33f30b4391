import fs from 'node:fs';
import path from 'node:path';
import { CASE_RESULT_WORDS, OUTCOME_WORDS } from './words';

/** Every result and outcome a shipped process gives has its words, so no case shows a code. */
describe('the shipped processes’ words', () => {
  const dir = path.join(__dirname, '..', '..', 'processes');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.bpmn'));
  const values = (attr: RegExp) => [...new Set(files.flatMap((f) => [...fs.readFileSync(path.join(dir, f), 'utf8').matchAll(attr)].flatMap((m) => m[1].split(','))))];

  it('names every end event’s result', () => {
    const results = values(/<zeebe:property name="result" value="([^"]+)"/g);
    expect(results.length).toBeGreaterThan(5);
    expect(results.filter((r) => !(r in CASE_RESULT_WORDS))).toEqual([]);
  });

  it('names every user task’s outcome', () => {
    const outcomes = values(/<zeebe:property name="outcomes" value="([^"]+)"/g);
    expect(outcomes).toEqual(expect.arrayContaining(['appeal', 'accept', 'uphold', 'dismiss']));
    expect(outcomes.filter((o) => !(o in OUTCOME_WORDS))).toEqual([]);
  });
});
