import type { ProcessGraph } from '../../lib/bpmn/graph';
import type { Role } from '../../lib/roles';

/** Shapes of case and task rows as the API returns them, shared by the case and task routes. */
const STAFF_ROLES: readonly Role[] = ['sysadmin', 'city_staff', 'city_leader', 'admin_centre', 'district_staff', 'street_office'];
export const isStaff = (role: Role) => STAFF_ROLES.includes(role);

export { CASE_FIELDS, TASK_FIELDS, caseQuery, taskQuery, taskView } from '../../db/cases/rows';

/** Variables the caller may see: applicant-side users do not see a process's internal ones. */
export function visibleVariables(variables: Record<string, unknown>, graph: ProcessGraph | null, role: Role): Record<string, unknown> {
  if (isStaff(role)) return variables;
  const internal = new Set(graph?.options.internalVariables ?? []);
  return Object.fromEntries(Object.entries(variables).filter(([name]) => !name.startsWith('_') && !internal.has(name)));
}

/** History kinds that mean the token went through the element (the viewer marks it done). */
export const COMPLETING_KINDS = ['started', 'node_passed', 'task_completed', 'countersign_completed', 'countersign_empty', 'timer_fired', 'message_consumed', 'service_completed', 'message_sent', 'end_reached', 'terminated_by_end'];
