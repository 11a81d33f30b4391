import type { Knex } from 'knex';
import { createDomainApprovalActivities } from './approvals';
import { createBackupActivities } from './backup';
import { createCaseActivities } from './cases';
import { createCreditActivities } from './credit';
import { createRetentionActivities } from './retention';
import { createSystemActivities } from './system';

/** The approvals worker's activities: every side effect of a workflow lives behind one of these. */
export function createApprovalActivities(deps: { db: Knex }) {
  return {
    ...createSystemActivities(deps.db),
    ...createCaseActivities(deps.db),
    ...createDomainApprovalActivities(deps.db),
    ...createBackupActivities(),
    ...createRetentionActivities(deps.db),
    ...createCreditActivities(deps.db),
  };
}

export type ApprovalActivities = ReturnType<typeof createApprovalActivities>;
