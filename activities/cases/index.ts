import type { Knex } from 'knex';
import { createApplyCaseChanges } from './apply-changes';
import { createPrepareChildCase } from './child-cases';
import { createResolveCaseSmsRecipients } from './notify';
import { createServiceTaskActivities } from './services';
import { createDecisionActivities } from './decisions';
import { createSignalTargets } from './signals';

/** Activities of the case workflow: its MySQL writes, SMS recipients, child cases, signal targets, and service tasks. */
export function createCaseActivities(db: Knex) {
  return {
    applyCaseChanges: createApplyCaseChanges(db),
    resolveCaseSmsRecipients: createResolveCaseSmsRecipients(db),
    prepareChildCase: createPrepareChildCase(db),
    signalTargets: createSignalTargets(db),
    ...createServiceTaskActivities(db),
    ...createDecisionActivities(db),
  };
}

export type CaseActivities = ReturnType<typeof createCaseActivities>;
