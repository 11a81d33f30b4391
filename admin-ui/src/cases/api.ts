import type { TaskForeignForm } from '../../../lib/approvals/forms';
import type { FormSchema } from '../../../lib/forms/form-schema';
import { apiFetch } from '../api';

export interface TaskRow {
  id: number;
  task_key: string;
  node_id: string;
  name: string;
  kind: string;
  status: string;
  assignee_id: number | null;
  assignee_name: string | null;
  owner_id: number | null;
  candidate_groups: string[];
  outcomes: string[];
  due_at: string | null;
  overdue: boolean;
  /** Offered to nobody: waits in the 待分配 pool for an administrator. */
  pooled: boolean;
  /** The task's Camunda form (GET /api/tasks/:id only). */
  form?: FormSchema | null;
  /** A form of another task application (GET /api/tasks/:id only): a link, or only its key. */
  foreign_form?: TaskForeignForm | null;
  created_at: string;
  completed_at: string | null;
  outcome: string | null;
  comment: string | null;
  case_id: number;
  case_number: string;
  case_title: string;
  process_key: string;
  district_code: string | null;
  case_status: string;
  candidate?: boolean;
}

export interface CaseDetail {
  id: number;
  number: string;
  title: string;
  process_key: string;
  /** The 事项's name (the page never shows the key). */
  process_name?: string;
  process_version: number;
  status: string;
  result: string | null;
  applicant_name: string;
  applicant_organisation_id: number;
  district_code: string | null;
  started_by: number;
  started_by_name: string;
  current_steps: string | null;
  started_at: string;
  ended_at: string | null;
  check_code?: string;
  variables: Record<string, unknown>;
  open_tasks: TaskRow[];
  /** Call activities: the calling case and the called ones the viewer may see. */
  linked?: { parent: LinkedCaseRow | null; children: LinkedCaseRow[] };
  /** The start form pinned to the case's version, and the labels of all its forms by key. */
  form?: FormSchema | null;
  form_labels?: Record<string, string>;
}

export interface LinkedCaseRow {
  id: number;
  number: string;
  title: string;
  process_key: string;
  status: string;
  result: string | null;
}

export interface HistoryEntry {
  id: number;
  seq: number;
  at: string;
  kind: string;
  node_id: string | null;
  task_key: string | null;
  actor_id: number | null;
  actor_name: string | null;
  outcome: string | null;
  comment: string | null;
  data: Record<string, unknown> | null;
}

export interface CaseDiagram {
  processKey: string;
  version: number;
  xml: string | null;
  completed: string[];
  active: string[];
  overdue: string[];
  /** The end events the case ended at (empty while it runs), and its result. */
  ended: string[];
  result: string | null;
}

const json = async <T>(path: string, init?: RequestInit) => (await apiFetch(path, init)).json() as Promise<T>;

export const fetchCase = (id: number | string) => json<CaseDetail>(`/api/cases/${id}`);
export const fetchHistory = (id: number | string) => json<HistoryEntry[]>(`/api/cases/${id}/history?range=[0,499]`);
export const fetchDiagram = (id: number | string) => json<CaseDiagram>(`/api/cases/${id}/diagram`);
export const fetchTask = (id: number | string) => json<TaskRow>(`/api/tasks/${id}`);

export const post = (path: string, body: unknown = {}) => apiFetch(path, { method: 'POST', body: JSON.stringify(body) });

/** Names of the diagram's elements, read from the BPMN XML (for return targets and the timeline). */
export function elementNames(xml: string | null): Record<string, string> {
  if (!xml) return {};
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const names: Record<string, string> = {};
  for (const el of Array.from(doc.getElementsByTagName('*'))) {
    const id = el.getAttribute('id');
    const name = el.getAttribute('name');
    if (id && name) names[id] = name;
  }
  return names;
}
