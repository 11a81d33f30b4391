/** The start-form description each shipped process carries (processes/forms/<key>.json). */
export interface FormOption {
  value: string;
  label: string;
}

export interface FormField {
  name: string;
  label: string;
  type: 'string' | 'text' | 'number' | 'date' | 'enum' | 'boolean' | 'duration' | 'ref' | 'list' | 'materials';
  required?: boolean;
  default?: unknown;
  options?: FormOption[];
  ref?: string;
  itemFields?: FormField[];
  min?: number;
  max?: number;
  help?: string;
  visibleWhen?: Record<string, unknown[]>;
}

export interface MaterialSpec {
  code: string;
  label: string;
  requiredFor?: string[];
}

export interface StartForm {
  processKey: string;
  title: string;
  description?: string;
  scope?: 'applicant' | 'project';
  fields: FormField[];
  materials?: MaterialSpec[];
}

export interface StartableProcess {
  key: string;
  name: string;
  version: number;
  form: StartForm | null;
}

export type FormValues = Record<string, unknown>;

export function isVisible(field: FormField, values: FormValues): boolean {
  if (!field.visibleWhen) return true;
  return Object.entries(field.visibleWhen).every(([other, allowed]) => allowed.includes(values[other]));
}

export function initialValues(fields: FormField[]): FormValues {
  return Object.fromEntries(fields.filter((f) => f.default !== undefined).map((f) => [f.name, f.default]));
}

/** Required fields left empty, by name (only the visible ones count). */
export function missingRequired(fields: FormField[], values: FormValues): string[] {
  return fields
    .filter((f) => f.required && isVisible(f, values))
    .filter((f) => {
      const v = values[f.name];
      return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
    })
    .map((f) => f.name);
}

/** The materials the chosen kind of application needs (all of them if the process has no kinds). */
export function materialsFor(form: StartForm, values: FormValues): MaterialSpec[] {
  const kind = values.kind;
  return (form.materials ?? []).filter((m) => !m.requiredFor || kind === undefined || m.requiredFor.includes(String(kind)));
}
