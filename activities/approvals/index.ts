import type { Knex } from 'knex';
import { filesDirOf, loadConfig } from '../../lib/config';
import { createCommonApprovalActivities } from './common';
import { createCommitteeActivities } from './committee';
import { createContractFilingActivities } from './contract-filing';
import { createCreditAppealActivities } from './credit-appeal';
import { createCreditPublicationActivities } from './credit-publication';
import { createQualificationActivities } from './qualification';
import { createTenderActivities } from './tender';

/**
 * The service-task activities of the domain approvals (processes/*.bpmn), registered in
 * lib/bpmn/service-tasks.ts. Generated documents go to the file store (FILES_DIR, else
 * DATA_DIR/files — the folder the API's download route reads).
 */
export function createDomainApprovalActivities(db: Knex, filesDir?: string) {
  const config = loadConfig();
  const deps = { db, filesDir: filesDir ?? filesDirOf(config) };
  return {
    ...createCommonApprovalActivities(deps),
    ...createQualificationActivities(deps),
    ...createContractFilingActivities(deps),
    ...createTenderActivities(deps),
    ...createCreditAppealActivities(deps),
    ...createCreditPublicationActivities(deps),
    ...createCommitteeActivities(deps),
  };
}
