import type { Knex } from 'knex';
import { isRole } from '../../lib/roles';
import { candidateScope } from '../../lib/cases/candidate-scope';
import type { CaseScope, CaseSmsRequest, CaseSmsResult } from '../../lib/cases/changes';

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
      const caseRow = (await db('cases').where('id', request.caseId).first('applicant_organisation_id', 'district_code', 'street_code')) as
        | { applicant_organisation_id: number; district_code: string | null; street_code: string | null }
        | undefined;
      const scope: CaseScope = { organisationId: caseRow?.applicant_organisation_id ?? 0, districtCode: caseRow?.district_code ?? null, streetCode: caseRow?.street_code ?? null };
      const tasks = (await db('case_tasks')
        .where('case_id', request.caseId)
        .whereIn('task_key', request.holdersOfTaskKeys)
        .select('id', 'assignee_id', 'candidate_groups')) as Array<{ id: number; assignee_id: number | null; candidate_groups: string }>;
      for (const t of tasks) {
        if (t.assignee_id) {
          ids.add(t.assignee_id);
          continue;
        }
        const users = (await db('case_task_candidates').where({ task_id: t.id, kind: 'user' }).pluck('value')) as string[];
        users.forEach((u) => ids.add(Number(u)));
        for (const group of t.candidate_groups.split(',').filter(isRole)) {
          const s = candidateScope(group, scope);
          const q = db('users as u').join('organisations as o', 'o.id', 'u.organisation_id').where('u.role', group).where('u.active', true);
          if (s.district_code) q.where('o.district_code', s.district_code);
          if (s.street_code) q.where('o.street_code', s.street_code);
          if (s.organisation_id) q.where('u.organisation_id', s.organisation_id);
          ((await q.limit(GROUP_LIMIT).pluck('u.id')) as number[]).forEach((id) => ids.add(id));
        }
      }
    }
    if (ids.size === 0) return { recipients: [], via: 'recorded' };
    const rows = (await db('users').whereIn('id', [...ids]).orderBy('id').select('id', 'phone')) as Array<{ id: number; phone: string | null }>;
    return { recipients: rows.map((r) => ({ userId: r.id, phone: r.phone })), via: 'recorded' };
  };
}
