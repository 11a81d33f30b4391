import type { FormSchema } from '../../../lib/forms/form-schema';
import { apiFetch } from '../api';

/** A process the caller may start (GET /api/processes/startable), with its Camunda start form. */
export interface StartableProcess {
  key: string;
  name: string;
  version: number;
  form: FormSchema | null;
}

/** The processes the caller's role may start, as the server decides it. */
export const fetchStartable = async (): Promise<StartableProcess[]> => (await apiFetch('/api/processes/startable')).json() as Promise<StartableProcess[]>;
