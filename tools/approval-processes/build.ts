/**
 * Regenerates processes/<key>.bpmn for the domain approvals from specs.ts and checks each one
 * compiles. Run after changing a spec: npx tsx tools/approval-processes/build.ts. A changed file is a new process
 * version at the next start, and needs a replay history (docs/approvals.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import { compileBpmn } from '../../lib/bpmn/compile';
import { SHIPPED_PROCESSES_DIR } from '../../lib/processes/shipped';
import { overlaps, toBpmn } from './layout';
import { ALL } from './specs';

async function main(): Promise<void> {
  for (const spec of ALL) {
    const problems = overlaps(spec);
    if (problems.length) throw new Error(`${spec.key}: ${problems.join('; ')}`);
    const xml = toBpmn(spec);
    const compiled = await compileBpmn(xml);
    if (!compiled.ok) throw new Error(`${spec.key} does not compile: ${compiled.problems.map((p) => `${p.elementId}: ${p.message}`).join('; ')}`);
    const file = path.join(SHIPPED_PROCESSES_DIR, `${spec.key}.bpmn`);
    const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    if (before !== xml) fs.writeFileSync(file, xml);
    console.log(`${before === xml ? 'unchanged' : 'wrote'} ${path.relative(process.cwd(), file)}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
