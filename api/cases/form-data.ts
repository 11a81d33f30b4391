import type { Knex } from 'knex';
import type { FormSchema, FormValues } from '../../lib/forms/form-schema';
import { prepareFormValues, refsOf } from '../../lib/forms/form-values';
import { HttpError } from '../http/errors';
import { isRegistryRef, registryRecordExists } from '../../db/registries/references';

/**
 * The server's half of a Camunda form's check — a start (POST /api/cases) against the start
 * form pinned to the version being started, a decision against its task's form: the shared
 * rules of lib/forms/form-values.ts (400 naming each field), then whether each registry `ref`
 * names a record that exists (422). Runs before anything is written or a number is allocated.
 * Answers the values as the case keeps them (hidden, disabled and read-only fields dropped).
 */
export async function checkFormData(db: Knex, form: FormSchema | null, formData: FormValues, context?: FormValues): Promise<FormValues> {
  if (!form) return formData;
  const prepared = prepareFormValues(form, formData, { context });
  if (prepared.problems.length) {
    const details = prepared.problems.map((p) => ({ field: `body.${p.field}`, reason: p.reason }));
    throw new HttpError(400, 'validation_failed', `Invalid form data: ${details.map((d) => `${d.field} ${d.reason}`).join('; ')}`, details);
  }
  const missing: Array<{ field: string; reason: string }> = [];
  for (const ref of refsOf(form, prepared.data)) {
    if (!isRegistryRef(ref.ref)) continue;
    if (!(await registryRecordExists(db, ref.ref, ref.id))) missing.push({ field: `body.${ref.field}`, reason: `no such record in ${ref.ref}` });
  }
  if (missing.length) throw new HttpError(422, 'invalid_reference', 'The form names records that do not exist', missing);
  return prepared.data;
}
