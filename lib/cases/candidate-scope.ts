import type { Role } from '../roles';
import type { CaseScope } from './changes';

/**
 * Candidate groups are roles, qualified by organisation scope: a task offered to
 * district_staff reaches the staff of the case's district only, one offered to street_office
 * the case's street office, one offered to an enterprise-side role the applicant organisation.
 * City-level roles see every case. The inbox query (api/cases/inbox.ts) matches these columns
 * against the caller's own organisation.
 */
export interface CandidateScopeColumns {
  district_code: string | null;
  street_code: string | null;
  organisation_id: number | null;
}

/** A value no organisation has: a scoped role on a case without that place reaches nobody. */
const NOBODY = '-';

export function candidateScope(role: Role, scope: CaseScope): CandidateScopeColumns {
  switch (role) {
    case 'sysadmin':
    case 'city_staff':
    case 'city_leader':
    case 'admin_centre':
      return { district_code: null, street_code: null, organisation_id: null };
    case 'district_staff':
      return { district_code: scope.districtCode ?? NOBODY, street_code: null, organisation_id: null };
    case 'street_office':
      return { district_code: scope.districtCode ?? NOBODY, street_code: scope.streetCode ?? NOBODY, organisation_id: null };
    case 'enterprise':
    case 'project_manager':
    case 'developer':
    case 'owners_committee':
    case 'public':
      return { district_code: null, street_code: null, organisation_id: scope.organisationId };
    case 'security_admin':
    case 'audit_admin':
      // The security and audit administrators take no part in cases (docs/security.md).
      return { district_code: NOBODY, street_code: NOBODY, organisation_id: null };
    case 'expert':
      // Experts are assigned by name (the tender's draw), never by group scope.
      return { district_code: null, street_code: null, organisation_id: null };
  }
}
