import { STAFF_ROLES, isRole, scopeOf, type Role } from '../roles';
import { candidateScope } from './candidate-scope';
import type { CaseScope } from './changes';

/**
 * Who may receive a task (transfer 转办, delegate 委派, add-signer 加签) or a copy (抄送) of a
 * case — separation of duties (R4). One definition, checked by the API against the database's
 * view of the recipient and again by the case workflow's update validator, so neither a bug in
 * a route nor a direct workflow update can hand an applicant their own review.
 *
 * A task may go to a user who could hold it: one of its named candidates, a member of one of its
 * candidate groups within that group's scope (candidateScope), or a staff user (市局, 区局, 街道)
 * whose scope covers the case. Never the user who started the case, and never the applicant
 * organisation's side unless the task itself is offered to it.
 *
 * A copy may reach staff users whose scope covers the case, or the applicant organisation's own
 * users (e.g. its manager, to follow its own case) — never another enterprise, the public or an
 * expert.
 */
export interface Recipient {
  userId: number;
  role: string;
  organisationId: number;
  districtCode: string | null;
  streetCode: string | null;
}

export interface TaskOffer {
  candidateGroups: string[];
  candidateUserIds: number[];
}

export interface CaseParties {
  scope: CaseScope;
  /** The user who started the case. */
  applicantUserId: number;
}

const STAFF: readonly string[] = STAFF_ROLES;

/** A staff user whose own scope (city, the case's district, the case's street) covers the case. */
export function isStaffCoveringCase(r: Recipient, scope: CaseScope): boolean {
  if (!isRole(r.role) || !STAFF.includes(r.role)) return false;
  const s = scopeOf({ role: r.role as Role, organisationId: r.organisationId, districtCode: r.districtCode, streetCode: r.streetCode });
  switch (s.kind) {
    case 'city':
      return true;
    case 'district':
      return scope.districtCode !== null && s.districtCode === scope.districtCode;
    case 'street':
      return scope.streetCode !== null && s.districtCode === scope.districtCode && s.streetCode === scope.streetCode;
    default:
      return false;
  }
}

function isCandidate(r: Recipient, task: TaskOffer, scope: CaseScope): boolean {
  if (task.candidateUserIds.includes(r.userId)) return true;
  if (!isRole(r.role) || !task.candidateGroups.includes(r.role)) return false;
  const c = candidateScope(r.role, scope);
  return (c.district_code === null || c.district_code === r.districtCode) && (c.street_code === null || c.street_code === r.streetCode) && (c.organisation_id === null || c.organisation_id === r.organisationId);
}

/** Why this user may not receive the task, in words; null when they may. */
export function taskRecipientProblem(r: Recipient, task: TaskOffer, parties: CaseParties): string | null {
  if (r.userId === parties.applicantUserId) return 'started this case and may not review it';
  if (isCandidate(r, task, parties.scope)) return null;
  if (r.organisationId === parties.scope.organisationId) return 'belongs to the applicant organisation';
  if (isStaffCoveringCase(r, parties.scope)) return null;
  return 'could not hold this task: not one of its candidates, nor staff whose area covers the case';
}

/** Why this user may not receive a copy of the case, in words; null when they may. */
export function copyRecipientProblem(r: Recipient, parties: CaseParties): string | null {
  if (r.organisationId === parties.scope.organisationId) return null;
  if (isStaffCoveringCase(r, parties.scope)) return null;
  return 'may not read this case: copies go to staff whose area covers the case or to the applicant organisation';
}
