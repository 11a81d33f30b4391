import { Form } from '@bpmn-io/form-js-viewer';
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import { apiFetch } from '../api';
import { uploadFile } from '../attachments/AttachmentsInput';
import type { FormSchema, FormValues } from '../../../lib/forms/form-schema';
import { walkComponents } from '../../../lib/forms/form-schema';
import { platformValidatorModule } from './validator';
import { translateFormTexts } from './texts';

export interface CamundaFormHandle {
  /**
   * Validates with the platform's rules (lib/forms/form-values.ts, the server's own) and, when
   * nothing is wrong, uploads the chosen files and answers the values to send; null while a
   * field is wrong (the form shows why, in Chinese, under each field).
   */
  submit(): Promise<FormValues | null>;
}

/** Most registry records offered in a select (GET /api/<ref>, the caller's scope). */
const REF_OPTIONS = 200;

/** The registry records a `ref` select offers: id and name, in the caller's scope. */
async function refOptions(ref: string): Promise<Array<{ label: string; value: number }>> {
  const res = await apiFetch(`/api/${encodeURIComponent(ref)}?range=[0,${REF_OPTIONS - 1}]`).catch(() => null);
  const rows = res ? ((await res.json()) as Array<Record<string, unknown>>) : [];
  return rows.map((r) => ({ value: Number(r.id), label: String(r.name ?? r.title ?? r.description ?? `#${String(r.id)}`) }));
}

/** Initial data: the given values, and for each `ref` select the options under its valuesKey. */
async function initialData(schema: FormSchema, data: FormValues): Promise<FormValues> {
  const out: FormValues = { ...data };
  const refs = new Map<string, string>();
  walkComponents(schema.components, (c) => {
    if (c.properties?.ref && c.valuesKey) refs.set(c.valuesKey, c.properties.ref);
  });
  for (const [key, ref] of refs) out[key] = await refOptions(ref);
  return out;
}

/** File picker values ("files::<id>") replaced by the uploaded files [{ fileId, name }], at every depth. */
async function uploadFiles(value: unknown, files: Map<string, File[]>): Promise<unknown> {
  if (typeof value === 'string' && value.startsWith('files::')) {
    const picked = files.get(value) ?? [];
    const stored: Array<{ fileId: string; name: string }> = [];
    for (const file of picked) {
      const s = await uploadFile(file);
      stored.push({ fileId: s.id, name: s.name });
    }
    return stored;
  }
  if (Array.isArray(value)) return Promise.all(value.map((v) => uploadFiles(v, files)));
  if (value && typeof value === 'object') {
    const out: FormValues = {};
    for (const [k, v] of Object.entries(value)) out[k] = await uploadFiles(v, files);
    return out;
  }
  return value;
}

/**
 * A Camunda form (form-js JSON) rendered with bpmn-io's form-js viewer, as Camunda's Tasklist
 * renders it, with the platform's validator (the server's checks, Chinese messages) in place of
 * form-js's own and its few fixed English texts put into Chinese. `readOnly` shows filled-in
 * values (a case's application form) without inputs.
 */
export const CamundaForm = forwardRef<CamundaFormHandle, { schema: FormSchema; data?: FormValues; readOnly?: boolean }>(function CamundaForm({ schema, data, readOnly }, ref) {
  const container = useRef<HTMLDivElement>(null);
  const form = useRef<Form | null>(null);

  useEffect(() => {
    if (!container.current) return;
    const el = container.current;
    const viewer = new Form({ container: el, additionalModules: [platformValidatorModule], properties: { readOnly: Boolean(readOnly) } });
    form.current = viewer;
    const stopTexts = translateFormTexts(el);
    let cancelled = false;
    void initialData(schema, data ?? {}).then((initial) => (cancelled ? undefined : viewer.importSchema(schema, initial)));
    return () => {
      cancelled = true;
      stopTexts();
      viewer.destroy();
      form.current = null;
    };
  }, [schema, data, readOnly]);

  useImperativeHandle(ref, () => ({
    async submit() {
      const viewer = form.current;
      if (!viewer) return null;
      const result = viewer.submit() as { data: FormValues; errors: Record<string, string[]>; files: Map<string, File[]> };
      if (Object.keys(result.errors).length) return null;
      return (await uploadFiles(result.data, result.files)) as FormValues;
    },
  }));

  return <div ref={container} className="platform-camunda-form" data-testid={`camunda-form-${schema.id}`} />;
});
