// Every workflow the approvals worker runs. Only deterministic code may be imported here.
export { selfCheckWorkflow } from './self-check';
export { caseWorkflow } from './case-workflow';
export { backupWorkflow } from './backup';
export { retentionWorkflow } from './retention';
export { creditRatingWorkflow, creditRecomputeWorkflow } from './credit-rating';
export { creditCapAlertWorkflow } from './credit-alert';
