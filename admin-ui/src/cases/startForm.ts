import type { FormSchema } from '../../../lib/forms/form-schema';

/** A process the caller may start (GET /api/processes/startable), with its Camunda start form. */
export interface StartableProcess {
  key: string;
  name: string;
  version: number;
  form: FormSchema | null;
}
