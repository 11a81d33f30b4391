import { evaluateFeel, feelCondition, isExpression } from '../bpmn/feel';
import { durationMs } from '../bpmn/iso8601';
import { durationFromWords } from './durations';
import { isInput, isPlainObject, type FormComponent, type FormSchema, type FormValues } from './form-schema';

/**
 * The values a Camunda form takes, checked the same way in the browser (the form-js viewer's
 * validator is replaced by this one, admin-ui/src/forms/) and on the server (a start, a task's
 * decision): the component's rules as form-js defines them (required, min/max, minLength/
 * maxLength, pattern, email), its type (a number is a number, a date a calendar date, a select
 * one of its options), hidden components (`conditional.hide`, FEEL) neither required nor kept,
 * and keys the form does not have refused. What the server keeps is what form-js would submit.
 */
export interface FormProblem {
  /** `formData.<path>`: `formData.members.0.name`. */
  field: string;
  /** English, as the API speaks. */
  reason: string;
  /** The same in Chinese, for the form itself. */
  zh: string;
}

/** Longest text a field takes when the form sets no maxLength. */
export const DEFAULT_TEXT_MAX = 4000;
/** Most rows of a dynamic list, most files of a file picker. */
export const MAX_LIST_ITEMS = 200;
export const MAX_FILES = 50;
const FILE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const isEmpty = (v: unknown) => v === undefined || v === null || v === '';

function isCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}
const isTime = (text: string) => /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?(Z|[+-]\d{2}:?\d{2})?$/.test(text);

/**
 * form-js's phone check (validationType "phone"): an international number, "+" or "00", the
 * country code and the subscriber's digits. The browser checks it against form-js's table of
 * country codes; the server holds it to this shape (7 to 20 digits after the prefix).
 */
const INTERNATIONAL_PHONE = /^(\+|00)[1-9]\d{6,19}$/;

/** Decimal places of a number as written (1.25 → 2). */
function decimals(n: number): number {
  const text = String(n);
  if (/e-(\d+)$/.test(text)) return Number(/e-(\d+)$/.exec(text)![1]);
  return text.includes('.') ? text.split('.')[1].length : 0;
}

type Refuse = (reason: string, zh: string) => void;

const BOUNDS = ['min', 'max', 'minLength', 'maxLength'] as const;

/**
 * A component whose bounds are FEEL (`max: "=receipt.price"`, as form-js allows) with them
 * evaluated over what the form sees (its data and the case's variables), as the browser does; a
 * bound that gives no number sets no limit, in form-js too.
 */
export function withBounds(c: FormComponent, ctx: Record<string, unknown>): FormComponent {
  const v = c.validate;
  if (!v || !BOUNDS.some((b) => typeof v[b] === 'string')) return c;
  const resolved: Record<string, unknown> = { ...v };
  for (const b of BOUNDS) {
    const bound: unknown = v[b];
    if (typeof bound !== 'string') continue;
    let value: unknown;
    try {
      value = isExpression(bound) ? evaluateFeel(bound, ctx) : Number(bound);
    } catch {
      value = null;
    }
    resolved[b] = typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  }
  return { ...c, validate: resolved as FormComponent['validate'] };
}

/** The problems of one present value (not undefined, null or ''). */
export function valueProblems(c: FormComponent, value: unknown, refuse: Refuse): void {
  const v = c.validate ?? {};
  const options = (c.values ?? []).map((o) => o.value);
  const ref = c.properties?.ref;
  const isOption = (x: unknown) => (ref ? typeof x === 'number' && Number.isSafeInteger(x) && x > 0 : options.some((o) => o === x));
  const optionReason = () => (ref ? ['must be the id (a positive integer) of a record', '须选择一条记录'] : [`must be one of ${options.map(String).join(', ')}`, '须从选项中选择']);
  switch (c.type) {
    case 'textfield':
    case 'textarea': {
      if (typeof value !== 'string') return refuse('must be text', '须为文字');
      const max = v.maxLength ?? DEFAULT_TEXT_MAX;
      const length = value.trim().length;
      if (value.length > Math.max(max, DEFAULT_TEXT_MAX) || length > max) return refuse(`must be at most ${max} characters`, `最多 ${max} 个字`);
      if (v.minLength !== undefined && length < v.minLength) return refuse(`must be at least ${v.minLength} characters`, `至少 ${v.minLength} 个字`);
      if (v.required && length === 0) return refuse('is required', '必填');
      if (v.pattern && !new RegExp(v.pattern).test(value)) return refuse(`must match ${v.pattern}`, v.patternErrorMessage || '格式不正确');
      if (v.validationType === 'email' && !EMAIL.test(value)) return refuse('must be an e-mail address', '须为电子邮箱地址');
      if (v.validationType === 'phone' && !INTERNATIONAL_PHONE.test(value)) return refuse('must be an international phone number such as +8613800000000', '须为国际格式电话号码，如 +8613800000000');
      if (c.properties?.format === 'duration') {
        const iso = durationFromWords(value);
        const ms = iso === null ? null : durationMs(iso);
        if (ms === null || ms <= 0) return refuse('must be a span such as 10天 or 12小时 (or a positive ISO-8601 duration such as P10D)', '须为时长，如 10天、12小时、1天12小时');
      }
      return;
    }
    case 'number': {
      const n = typeof value === 'string' && c.serializeToString && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) return refuse('must be a number', '须为数字');
      if (c.decimalDigits !== undefined && decimals(n) > c.decimalDigits)
        return refuse(c.decimalDigits === 0 ? 'must be a whole number' : `must have at most ${c.decimalDigits} decimals`, c.decimalDigits === 0 ? '须为整数' : `最多 ${c.decimalDigits} 位小数`);
      if (v.min !== undefined && n < v.min) return refuse(`must be at least ${v.min}`, `不得小于 ${v.min}`);
      if (v.max !== undefined && n > v.max) return refuse(`must be at most ${v.max}`, `不得大于 ${v.max}`);
      return;
    }
    case 'datetime': {
      const sub = c.subtype ?? 'date';
      if (typeof value !== 'string') return refuse(sub === 'time' ? 'must be a time HH:mm' : sub === 'date' ? 'must be a date YYYY-MM-DD' : 'must be a date and time YYYY-MM-DDTHH:mm', '须为日期');
      if (sub === 'date' && !isCalendarDate(value)) return refuse('must be a date YYYY-MM-DD', '须为日期（年-月-日）');
      if (sub === 'time' && !isTime(value)) return refuse('must be a time HH:mm', '须为时间（时:分）');
      if (sub === 'datetime') {
        const [d, t] = value.split('T');
        if (!d || !t || !isCalendarDate(d) || !isTime(t)) return refuse('must be a date and time YYYY-MM-DDTHH:mm', '须为日期和时间');
      }
      return;
    }
    case 'select':
    case 'radio':
      if (!isOption(value)) return refuse(...(optionReason() as [string, string]));
      return;
    case 'checklist':
    case 'taglist': {
      if (!Array.isArray(value)) return refuse('must be a list', '须为多选');
      if (value.length > MAX_LIST_ITEMS) return refuse(`must have at most ${MAX_LIST_ITEMS} items`, `最多 ${MAX_LIST_ITEMS} 项`);
      if (!value.every(isOption)) return refuse(...(optionReason() as [string, string]));
      if (new Set(value).size !== value.length) return refuse('names an option twice', '选项重复');
      if (v.required && value.length === 0) return refuse('is required', '必填');
      return;
    }
    case 'checkbox':
      if (typeof value !== 'boolean') return refuse('must be true or false', '须勾选或不勾选');
      if (v.required && value !== true) return refuse('is required', '必须勾选');
      return;
    case 'filepicker': {
      if (!Array.isArray(value)) return refuse('must be a list of uploaded files [{ fileId, name? }]', '须上传文件');
      const most = c.multiple ? MAX_FILES : 1;
      if (value.length > most) return refuse(`takes at most ${most} file${most === 1 ? '' : 's'}`, `最多 ${most} 个文件`);
      if (v.required && value.length === 0) return refuse('is required', '必须上传');
      const accepted = (c.accept ?? '')
        .split(',')
        .map((a) => a.trim().toLowerCase())
        .filter((a) => a.startsWith('.'));
      for (const f of value) {
        if (!isPlainObject(f) || typeof f.fileId !== 'string' || !FILE_ID.test(f.fileId)) return refuse('must be uploaded files [{ fileId, name? }]', '须为已上传的文件');
        if (Object.keys(f).some((k) => k !== 'fileId' && k !== 'name')) return refuse('a file has fields other than fileId and name', '文件信息不正确');
        if (f.name !== undefined && (typeof f.name !== 'string' || f.name.length > 255)) return refuse('a file name must be text of at most 255 characters', '文件名过长');
        if (accepted.length && typeof f.name === 'string' && !accepted.some((ext) => f.name!.toString().toLowerCase().endsWith(ext))) return refuse(`takes only ${accepted.join(', ')} files`, `只接受 ${accepted.join('、')} 文件`);
      }
      return;
    }
  }
}

/** The value at a dotted key inside one data scope. */
function getAt(scope: FormValues, key: string): unknown {
  return key.split('.').reduce<unknown>((v, part) => (isPlainObject(v) ? v[part] : undefined), scope);
}
function setAt(scope: FormValues, key: string, value: unknown): void {
  const parts = key.split('.');
  let at = scope;
  for (const part of parts.slice(0, -1)) at = (isPlainObject(at[part]) ? at[part] : (at[part] = {})) as FormValues;
  at[parts[parts.length - 1]] = value;
}

export interface PrepareOptions {
  /**
   * Values a component marked read-only or disabled shows but the submitter may not change (a
   * task form shows the case's variables): they are not taken from the submission. Default true.
   */
  dropReadonly?: boolean;
  /** Variables the hide conditions may read besides the form's own values (a task: the case's). */
  context?: FormValues;
}

/**
 * What a submission keeps, as form-js would submit it: defaults filled in, hidden (FEEL
 * `conditional.hide`), disabled and empty values dropped, read-only ones not taken from the
 * submitter; and every problem, each with its field path. A hidden component is neither
 * required nor checked. Keys the form does not have are refused by name.
 */
export function prepareFormValues(form: FormSchema, input: unknown, options: PrepareOptions = {}): { data: FormValues; problems: FormProblem[] } {
  const problems: FormProblem[] = [];
  const data: FormValues = {};
  // Defaults first, as form-js imports them: a hide condition reads the kind the form defaults to.
  const source = withDefaults(form.components, isPlainObject(input) ? input : {});
  const root = { ...(options.context ?? {}), ...source };
  const dropReadonly = options.dropReadonly ?? true;

  /** One data scope (the root, a group's path, one row of a dynamic list): its components in order. */
  const walk = (components: FormComponent[], scope: FormValues, out: FormValues, prefix: string, ctx: FormValues, consumed: Set<string>) => {
    for (const c of components) {
      if (c.conditional?.hide && feelCondition(c.conditional.hide, ctx)) {
        // Hidden: its keys are the form's, so not "unknown"; they are simply not kept.
        markKeys(c, consumed);
        continue;
      }
      if (c.type === 'group') {
        if (c.path) {
          consumed.add(c.path.split('.')[0]);
          const inner = getAt(scope, c.path);
          const innerOut: FormValues = {};
          const innerConsumed = new Set<string>();
          if (inner !== undefined && inner !== null && !isPlainObject(inner)) {
            refuse(`${prefix}.${c.path}`, 'must be an object', '格式不正确');
            continue;
          }
          const innerScope = isPlainObject(inner) ? inner : {};
          walk(c.components ?? [], innerScope, innerOut, `${prefix}.${c.path}`, ctx, innerConsumed);
          unknownKeys(innerScope, innerConsumed, `${prefix}.${c.path}`);
          if (Object.keys(innerOut).length) setAt(out, c.path, innerOut);
        } else {
          walk(c.components ?? [], scope, out, prefix, ctx, consumed);
        }
        continue;
      }
      if (c.type === 'dynamiclist' && c.path) {
        consumed.add(c.path.split('.')[0]);
        const rows = getAt(scope, c.path);
        const at = `${prefix}.${c.path}`;
        if (rows === undefined || rows === null) continue;
        if (!Array.isArray(rows)) {
          refuse(at, 'must be a list', '须为列表');
          continue;
        }
        if (rows.length > MAX_LIST_ITEMS) {
          refuse(at, `must have at most ${MAX_LIST_ITEMS} rows`, `最多 ${MAX_LIST_ITEMS} 行`);
          continue;
        }
        const kept: FormValues[] = [];
        rows.forEach((row, i) => {
          if (!isPlainObject(row)) return void refuse(`${at}.${i}`, 'must be an object', '格式不正确');
          const rowOut: FormValues = {};
          const rowConsumed = new Set<string>();
          walk(c.components ?? [], row, rowOut, `${at}.${i}`, { ...ctx, ...row, this: row, parent: scope, _i: [i + 1] }, rowConsumed);
          unknownKeys(row, rowConsumed, `${at}.${i}`);
          kept.push(rowOut);
        });
        setAt(out, c.path, kept);
        continue;
      }
      if (!isInput(c) || !c.key) continue;
      consumed.add(c.key.split('.')[0]);
      if (c.disabled || (dropReadonly && c.readonly === true)) continue;
      const value = getAt(scope, c.key);
      const at = `${prefix}.${c.key}`;
      const empty = isEmpty(value) || (Array.isArray(value) && value.length === 0 && c.type !== 'dynamiclist');
      if (empty) {
        if (c.validate?.required) refuse(at, 'is required', c.type === 'filepicker' ? '必须上传' : '必填');
        continue;
      }
      let bad = false;
      valueProblems(withBounds(c, ctx), value, (reason, zh) => {
        bad = true;
        refuse(at, reason, zh);
      });
      // A span in words is kept as the ISO-8601 duration the process's timers read.
      if (!bad) setAt(out, c.key, c.properties?.format === 'duration' && typeof value === 'string' ? durationFromWords(value) : value);
    }
  };
  const refuse = (field: string, reason: string, zh: string) => problems.push({ field, reason, zh });
  const unknownKeys = (scope: FormValues, consumed: Set<string>, prefix: string) => {
    for (const key of Object.keys(scope)) if (!consumed.has(key)) refuse(`${prefix}.${key}`, 'is not a field of this form', '不是本表单的字段');
  };
  const consumed = new Set<string>();
  walk(form.components, source, data, 'formData', root, consumed);
  unknownKeys(source, consumed, 'formData');
  return { data, problems };
}

/** A copy of one data scope with each empty input's defaultValue filled in, at every depth. */
function withDefaults(components: FormComponent[], scope: FormValues): FormValues {
  const out: FormValues = { ...scope };
  const fill = (list: FormComponent[], at: FormValues) => {
    for (const c of list) {
      if (c.type === 'group' && c.path) {
        const inner = getAt(at, c.path);
        if (inner === undefined || isPlainObject(inner)) {
          const filled = withDefaults(c.components ?? [], isPlainObject(inner) ? inner : {});
          if (inner !== undefined || Object.keys(filled).length) setAt(at, c.path, filled);
        }
      } else if (c.type === 'group') fill(c.components ?? [], at);
      else if (c.type === 'dynamiclist' && c.path) {
        const rows = getAt(at, c.path);
        if (Array.isArray(rows))
          setAt(
            at,
            c.path,
            rows.map((row) => (isPlainObject(row) ? withDefaults(c.components ?? [], row) : row)),
          );
      } else if (c.key && c.defaultValue !== undefined && isEmpty(getAt(at, c.key))) setAt(at, c.key, c.defaultValue);
    }
  };
  fill(components, out);
  return out;
}

/** Every key a component (and what it contains) puts into its data scope. */
function markKeys(c: FormComponent, consumed: Set<string>): void {
  if (c.key) consumed.add(c.key.split('.')[0]);
  else if (c.path) consumed.add(c.path.split('.')[0]);
  else for (const inner of c.components ?? []) markKeys(inner, consumed);
}

/** Every registry reference in (prepared) data, with its field path: for the existence check. */
export function refsOf(form: FormSchema, data: FormValues): Array<{ field: string; ref: string; id: number }> {
  const out: Array<{ field: string; ref: string; id: number }> = [];
  const walk = (components: FormComponent[], scope: FormValues, prefix: string) => {
    for (const c of components) {
      if (c.type === 'group') walk(c.components ?? [], c.path ? ((getAt(scope, c.path) as FormValues) ?? {}) : scope, c.path ? `${prefix}.${c.path}` : prefix);
      else if (c.type === 'dynamiclist' && c.path) {
        const rows = getAt(scope, c.path);
        if (Array.isArray(rows)) rows.forEach((row, i) => isPlainObject(row) && walk(c.components ?? [], row, `${prefix}.${c.path}.${i}`));
      } else if (c.key && c.properties?.ref) {
        const v = getAt(scope, c.key);
        for (const id of Array.isArray(v) ? v : [v]) if (typeof id === 'number') out.push({ field: `${prefix}.${c.key}`, ref: c.properties.ref, id });
      }
    }
  };
  walk(form.components, data, 'formData');
  return out;
}
