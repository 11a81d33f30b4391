import type { Knex } from 'knex';
import { isRole } from '../../lib/roles';
import { candidateScope } from '../../lib/cases/candidate-scope';
import type { CaseScope, CaseSmsRequest, CaseSmsResult } from '../../lib/cases/changes';
import { activeMembersOfRole, userPhones } from '../../db/accounts';
import { caseScopeOf } from '../../db/cases/cases';
import { tasksByKey } from '../../db/cases/tasks';

/** At most this many people of a candidate group are texted about one task. */
const GROUP_LIMIT = 20;

/**
 * Who an SMS about a case goes to: the given users, or the holders of the given tasks (the
 * assignee; if unclaimed, candidate users and the group members in the task's scope).
 * The sending itself is the SMS worker's (see workflows/case/sms.ts, the seam).
 */
export function createResolveCaseSmsRecipients(db: Knex) {
  return async function resolveCaseSmsRecipients(request: CaseSmsRequest): Promise<CaseSmsResult> {
    const ids = new Set(request.userIds);
    if (request.holdersOfTaskKeys?.length) {
      const caseRow = await caseScopeOf(db, request.caseId);
      const scope: CaseScope = { organisationId: caseRow?.applicant_organisation_id ?? 0, districtCode: caseRow?.district_code ?? null, streetCode: caseRow?.street_code ?? null };
      for (const t of await tasksByKey(db, request.caseId, request.holdersOfTaskKeys)) {
        if (t.assignee_id) {
          ids.add(t.assignee_id);
          continue;
        }
        t.candidate_user_ids.forEach((u) => ids.add(u));
        for (const group of t.candidate_groups.split(',').filter(isRole)) {
          (await activeMembersOfRole(db, group, candidateScope(group, scope), GROUP_LIMIT)).forEach((id) => ids.add(id));
        }
      }
    }
    if (ids.size === 0) return { recipients: [], via: 'recorded' };
    const rows = await userPhones(db, [...ids]);
    return { recipients: rows.map((r) => ({ userId: r.id, phone: r.phone })), via: 'recorded' };
  };
}
