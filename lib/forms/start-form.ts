import { durationMs } from '../bpmn/iso8601';

/**
 * Start forms (processes/forms/<processKey>.json): one definition for the API, which checks every
 * start against the form pinned with the process version (POST /api/cases), the approvals'
 * activities, which read the material lists from it, and the admin UI, which renders the form and
 * runs the same checks before sending. No Node-only imports here: the UI bundles this file.
 * Format and rules: docs/approvals.md, "Start forms".
 */
export type FieldType = 'string' | 'text' | 'number' | 'date' | 'enum' | 'boolean' | 'duration' | 'ref' | 'list' | 'materials';

export const FIELD_TYPES: readonly FieldType[] = ['string', 'text', 'number', 'date', 'enum', 'boolean', 'duration', 'ref', 'list', 'materials'];

export interface FormOption {
  value: string;
  label: string;
}

export interface FormField {
  name: string;
  label: string;
  type: FieldType;
  required?: boolean;
  default?: unknown;
  options?: FormOption[];
  /** For type "ref": the registry resource picked from (GET /api/<ref>). */
  ref?: string;
  /** For type "list": the fields of one item. */
  itemFields?: FormField[];
  /** number: the smallest value; string/text: the shortest length; list: the fewest items. */
  min?: number;
  /** number: the largest value; string/text: the longest length; list: the most items. */
  max?: number;
  help?: string;
  /** Shown (and checked) only when each named field has one of the listed values. */
  visibleWhen?: Record<string, unknown[]>;
}

export interface Material {
  code: string;
  label: string;
  /**
   * The values of the form's `kind` field for which this material must be sent with the start
   * ("*" = whatever the kind, also in a form without a `kind` field). Absent or empty: optional.
   */
  requiredFor?: string[];
}

export interface StartForm {
  processKey: string;
  title: string;
  description?: string;
  /**
   * Where the case's district and street come from: "applicant" (the applicant organisation,
   * the default), or "project" — the UI sends the chosen project's districtCode and streetCode
   * with the start request, so the case reaches that district's and street's reviewers.
   */
  scope?: 'applicant' | 'project';
  fields: FormField[];
  materials?: Material[];
}

export type FormValues = Record<string, unknown>;

/** One refused value: `formData.<name>` or `formData.<name>.<i>.<sub>`, and why. */
export interface FormProblem {
  field: string;
  reason: string;
}

/** The field whose value chooses the materials (`requiredFor`). */
export const KIND_FIELD = 'kind';
/** Longest text a string or text field takes when the form gives no `max`. */
export const DEFAULT_TEXT_MAX = 4000;
/** Most items a list or materials field takes when the form gives no `max`. */
export const DEFAULT_LIST_MAX = 200;
/** Keys one material item may carry. */
const MATERIAL_KEYS = new Set(['code', 'fileId', 'name']);
const FILE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const isEmpty = (v: unknown) => v === undefined || v === null || v === '';
const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function isVisible(field: FormField, values: FormValues): boolean {
  if (!field.visibleWhen) return true;
  return Object.entries(field.visibleWhen).every(([other, allowed]) => allowed.includes(values[other]));
}

export function initialValues(fields: FormField[]): FormValues {
  return Object.fromEntries(fields.filter((f) => f.default !== undefined).map((f) => [f.name, f.default]));
}

function isRequiredFor(m: Material, kind: unknown): boolean {
  const list = m.requiredFor ?? [];
  return list.includes('*') || (typeof kind === 'string' && list.includes(kind));
}

/** Materials a start with these values must carry. */
export function requiredMaterials(form: StartForm | null, values: FormValues): Material[] {
  return (form?.materials ?? []).filter((m) => isRequiredFor(m, values[KIND_FIELD]));
}

/**
 * Materials the form offers for these values: the required ones and the optional ones (a material
 * required only for other kinds is not offered, though a start may still carry it).
 */
export function materialsFor(form: StartForm, values: FormValues): Material[] {
  return (form.materials ?? []).filter((m) => !m.requiredFor?.length || isRequiredFor(m, values[KIND_FIELD]));
}

function isCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Checks one value that is present (not undefined, null or ''); answers the problems. */
function checkValue(field: FormField, value: unknown, path: string, form: StartForm, values: FormValues, problems: FormProblem[]): void {
  const refuse = (reason: string, at = path) => problems.push({ field: at, reason });
  switch (field.type) {
    case 'string':
    case 'text': {
      if (typeof value !== 'string') return void refuse('must be text');
      const max = field.max ?? DEFAULT_TEXT_MAX;
      if (value.length > max) refuse(`must be at most ${max} characters`);
      else if (field.min !== undefined && value.length < field.min) refuse(`must be at least ${field.min} characters`);
      else if (field.required && value.trim() === '') refuse('is required');
      return;
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return void refuse('must be a number');
      if (field.min !== undefined && value < field.min) refuse(`must be at least ${field.min}`);
      else if (field.max !== undefined && value > field.max) refuse(`must be at most ${field.max}`);
      return;
    case 'date':
      if (typeof value !== 'string' || !isCalendarDate(value)) refuse('must be a date YYYY-MM-DD');
      return;
    case 'enum':
      if (typeof value !== 'string' || !(field.options ?? []).some((o) => o.value === value)) {
        refuse(`must be one of ${(field.options ?? []).map((o) => o.value).join(', ')}`);
      }
      return;
    case 'boolean':
      if (typeof value !== 'boolean') refuse('must be true or false');
      return;
    case 'duration': {
      const ms = typeof value === 'string' ? durationMs(value) : null;
      if (ms === null || ms <= 0) refuse('must be a positive ISO-8601 duration such as P10D');
      return;
    }
    case 'ref':
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) refuse('must be the id (a positive integer) of a record');
      return;
    case 'list': {
      if (!Array.isArray(value)) return void refuse('must be a list');
      const max = field.max ?? DEFAULT_LIST_MAX;
      if (value.length > max) return void refuse(`must have at most ${max} items`);
      if (field.min !== undefined && value.length < field.min) return void refuse(`must have at least ${field.min} items`);
      if (field.required && value.length === 0) return void refuse('is required');
      value.forEach((item, i) => {
        if (!isPlainObject(item)) return void refuse('must be an object', `${path}.${i}`);
        checkFields(field.itemFields ?? [], item, `${path}.${i}`, form, problems);
      });
      return;
    }
    case 'materials': {
      if (!Array.isArray(value)) return void refuse('must be a list of materials [{ code, fileId, name? }]');
      const max = field.max ?? DEFAULT_LIST_MAX;
      if (value.length > max) return void refuse(`must have at most ${max} items`);
      const codes = new Map((form.materials ?? []).map((m) => [m.code, m]));
      const present = new Set<string>();
      value.forEach((item, i) => {
        const at = `${path}.${i}`;
        if (!isPlainObject(item)) return void refuse('must be an object { code, fileId, name? }', at);
        for (const key of Object.keys(item)) if (!MATERIAL_KEYS.has(key)) refuse('is not a field of a material', `${at}.${key}`);
        if (typeof item.code !== 'string' || !codes.has(item.code)) refuse(`must be one of ${[...codes.keys()].join(', ')}`, `${at}.code`);
        if (typeof item.fileId !== 'string' || !FILE_ID.test(item.fileId)) refuse('must be the id of an uploaded file', `${at}.fileId`);
        if (item.name !== undefined && (typeof item.name !== 'string' || item.name.length > 255)) refuse('must be a file name of at most 255 characters', `${at}.name`);
        if (typeof item.code === 'string' && typeof item.fileId === 'string' && FILE_ID.test(item.fileId)) present.add(item.code);
      });
      for (const m of requiredMaterials(form, values)) {
        if (!present.has(m.code)) refuse(`lacks the material ${m.code} (${m.label})`);
      }
      if (field.required && value.length === 0 && !requiredMaterials(form, values).length) refuse('is required');
      return;
    }
  }
}

function checkFields(fields: FormField[], values: FormValues, prefix: string, form: StartForm, problems: FormProblem[]): void {
  const known = new Map(fields.map((f) => [f.name, f]));
  for (const key of Object.keys(values)) {
    if (!known.has(key)) problems.push({ field: `${prefix}.${key}`, reason: 'is not a field of this form' });
  }
  for (const field of fields) {
    if (!isVisible(field, values)) continue;
    const value = values[field.name];
    const path = `${prefix}.${field.name}`;
    if (isEmpty(value)) {
      if (field.required) problems.push({ field: path, reason: 'is required' });
      else if (field.type === 'materials' && requiredMaterials(form, values).length) {
        for (const m of requiredMaterials(form, values)) problems.push({ field: path, reason: `lacks the material ${m.code} (${m.label})` });
      }
      continue;
    }
    checkValue(field, value, path, form, values, problems);
  }
}

/** Drops hidden and empty fields, fills defaults, at every level (list items too). */
function cleanValues(fields: FormField[], input: FormValues): FormValues {
  const withDefaults: FormValues = { ...input };
  for (const f of fields) if (isEmpty(withDefaults[f.name]) && f.default !== undefined) withDefaults[f.name] = f.default;
  const out: FormValues = {};
  const known = new Set(fields.map((f) => f.name));
  for (const [key, value] of Object.entries(withDefaults)) {
    // Unknown keys stay, so the check names them.
    if (!known.has(key)) {
      out[key] = value;
      continue;
    }
    const field = fields.find((f) => f.name === key)!;
    if (isEmpty(value) || !isVisible(field, withDefaults)) continue;
    out[key] = field.type === 'list' && Array.isArray(value) ? value.map((item) => (isPlainObject(item) ? cleanValues(field.itemFields ?? [], item) : item)) : value;
  }
  return out;
}

/**
 * What a start sends, as the case will keep it: defaults filled in, hidden fields (visibleWhen
 * not met) and empty values ('' or null) dropped, and every problem found. A hidden field is
 * neither required nor checked.
 */
export function prepareFormData(form: StartForm, formData: FormValues): { formData: FormValues; problems: FormProblem[] } {
  const cleaned = cleanValues(form.fields, isPlainObject(formData) ? formData : {});
  const problems: FormProblem[] = [];
  checkFields(form.fields, cleaned, 'formData', form, problems);
  return { formData: cleaned, problems };
}

/** The problems of a start's formData against its form; [] when it may start. */
export function validateFormData(form: StartForm, formData: FormValues): FormProblem[] {
  return prepareFormData(form, formData).problems;
}

/** Every `ref` value of (cleaned, valid) form data, with its field path: for the existence check. */
export function refsOf(form: StartForm, formData: FormValues): Array<{ field: string; ref: string; id: number }> {
  const out: Array<{ field: string; ref: string; id: number }> = [];
  const walk = (fields: FormField[], values: FormValues, prefix: string) => {
    for (const f of fields) {
      const v = values[f.name];
      if (f.type === 'ref' && f.ref && typeof v === 'number') out.push({ field: `${prefix}.${f.name}`, ref: f.ref, id: v });
      if (f.type === 'list' && Array.isArray(v)) v.forEach((item, i) => isPlainObject(item) && walk(f.itemFields ?? [], item, `${prefix}.${f.name}.${i}`));
    }
  };
  walk(form.fields, formData, 'formData');
  return out;
}

/**
 * Mistakes in a form definition itself (checked when a version is published with it, so a broken
 * form never reaches a case): unknown types, duplicate names, enums without options, materials
 * required for kinds the form does not offer.
 */
export function formDefinitionProblems(form: unknown, processKey: string): string[] {
  if (!isPlainObject(form)) return ['the form is not an object'];
  const f = form as unknown as StartForm;
  const problems: string[] = [];
  if (f.processKey !== processKey) problems.push(`processKey is "${String(f.processKey)}", not "${processKey}"`);
  if (typeof f.title !== 'string' || !f.title) problems.push('title is missing');
  if (f.scope !== undefined && f.scope !== 'applicant' && f.scope !== 'project') problems.push(`scope "${String(f.scope)}" is neither applicant nor project`);
  const checkList = (fields: unknown, where: string) => {
    if (!Array.isArray(fields)) return void problems.push(`${where} is not a list`);
    const names = new Set<string>();
    for (const field of fields as FormField[]) {
      const at = `${where}.${String(field?.name)}`;
      if (!isPlainObject(field) || typeof field.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(field.name)) {
        problems.push(`${where}: a field without a usable name`);
        continue;
      }
      if (names.has(field.name)) problems.push(`${at} is defined twice`);
      names.add(field.name);
      if (!FIELD_TYPES.includes(field.type)) problems.push(`${at}: unknown type "${String(field.type)}"`);
      if (field.type === 'enum' && !(field.options ?? []).length) problems.push(`${at}: an enum without options`);
      if (field.type === 'ref' && !field.ref) problems.push(`${at}: a ref without "ref"`);
      if (field.type === 'list') checkList(field.itemFields, `${at}.itemFields`);
    }
  };
  checkList(f.fields, 'fields');
  const kinds = new Set((Array.isArray(f.fields) ? f.fields : []).find((x) => x?.name === KIND_FIELD)?.options?.map((o) => o.value) ?? []);
  const codes = new Set<string>();
  for (const m of Array.isArray(f.materials) ? f.materials : []) {
    if (codes.has(m.code)) problems.push(`material ${m.code} is defined twice`);
    codes.add(m.code);
    for (const k of m.requiredFor ?? []) if (k !== '*' && !kinds.has(k)) problems.push(`material ${m.code}: requiredFor names "${k}", not a value of the ${KIND_FIELD} field`);
  }
  if (f.materials !== undefined && !Array.isArray(f.materials)) problems.push('materials is not a list');
  return problems;
}

/** Two forms are the same version's form when their JSON is (key order ignored). */
export function sameForm(a: StartForm | null, b: StartForm | null): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
