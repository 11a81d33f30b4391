import fs from 'node:fs';
import path from 'node:path';
import { SHIPPED_PROCESSES_DIR } from '../processes/shipped';

/**
 * Start forms of the shipped approvals: processes/forms/<processKey>.json, beside the BPMN.
 * The admin UI renders a start form from one (GET /api/processes/startable); the approvals'
 * activities read the material lists from it, so what the form asks for and what the automatic
 * checks require cannot drift apart. Format: docs/approvals.md.
 */
export interface FormField {
  name: string;
  label: string;
  type: 'string' | 'text' | 'number' | 'date' | 'enum' | 'boolean' | 'duration' | 'ref' | 'list' | 'materials';
  required?: boolean;
  default?: unknown;
  options?: Array<{ value: string; label: string }>;
  /** For type "ref": the registry resource picked from (GET /api/<ref>). */
  ref?: string;
  /** For type "list": the fields of one item. */
  itemFields?: FormField[];
  min?: number;
  max?: number;
  help?: string;
  /** Shown only when another field has one of these values. */
  visibleWhen?: Record<string, unknown[]>;
}

export interface Material {
  code: string;
  label: string;
  requiredFor: string[];
}

export interface StartForm {
  processKey: string;
  title: string;
  description: string;
  /**
   * Where the case's district and street come from: "applicant" (the applicant organisation,
   * the default), or "project" — the UI sends the chosen project's districtCode and streetCode
   * with the start request, so the case reaches that district's and street's reviewers.
   */
  scope: 'applicant' | 'project';
  fields: FormField[];
  materials?: Material[];
}

export const FORMS_DIR = path.join(SHIPPED_PROCESSES_DIR, 'forms');

export function startForm(processKey: string, dir = FORMS_DIR): StartForm | null {
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(processKey)) return null;
  const file = path.join(dir, `${processKey}.json`);
  if (!fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as StartForm;
}

/** Materials a start of this kind must carry (codes), from the process's form. */
export function requiredMaterials(processKey: string, kind: string): Material[] {
  return (startForm(processKey)?.materials ?? []).filter((m) => m.requiredFor.includes(kind));
}
