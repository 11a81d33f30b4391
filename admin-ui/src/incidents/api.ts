import type { IncidentBatchResult } from '../../../lib/cases/incident-batch';
import { apiFetch } from '../api';

/** The incidents API (api/routes/incidents.ts): where a case stopped, and the operator's actions on it. */
export interface CaseIncident {
  nodeId: string | null;
  message: string | null;
  at: string | null;
}

export interface ProcessElement {
  id: string;
  name: string;
  kind: string;
  /** Whether a token may be moved to it (not the start event, not a boundary event). */
  movable: boolean;
}

export interface IncidentFilter {
  q?: string;
  process_key?: string;
  node_id?: string;
  district_code?: string;
}

export interface BatchAnswer {
  action: 'retry' | 'terminate';
  count: number;
  ok: number;
  failed: number;
  /** More cases matched the filter than one batch takes. */
  more: boolean;
  results: IncidentBatchResult[];
}

const json = async <T>(path: string, init?: RequestInit) => (await apiFetch(path, init)).json() as Promise<T>;
const post = <T>(path: string, body: unknown) => json<T>(path, { method: 'POST', body: JSON.stringify(body) });

export const fetchIncident = (caseId: number | string) => json<{ incident: CaseIncident | null }>(`/api/cases/${caseId}/incident`).then((r) => r.incident);
export const fetchElements = (caseId: number | string) => json<{ elements: ProcessElement[] }>(`/api/cases/${caseId}/elements`).then((r) => r.elements);

export const retryCase = (caseId: number | string, comment?: string) => post<unknown>(`/api/cases/${caseId}/retry`, { comment: comment || undefined });
export const moveCase = (caseId: number | string, toNodeId: string, comment?: string) => post<unknown>(`/api/cases/${caseId}/move`, { toNodeId, comment: comment || undefined });
export const terminateCase = (caseId: number | string, comment: string) => post<unknown>(`/api/cases/${caseId}/terminate`, { comment });

/** A batch over chosen cases (`ids`) or over every case the list's filter matches. */
export const batchOperation = (body: { action: 'retry' | 'terminate'; comment?: string } & ({ ids: Array<number | string> } | { filter: IncidentFilter })) =>
  post<BatchAnswer>('/api/incidents/batch', { ...body, comment: body.comment || undefined, ...('ids' in body ? { ids: body.ids.map(Number) } : {}) });
