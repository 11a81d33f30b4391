/**
 * Publishing answers the validator's problems in English (lib/bpmn/compile.ts, shared with the
 * API's other clients and the logs); the designer shows them in the interface's language. Each
 * pattern names a message key of processes.problem.* and the parts it carries over; a message
 * no pattern knows is shown as the server wrote it, so a new check is never hidden.
 */
const PATTERNS: Array<[RegExp, string]> = [
  [/^a user task needs candidate groups, candidate users or an assignee/, 'user_task_unassigned'],
  [/^candidate group "(?<v>[^"]*)" is not a role$/, 'candidate_group_not_role'],
  [/^starter role "(?<v>[^"]*)" is not a role$/, 'starter_role_not_role'],
  [/^assignee "(?<v>[^"]*)" is not an active user$/, 'assignee_not_user'],
  [/^candidate user "(?<v>[^"]*)" is not an active user$/, 'candidate_user_not_user'],
  [/^a process needs exactly one start event, found (?<v>\d+)$/, 'one_start_event'],
  [/^a process needs at least one end event$/, 'end_event_needed'],
  [/^has no outgoing sequence flow$/, 'no_outgoing_flow'],
  [/^is not reachable from the start event$/, 'unreachable'],
  [/^(?<v>\S+) is not in the supported BPMN subset$/, 'unsupported_element'],
  [/^a sequence flow needs a source and a target$/, 'flow_ends'],
  [/^condition is not valid FEEL: (?<v>.*)$/, 'condition_not_feel'],
  [/^a branch of gateway (?<v>\S+) needs a condition or must be its default flow$/, 'branch_condition'],
  [/^a service or send task needs zeebe:taskDefinition type$/, 'task_type_needed'],
  [/^task type "(?<v>[^"]*)" names no registered activity$/, 'task_type_unknown'],
  [/^the process id \(its key\) must start with a letter/, 'process_id'],
  [/^a start event has no incoming flows$/, 'start_incoming'],
  [/^an end event has no outgoing flows$/, 'end_outgoing'],
  [/^only a plain \(none\) or message start event is supported$/, 'plain_start_only'],
  [/^a timer needs exactly one of timeDuration, timeDate, timeCycle$/, 'timer_one_kind'],
  [/^"(?<v>[^"]*)" is not a positive ISO-8601 duration$/, 'not_duration'],
  [/^due date "(?<v>[^"]*)" is neither/, 'due_date'],
];

/**
 * `zh`: the Chinese wording a Camunda lint rule's report carries (lib/bpmn/lint-messages.ts),
 * shown when the interface is in Chinese.
 */
export function problemMessage(message: string, translate: (key: string, options?: Record<string, unknown>) => string, zh?: string | null): string {
  if (zh) return zh;
  for (const [pattern, key] of PATTERNS) {
    const match = pattern.exec(message);
    if (match) return translate(`processes.problem.${key}`, { v: match.groups?.v ?? '', _: message });
  }
  return message;
}
