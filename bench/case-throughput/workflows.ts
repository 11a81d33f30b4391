// The bench worker's workflows: the real case workflow, and the ceiling it is measured
// against — a bare workflow doing the same number of activity round trips before its first
// task row is visible (the case workflow writes "started", then the task: two activities).
import { proxyActivities } from '@temporalio/workflow';
import type { BenchActivities } from './activities';

export { caseWorkflow } from '../../workflows/case-workflow';

const { benchWrite } = proxyActivities<BenchActivities>({ startToCloseTimeout: '15 seconds' });

export async function bareTwoStepWorkflow(id: string): Promise<void> {
  await benchWrite(id, 'started');
  await benchWrite(id, 'task');
}
