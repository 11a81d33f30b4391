import type { Knex } from 'knex';
import { prepareFormData, refsOf, type FormValues, type StartForm } from '../../lib/forms/start-form';
import { HttpError } from '../http/errors';
import { isRegistryRef, registryRecordExists } from '../../db/registries/references';

/**
 * The server's half of the start-form check (POST /api/cases): the shared rules of
 * lib/forms/start-form.ts against the form pinned to the version being started (400 naming
 * each field), then whether each `ref` names a record that exists (422). Runs before anything
 * is written or a number is allocated.
 */
export async function checkStartFormData(db: Knex, form: StartForm | null, formData: FormValues): Promise<FormValues> {
  if (!form) return formData;
  const prepared = prepareFormData(form, formData);
  if (prepared.problems.length) {
    const details = prepared.problems.map((p) => ({ field: `body.${p.field}`, reason: p.reason }));
    throw new HttpError(400, 'validation_failed', `Invalid form data: ${details.map((d) => `${d.field} ${d.reason}`).join('; ')}`, details);
  }
  const missing: Array<{ field: string; reason: string }> = [];
  for (const ref of refsOf(form, prepared.formData)) {
    if (!isRegistryRef(ref.ref)) continue;
    if (!(await registryRecordExists(db, ref.ref, ref.id))) missing.push({ field: `body.${ref.field}`, reason: `no such record in ${ref.ref}` });
  }
  if (missing.length) throw new HttpError(422, 'invalid_reference', 'The form names records that do not exist', missing);
  return prepared.formData;
}
