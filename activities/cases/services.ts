import type { Knex } from 'knex';
import { literalOrFeel } from '../../lib/bpmn/feel';
import type { ServiceTaskInput, ServiceTaskResult } from '../../lib/cases/changes';
import { userPhone } from '../../db/accounts';
import { maskPhone } from '../../lib/pii';

/**
 * The service-task activities of lib/bpmn/service-tasks.ts. Each answers the variables it sets
 * and a line for the history; the workflow records both, so these stay free of case writes.
 */
export function createServiceTaskActivities(db: Knex) {
  return {
    async serviceCaseNote(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const note = input.headers.note ? String(literalOrFeel(input.headers.note, input.variables) ?? '') : `${input.nodeId} done`;
      return { note };
    },

    async serviceSetVariables(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const variables: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(input.headers)) variables[name] = literalOrFeel(value, input.variables);
      return { variables, note: `set ${Object.keys(variables).join(', ')}` };
    },

    /** SMS seam: resolves the applicant's phone; sending is the SMS worker's (workflows/case/sms.ts). */
    async serviceNotifyApplicant(input: ServiceTaskInput): Promise<ServiceTaskResult> {
      const phone = await userPhone(db, input.applicantUserId);
      const message = input.headers.message ? String(literalOrFeel(input.headers.message, input.variables) ?? '') : `案件${input.caseNumber}有新进展`;
      // The history is read by everyone who sees the case: the number masked, the line in Chinese.
      return { variables: { applicantNotified: true }, note: phone ? `短信通知申请人（${maskPhone(phone)}）：${message}` : `申请人未登记手机号，未发短信：${message}` };
    },
  };
}
