/**
 * Service and send tasks name their work with `zeebe:taskDefinition type`. This registry maps
 * each type the engine knows to the activity that does it and the task queue that runs it.
 * Publishing rejects a type not listed here, so a process can never name work no worker does.
 *
 * To add one: write the activity (activities/cases/ or your own folder, returning the variables
 * it sets), register it with the worker that serves `taskQueue`, and add a line here.
 * Safe to import from workflow code (data only).
 */
export interface ServiceTaskType {
  /** The activity function's name as the worker registers it. */
  activity: string;
  /** Omit for the approvals queue. */
  taskQueue?: string;
  description: string;
}

export const SERVICE_TASK_TYPES: Record<string, ServiceTaskType> = {
  'case-note': {
    activity: 'serviceCaseNote',
    description: 'Writes the header "note" (FEEL allowed) into the case history; proves the path in tests and demos.',
  },
  'set-variables': {
    activity: 'serviceSetVariables',
    description: 'Sets each task header as a case variable (values may be FEEL).',
  },
  'notify-applicant': {
    activity: 'serviceNotifyApplicant',
    description: 'Sends the header "message" by SMS to the applicant (the user who started the case).',
  },
};

export function isKnownServiceTaskType(type: string): boolean {
  return Object.prototype.hasOwnProperty.call(SERVICE_TASK_TYPES, type);
}
