import { valueProblems } from '../../../lib/forms/form-values';
import type { FormComponent } from '../../../lib/forms/form-schema';

/**
 * form-js's validator replaced by the platform's: the same checks the server runs on a
 * submission (lib/forms/form-values.ts), so what the form lets through the server accepts, and
 * the messages are Chinese. A file picker's value is only checked for being there: the files
 * are uploaded when the form is sent, and the server checks them then.
 */
function fieldErrors(field: FormComponent, value: unknown): string[] {
  const empty = value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
  if (empty) return field.validate?.required ? [field.type === 'filepicker' ? '必须上传' : '必填'] : [];
  if (field.type === 'filepicker') return [];
  const out: string[] = [];
  valueProblems(field, value, (_reason, zh) => out.push(zh));
  return out;
}

class PlatformValidator {
  static $inject = ['formFieldRegistry'];
  constructor(private readonly registry: { get(id: string): FormComponent | undefined }) {}

  validateField(field: FormComponent, value: unknown): string[] {
    return fieldErrors(field, value);
  }

  validateFieldInstance(instance: { id: string }, value: unknown): string[] {
    const field = this.registry.get(instance.id);
    return field ? fieldErrors(field, value) : [];
  }
}

export const platformValidatorModule = { validator: ['type', PlatformValidator] };
