import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { ProcessGraph } from '../../lib/bpmn/graph';
import type { LazyTemporalClient } from '../../lib/temporal/client';
import { startingCaseSearchAttributes } from '../../lib/temporal/search-attributes';
import { deleteUnstartedCase, insertStartingCase, setCaseWorkflowId, unstartedCase } from '../../db/cases/cases';
import { processVersionGraph } from '../../db/processes';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { FILE_OWNERS, unlinkFiles } from '../../db/files';
import { allocateCaseNumber } from '../../db/cases/numbers';
import { caseWorkflowId, type CaseWorkflowInput } from '../../workflows/case/contract';
import type { SessionUser } from '../auth/sessions';
import { linkCaseFiles } from './files';
import type { AttachmentInput } from '../../lib/files/attachments';
import { newCheckCode } from '../../lib/cases/case-numbers';

/** What a new case is, once the caller's right to start it and its input have been checked. */
export interface CaseLaunch {
  processKey: string;
  process: { version: number; graph: ProcessGraph; name: string };
  org: { id: number; name: string };
  districtCode: string | null;
  streetCode: string | null;
  user: SessionUser;
  title?: string;
  variables: Record<string, unknown>;
  attachments: AttachmentInput[];
  formData: Record<string, unknown>;
  taskQueue: string;
  smsTaskQueue: string | null;
  /**
   * Ties the new case to what it was started for, in the transaction that creates it (a credit
   * record's notice); false: that already has its case, and nothing is created (LaunchClaimed).
   */
  claim?: (trx: Knex.Transaction, caseId: number) => Promise<boolean>;
}

/** The thing a case was to be started for already has one (CaseLaunch.claim said no): nothing was created. */
export class LaunchClaimed extends Error {}

/**
 * Creates the case row (number, check code, its files) and starts its workflow — a start form's
 * case (POST /api/cases) and a message start event's (POST /api/messages) alike. No workflow, no
 * case: when Temporal refuses, the row and its file links go again and the number is spent.
 */
export async function launchCase(db: Knex, temporal: LazyTemporalClient, l: CaseLaunch): Promise<{ id: number; number: string; checkCode: string; workflowId: string }> {
  const created = await db.transaction(async (trx) => {
    const number = await allocateCaseNumber(trx, l.processKey, l.districtCode);
    const checkCode = newCheckCode();
    const id = await insertStartingCase(trx, {
      number,
      process_key: l.processKey,
      process_version: l.process.version,
      title: (l.title ?? `${l.process.name}（${l.org.name}）`).slice(0, 255),
      applicant_organisation_id: l.org.id,
      district_code: l.districtCode,
      street_code: l.streetCode,
      started_by: l.user.id,
      check_code: checkCode,
      variables: l.variables,
    });
    if (l.claim && !(await l.claim(trx, id))) throw new LaunchClaimed(`case ${number} was not needed: what it was started for has its case`);
    // The files it names become the case's (only their uploader may give them): refused → nothing written.
    await linkCaseFiles(trx, id, l.user, { attachments: l.attachments, formData: l.formData }, 'attachment');
    const workflowId = caseWorkflowId(id, crypto.randomBytes(4).toString('hex'));
    await setCaseWorkflowId(trx, id, workflowId);
    return { id, number, checkCode, workflowId };
  });
  const input: CaseWorkflowInput = {
    caseId: created.id,
    caseNumber: created.number,
    processKey: l.processKey,
    processVersion: l.process.version,
    graph: l.process.graph,
    scope: { organisationId: l.org.id, districtCode: l.districtCode, streetCode: l.streetCode },
    applicant: { userId: l.user.id, username: l.user.username },
    variables: l.variables,
    smsTaskQueue: l.smsTaskQueue,
  };
  try {
    const client = await temporal.get();
    await client.workflow.start('caseWorkflow', {
      taskQueue: l.taskQueue,
      workflowId: created.workflowId,
      args: [input],
      typedSearchAttributes: startingCaseSearchAttributes({ processKey: l.processKey, districtCode: l.districtCode, organisationId: l.org.id }),
    });
  } catch (err) {
    await unlinkFiles(db, { type: FILE_OWNERS.case, id: created.id });
    await deleteUnstartedCase(db, created.id);
    throw err;
  }
  return created;
}

/**
 * Starts the workflow of a case whose row was committed but whose start never came (the API
 * stopped in between): under the workflow id the row holds, so a workflow that did start
 * answers "already started" and nothing runs twice. Answers what it found.
 */
export async function resumeUnstartedCase(db: Knex, temporal: LazyTemporalClient, caseId: number, queues: { taskQueue: string; smsTaskQueue: string | null }, olderThanMs = 120_000): Promise<'resumed' | 'not-needed'> {
  const c = await unstartedCase(db, caseId, olderThanMs);
  if (!c || c.workflowId.startsWith('pending-')) return 'not-needed';
  const version = await processVersionGraph(db, c.processKey, c.processVersion);
  if (!version) return 'not-needed';
  const input: CaseWorkflowInput = {
    caseId: c.id,
    caseNumber: c.number,
    processKey: c.processKey,
    processVersion: c.processVersion,
    graph: version.graph,
    scope: { organisationId: c.organisationId, districtCode: c.districtCode, streetCode: c.streetCode },
    applicant: { userId: c.startedBy, username: c.username },
    variables: c.variables,
    smsTaskQueue: queues.smsTaskQueue,
  };
  const client = await temporal.get();
  try {
    await client.workflow.start('caseWorkflow', {
      taskQueue: queues.taskQueue,
      workflowId: c.workflowId,
      args: [input],
      typedSearchAttributes: startingCaseSearchAttributes({ processKey: c.processKey, districtCode: c.districtCode, organisationId: c.organisationId }),
    });
    return 'resumed';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'not-needed';
    throw err;
  }
}
