import { feelCondition } from '../bpmn/feel';
import { isPlainObject, walkComponents, type FormSchema, type FormValues } from './form-schema';

/**
 * An application's materials (申报材料): the file pickers inside the form's `materials` group,
 * one per material, keyed by its code. Values: `materials.<code>` = [{ fileId, name }]. Which
 * are required for which kind of application is the form's own doing (a required picker hidden
 * by a FEEL condition on the kind), so the approvals' checks read it from the pinned form.
 */
export const MATERIALS_PATH = 'materials';

export interface Material {
  code: string;
  label: string;
}

export interface GivenMaterial {
  code: string;
  fileId: string;
  name?: string;
}

/** The file pickers of the materials group that these values show (hidden ones are not offered). */
export function materialsFor(form: FormSchema | null, values: FormValues, onlyRequired = false): Material[] {
  const out: Material[] = [];
  if (!form) return out;
  walkComponents(form.components, (c, parents) => {
    if (c.type !== 'filepicker' || !c.key || parents[parents.length - 1]?.path !== MATERIALS_PATH) return;
    const hidden = [...parents, c].some((x) => x.conditional?.hide && feelCondition(x.conditional.hide, values));
    if (hidden || (onlyRequired && !c.validate?.required)) return;
    out.push({ code: c.key, label: c.label ?? c.key });
  });
  return out;
}

/** Materials a start with these values must carry. */
export const requiredMaterials = (form: FormSchema | null, values: FormValues) => materialsFor(form, values, true);

/** The files a case's `materials` variable holds, as a flat list with their codes. */
export function givenMaterials(materials: unknown): GivenMaterial[] {
  if (!isPlainObject(materials)) return [];
  const out: GivenMaterial[] = [];
  for (const [code, files] of Object.entries(materials)) {
    for (const f of Array.isArray(files) ? files : []) {
      if (isPlainObject(f) && typeof f.fileId === 'string') out.push({ code, fileId: f.fileId, ...(typeof f.name === 'string' ? { name: f.name } : {}) });
    }
  }
  return out;
}
