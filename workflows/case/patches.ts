/**
 * patched() ids of changes made after cases had already run. Each guards a path that histories
 * recorded before it must not take (tests/engine/replay.test.ts replays them); never rename one.
 */
export const PATCH_SMS_APPLICANT_ON_RETURN = 'sms-applicant-on-return';
export const PATCH_SMS_APPLICANT_ON_REJECT = 'sms-applicant-on-reject';
export const PATCH_BOUNDARY_TIMER_INCIDENT = 'boundary-timer-incident';
export const PATCH_TASK_FOR_NOBODY_INCIDENT = 'task-for-nobody-incident';
export const PATCH_INCIDENT_HOLD = 'incident-hold';
export const PATCH_GROUP_WITHOUT_HOLDER = 'group-without-holder';
export const PATCH_MESSAGE_TAKEN_FIRST = 'message-taken-first';
