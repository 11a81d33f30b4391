/**
 * One case's result in a batch over cases in incident (POST /api/incidents/batch): the API
 * answers a list of these and the incidents page shows the ones not done. No Node-only imports:
 * the UI bundles this file.
 */
export interface IncidentBatchResult {
  id: number;
  number: string | null;
  ok: boolean;
  status: number;
  code?: string;
  reason?: string;
}
