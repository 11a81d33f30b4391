/**
 * The start-form description (processes/forms/<key>.json, pinned to the process version and
 * served by GET /api/processes/startable) and its checks: the same module the API checks every
 * start with (lib/forms/start-form.ts), so the form and the server cannot drift apart.
 */
import { type FormField, type FormProblem, type FormValues, type Material, type StartForm, validateFormData } from '../../../lib/forms/start-form';

export { initialValues, isVisible, materialsFor, prepareFormData, requiredMaterials, validateFormData } from '../../../lib/forms/start-form';
export type { FormField, FormOption, FormProblem, FormValues, Material, StartForm } from '../../../lib/forms/start-form';
export type MaterialSpec = Material;

export interface StartableProcess {
  key: string;
  name: string;
  version: number;
  form: StartForm | null;
}

/** The problems of the values, keyed by field path without `formData.` ("members.0.name"): one reason each. */
export function formProblems(form: StartForm, values: FormValues): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of validateFormData(form, values) as FormProblem[]) {
    const key = p.field.replace(/^formData\./, '');
    out[key] = out[key] ? `${out[key]}; ${p.reason}` : p.reason;
  }
  return out;
}

/** Required fields left empty, by name (only the visible ones count). */
export function missingRequired(fields: FormField[], values: FormValues): string[] {
  const problems = validateFormData({ processKey: '', title: '', fields }, values);
  return problems.filter((p) => p.reason === 'is required').map((p) => p.field.replace(/^formData\./, ''));
}
