import { feelSyntaxProblem, isExpression } from '../bpmn/feel';

/**
 * Camunda Forms (form-js JSON, as Camunda Modeler and the form-js editor save it): the one form
 * format of the platform, for start forms and task forms alike. This module holds the schema's
 * shape as the platform reads it and the checks of a definition at publishing; the values a
 * form takes are checked by lib/forms/form-values.ts. No Node-only imports: the admin UI
 * bundles both, so the browser and the server check a form with the same code.
 *
 * Platform additions ride on form-js's own extension point, custom `properties` (string
 * key/value pairs the editor shows under "Custom properties"):
 * - on the root: `scope` = `applicant` | `project` (where a case's district comes from);
 * - on a select, radio, checklist or taglist: `ref` = a registry (projects, enterprises, …) whose
 *   record ids are the values; the UI fills the options from the registry, the server checks
 *   the record exists;
 * - on a text field: `format` = `duration`, a positive ISO-8601 duration (timers read it).
 * The files of a `materials` group (a group with path "materials") are the application's
 * materials, one file picker per material code (lib/forms/materials.ts).
 */
export interface FormOption {
  label: string;
  value: string | number | boolean;
}

export interface FormValidate {
  required?: boolean;
  min?: number;
  max?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  patternErrorMessage?: string;
  validationType?: 'email' | 'phone' | 'custom';
}

export interface FormComponent {
  type: string;
  id?: string;
  key?: string;
  /** A group's or dynamic list's data path. */
  path?: string;
  label?: string;
  /** A datetime's label (form-js names it so). */
  dateLabel?: string;
  description?: string;
  text?: string;
  validate?: FormValidate;
  values?: FormOption[];
  valuesKey?: string;
  valuesExpression?: string;
  conditional?: { hide?: string };
  defaultValue?: unknown;
  readonly?: boolean | string;
  disabled?: boolean;
  /** datetime: date, time or datetime. */
  subtype?: string;
  decimalDigits?: number;
  increment?: number | string;
  serializeToString?: boolean;
  /** filepicker */
  multiple?: boolean | string;
  accept?: string;
  components?: FormComponent[];
  isRepeating?: boolean;
  properties?: Record<string, string>;
}

export interface FormSchema {
  type: 'default';
  id: string;
  schemaVersion?: number;
  components: FormComponent[];
  properties?: Record<string, string>;
  exporter?: { name: string; version: string };
}

export type FormValues = Record<string, unknown>;

/** Components that hold a value the form submits. */
export const INPUT_TYPES = ['textfield', 'textarea', 'number', 'datetime', 'select', 'radio', 'checkbox', 'checklist', 'taglist', 'filepicker'] as const;
/** Components that only show something (or, as Camunda's Tasklist does with a button, are ignored). */
export const DISPLAY_TYPES = ['text', 'html', 'spacer', 'separator', 'image', 'button'] as const;
export const CONTAINER_TYPES = ['group', 'dynamiclist'] as const;
export const OPTION_TYPES = new Set(['select', 'radio', 'checklist', 'taglist']);

const INPUTS = new Set<string>(INPUT_TYPES);
const DISPLAYS = new Set<string>(DISPLAY_TYPES);
const CONTAINERS = new Set<string>(CONTAINER_TYPES);
/** Refused, with why (the docs list these). */
const REFUSED: Record<string, string> = {
  iframe: 'an iframe shows another site inside the form',
  table: 'a table shows variables the form does not check',
  expression: 'a computed value is not checked on the server',
  documentPreview: 'documents are the case page’s attachments here',
};

/** The component types refused at publishing (the form editor does not offer them). */
export const REFUSED_COMPONENTS = Object.keys(REFUSED);

/** A key or path: names joined by dots, as form-js writes nested data. */
export const KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,4}$/;
/** Nesting and size limits, so a submitted form cannot make the check walk without end. */
export const MAX_COMPONENTS = 500;
export const MAX_DEPTH = 6;

export const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
export const isInput = (c: FormComponent) => INPUTS.has(c.type);

/** Every component, depth first, with its parents (for the materials group and labels). */
export function walkComponents(components: FormComponent[], visit: (c: FormComponent, parents: FormComponent[]) => void, parents: FormComponent[] = []): void {
  for (const c of components) {
    visit(c, parents);
    if (CONTAINERS.has(c.type) && Array.isArray(c.components)) walkComponents(c.components, visit, [...parents, c]);
  }
}

/** The root's `scope` property: where a started case's district and street come from. */
export function formScope(form: FormSchema | null): 'applicant' | 'project' {
  return form?.properties?.scope === 'project' ? 'project' : 'applicant';
}

/** The form's first text block, without markdown: the description the start page shows. */
export function formDescription(form: FormSchema | null): string {
  const text = form?.components.find((c) => c.type === 'text')?.text ?? '';
  return text.replace(/[#*_>`]/g, '').trim();
}

/** A label for a data path ("members.0.name" → "成员 / 姓名"), for summaries of case data. */
export function labelsByKey(form: FormSchema | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!form) return out;
  walkComponents(form.components, (c, parents) => {
    const name = c.key ?? c.path;
    const label = c.label ?? c.dateLabel;
    if (!name || !label) return;
    const prefix = parents
      .map((p) => p.path)
      .filter(Boolean)
      .join('.');
    out.set(prefix ? `${prefix}.${name}` : name, label);
  });
  return out;
}

/**
 * Mistakes in a form definition (checked at publishing, so a broken form never reaches a case):
 * unknown or refused components, keys missing, badly written or used twice, options missing,
 * FEEL that does not parse, patterns that do not compile, rules the server could not check.
 * `knownRefs`: the registries a `ref` may name (the server passes its list; absent, any name).
 */
export function formSchemaProblems(form: unknown, knownRefs?: readonly string[]): string[] {
  const problems: string[] = [];
  if (!isPlainObject(form)) return ['the form is not a JSON object'];
  const f = form as unknown as FormSchema;
  if (typeof f.id !== 'string' || !/^[A-Za-z0-9_.-]{1,128}$/.test(f.id)) problems.push('the form has no usable id');
  if (f.type !== undefined && f.type !== 'default') problems.push(`the form's type is "${String(f.type)}", not "default"`);
  if (!Array.isArray(f.components)) return [...problems, 'the form has no components list'];
  const scope = f.properties?.scope;
  if (scope !== undefined && scope !== 'applicant' && scope !== 'project') problems.push(`the form's scope "${String(scope)}" is neither applicant nor project`);
  let count = 0;
  const checkList = (components: unknown, depth: number, keys: Set<string>, where: string) => {
    if (!Array.isArray(components)) return void problems.push(`${where}: components is not a list`);
    if (depth > MAX_DEPTH) return void problems.push(`${where}: nested more than ${MAX_DEPTH} deep`);
    for (const raw of components as unknown[]) {
      count += 1;
      if (count > MAX_COMPONENTS) return void problems.push(`the form has more than ${MAX_COMPONENTS} components`);
      if (!isPlainObject(raw) || typeof raw.type !== 'string') {
        problems.push(`${where}: a component without a type`);
        continue;
      }
      const c = raw as unknown as FormComponent;
      const name = c.key ?? c.path ?? c.id ?? c.type;
      const at = `${where}${where ? '.' : ''}${name}`;
      if (REFUSED[c.type]) problems.push(`${at}: the ${c.type} component is not supported (${REFUSED[c.type]})`);
      else if (!INPUTS.has(c.type) && !DISPLAYS.has(c.type) && !CONTAINERS.has(c.type)) problems.push(`${at}: unknown component type "${c.type}"`);
      if (c.conditional?.hide !== undefined) {
        const problem = typeof c.conditional.hide === 'string' ? feelSyntaxProblem(c.conditional.hide) : 'is not text';
        if (problem) problems.push(`${at}: the hide condition ${problem}`);
      }
      if (CONTAINERS.has(c.type)) {
        if (c.type === 'dynamiclist' && !c.path) problems.push(`${at}: a dynamic list needs a path`);
        if (c.path !== undefined && !KEY_PATTERN.test(c.path)) problems.push(`${at}: path "${c.path}" is not a name`);
        let inner = keys;
        if (c.path) {
          if (keys.has(c.path)) problems.push(`${at}: "${c.path}" is used twice`);
          keys.add(c.path);
          inner = new Set<string>();
        }
        checkList(c.components, depth + 1, inner, at);
        continue;
      }
      if (!INPUTS.has(c.type)) continue;
      if (typeof c.key !== 'string' || !KEY_PATTERN.test(c.key)) {
        problems.push(`${at}: a ${c.type} without a usable key`);
        continue;
      }
      if (keys.has(c.key)) problems.push(`${at}: the key "${c.key}" is used twice`);
      keys.add(c.key);
      problems.push(...inputProblems(c, at, knownRefs));
    }
  };
  checkList(f.components, 0, new Set(), '');
  return problems;
}

function inputProblems(c: FormComponent, at: string, knownRefs?: readonly string[]): string[] {
  const problems: string[] = [];
  const v = c.validate ?? {};
  for (const rule of ['min', 'max', 'minLength', 'maxLength'] as const) {
    const bound: unknown = v[rule];
    // A FEEL bound is evaluated on the server too (form-values.ts withBounds), over the form's data.
    if (typeof bound === 'string' && isExpression(bound)) {
      const syntax = feelSyntaxProblem(bound);
      if (syntax) problems.push(`${at}: validate.${rule} is not valid FEEL: ${syntax}`);
    } else if (bound !== undefined && (typeof bound !== 'number' || !Number.isFinite(bound))) problems.push(`${at}: validate.${rule} must be a number or a FEEL expression`);
  }
  if (v.required !== undefined && typeof v.required !== 'boolean') problems.push(`${at}: validate.required must be true or false`);
  if (v.pattern !== undefined) {
    try {
      new RegExp(v.pattern);
    } catch {
      problems.push(`${at}: the pattern ${v.pattern} does not compile`);
    }
  }
  if (OPTION_TYPES.has(c.type)) {
    const ref = c.properties?.ref;
    if (c.valuesExpression !== undefined) problems.push(`${at}: options from an expression are not checked on the server; list them or name a registry (ref)`);
    if (ref !== undefined) {
      if (knownRefs && !knownRefs.includes(ref)) problems.push(`${at}: ref "${ref}" is not a registry (${knownRefs.join(', ')})`);
    } else if (c.valuesKey !== undefined) {
      problems.push(`${at}: options from a variable (valuesKey) are not checked on the server; list them or name a registry (ref)`);
    } else if (!Array.isArray(c.values) || c.values.length === 0) {
      problems.push(`${at}: a ${c.type} without options`);
    } else if (c.values.some((o) => !isPlainObject(o) || !['string', 'number', 'boolean'].includes(typeof o.value))) {
      problems.push(`${at}: every option needs a value`);
    }
  }
  if (c.type === 'datetime' && c.subtype !== undefined && !['date', 'time', 'datetime'].includes(c.subtype)) problems.push(`${at}: unknown datetime subtype "${c.subtype}"`);
  if (c.properties?.format !== undefined && c.properties.format !== 'duration') problems.push(`${at}: unknown format "${c.properties.format}"`);
  if (typeof c.readonly === 'string' || typeof c.multiple === 'string') problems.push(`${at}: readonly and multiple must be true or false here (expressions are not checked on the server)`);
  return problems;
}

/** Two forms are the same when their JSON is (key order ignored). */
export function sameForm(a: unknown, b: unknown): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
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
