import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { findChildCase, insertStartingCase, parentOfChild, setCaseWorkflowId } from '../../db/cases/cases';
import { allocateCaseNumber } from '../../db/cases/numbers';
import { currentVersion } from '../../db/processes';
import { newCheckCode } from '../../lib/cases/case-numbers';
import type { CaseWorkflowInput } from '../../workflows/case/contract';

/** What a call activity asks for: one child case of a process, under a key its workflow chose. */
export interface ChildCaseRequest {
  parentCaseId: number;
  /** `<parent workflow id>.<node>-<visit>-<instance>`: the child's workflow id, and the key of its row. */
  workflowId: string;
  parentKey: string;
  processKey: string;
  variables: Record<string, unknown>;
  smsTaskQueue: string | null;
}

/**
 * Creates the case row of a call activity's child (or finds the one an earlier attempt created:
 * cases are unique by parent and key) and answers the child workflow's input. The child applies
 * for the same organisation, in the same district and street, under the parent's applicant; it
 * runs the called process's current version, numbered by that process's coding rule.
 */
export function createPrepareChildCase(db: Knex) {
  return async function prepareChildCase(req: ChildCaseRequest): Promise<CaseWorkflowInput & { workflowId: string }> {
    const parent = await parentOfChild(db, req.parentCaseId);
    if (!parent) throw ApplicationFailure.nonRetryable(`the calling case ${req.parentCaseId} does not exist`);
    const process = await currentVersion(db, req.processKey);
    // Not retried by Temporal: the case stops with an incident an operator retries once the process is published.
    if (!process) throw ApplicationFailure.nonRetryable(`the called process ${req.processKey} has no published version`, 'ChildProcessMissing');
    if (process.status === 'disabled') throw ApplicationFailure.nonRetryable(`the called process ${req.processKey} is disabled`, 'ChildProcessDisabled');
    const scope = { organisationId: parent.applicant_organisation_id, districtCode: parent.district_code, streetCode: parent.street_code };
    const base = { parentCaseId: req.parentCaseId, processKey: req.processKey, graph: process.graph, scope, applicant: { userId: parent.started_by, username: parent.username }, smsTaskQueue: req.smsTaskQueue, workflowId: req.workflowId };
    const existing = await findChildCase(db, req.parentCaseId, req.parentKey);
    if (existing) {
      const variables = typeof existing.variables === 'string' ? (JSON.parse(existing.variables) as Record<string, unknown>) : (existing.variables ?? {});
      return { ...base, caseId: existing.id, caseNumber: existing.number, processVersion: existing.process_version, variables, workflowId: existing.workflow_id };
    }
    const created = await db.transaction(async (trx) => {
      const number = await allocateCaseNumber(trx, req.processKey, parent.district_code);
      const id = await insertStartingCase(trx, {
        number,
        process_key: req.processKey,
        process_version: process.version,
        title: `${process.name}（${parent.number}）`.slice(0, 255),
        applicant_organisation_id: parent.applicant_organisation_id,
        district_code: parent.district_code,
        street_code: parent.street_code,
        started_by: parent.started_by,
        check_code: newCheckCode(),
        variables: req.variables,
        parent_case_id: req.parentCaseId,
        parent_key: req.parentKey,
      });
      await setCaseWorkflowId(trx, id, req.workflowId);
      return { id, number };
    });
    return { ...base, caseId: created.id, caseNumber: created.number, processVersion: process.version, variables: req.variables };
  };
}
