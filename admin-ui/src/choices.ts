import { isAdminRole, ROLES } from '../../lib/roles';

/**
 * Option lists for selects; labels are translation keys so they follow the chosen language. The
 * roles are those of lib/roles.ts, the one list the server checks against.
 */
export const ROLE_CHOICES = ROLES.map((id) => ({ id, name: `roles.${id}` }));

/** What the system administrator may give a new account: not the three administrator roles, which the security administrator assigns (docs/security.md). */
export const BUSINESS_ROLE_CHOICES = ROLE_CHOICES.filter((c) => !isAdminRole(c.id));

export const ORG_KIND_CHOICES = ['city_bureau', 'admin_centre', 'district_bureau', 'street_office', 'enterprise', 'developer', 'owners_committee', 'public'].map((id) => ({ id, name: `org_kinds.${id}` }));

export const RESULT_CHOICES = ['ok', 'denied', 'failed'].map((id) => ({ id, name: `results.${id}` }));
