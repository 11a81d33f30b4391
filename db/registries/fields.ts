import { z } from 'zod';
import { isMasked } from '../../lib/pii';
import { openValue, type PersonalSpec } from './pii';

/**
 * One declaration per registry field drives everything that must agree about it: the zod schema
 * that validates API bodies and import rows, how a database value reads back (decimals as
 * numbers, dates as YYYY-MM-DD, tinyint as boolean), and the Chinese column header of exports
 * and imports. Adding a field is one line here plus the migration.
 */
export type FieldType = 'string' | 'text' | 'int' | 'decimal' | 'bool' | 'date' | 'enum' | 'ref';

export interface FieldSpec {
  name: string;
  /** Chinese label: the export's column header, and one of the headers an import accepts. */
  label: string;
  type: FieldType;
  required?: boolean;
  /** Maximum length of a string. */
  max?: number;
  /** Allowed codes of an enum field with their Chinese labels (exports write labels, imports accept either). */
  values?: Record<string, string>;
  /** Bounds of a number. */
  min?: number;
  maxValue?: number;
  pattern?: { regex: RegExp; message: string };
  /** Written when the client sends no value (for NOT NULL columns with a default). */
  default?: string | number | boolean;
  /** A value the server derives; never accepted from a client. */
  derived?: boolean;
  /** Extra check beyond the type (for example a checksum); returns the reason or null. */
  check?: (value: never) => string | null;
  /**
   * Personal data (docs/personal-data.md): stored encrypted, read back decrypted inside the
   * server, masked in every answer. A masked placeholder passes validation here so that a form
   * can send it back unchanged; the model layer puts the stored value back in its place.
   */
  personal?: PersonalSpec;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
/** The largest id an INT UNSIGNED column holds. */
const MAX_ID = 4_294_967_295;

/** A day of the calendar within MySQL's DATE range (1000-01-01 … 9999-12-31), not just a plausible string. */
export function isCalendarDate(v: string): boolean {
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v && v >= '1000-01-01';
}

/** The zod type of one field as a client sends it. Blank strings mean "no value". */
export function zodOf(f: FieldSpec): z.ZodType {
  const blankToNull = (v: unknown) => (v === '' || v === undefined ? null : v);
  // A missing required value says so, instead of zod's "expected string, received null".
  const error = { error: (iss: { input?: unknown }) => (iss.input === undefined || iss.input === null ? 'is required' : undefined) };
  let base: z.ZodType;
  switch (f.type) {
    case 'string':
    case 'text': {
      let s = z
        .string(error)
        .trim()
        .max(f.max ?? (f.type === 'text' ? 4000 : 255));
      if (f.required) s = s.min(1, 'is required');
      const pattern = f.pattern;
      if (pattern && f.personal) base = s.refine((v) => isMasked(v) || pattern.regex.test(v), pattern.message);
      else base = pattern ? s.regex(pattern.regex, pattern.message) : s;
      break;
    }
    case 'int':
    case 'ref':
    case 'decimal': {
      let n = f.type === 'decimal' ? z.number(error) : z.number(error).int();
      if (f.min !== undefined) n = n.min(f.min);
      else if (f.type !== 'ref') n = n.min(0);
      if (f.maxValue !== undefined) n = n.max(f.maxValue);
      // A reference is an INT UNSIGNED id: a larger one is no record, not a database error.
      if (f.type === 'ref') n = n.positive().max(MAX_ID);
      base = n;
      break;
    }
    case 'bool':
      base = z.boolean(error);
      break;
    case 'date':
      // Date.parse takes 2023-02-30 (as 2 March), which MySQL refuses; a real day reads back unchanged, in DATE's range.
      base = z
        .string(error)
        .regex(DATE_RE, 'must be a date YYYY-MM-DD')
        .refine((v) => isCalendarDate(v), 'is not a real date');
      break;
    case 'enum':
      base = z.enum(Object.keys(f.values ?? {}) as [string, ...string[]], error);
      break;
  }
  if (f.check) {
    const check = f.check;
    base = base.superRefine((v, ctx) => {
      if (f.personal && isMasked(v)) return;
      const problem = check(v as never);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
  }
  if (f.type === 'bool') return z.preprocess((v) => (v === undefined || v === null || v === '' ? (f.default ?? false) : v), base);
  if (f.required) return z.preprocess(blankToNull, base);
  if (f.default !== undefined) {
    const fallback = f.default;
    return z.preprocess((v) => blankToNull(v) ?? fallback, base);
  }
  return z.preprocess(blankToNull, base.nullable()).default(null);
}

/** The body schema of a record: every non-derived field. */
export function bodyShape(fields: readonly FieldSpec[]): Record<string, z.ZodType> {
  return Object.fromEntries(fields.filter((f) => !f.derived).map((f) => [f.name, zodOf(f)]));
}

const pad = (n: number) => String(n).padStart(2, '0');
export const isoDate = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

/** A database value as the API shows it. */
export function fromDb(f: FieldSpec, v: unknown): unknown {
  if (v === null || v === undefined) return f.type === 'bool' ? false : null;
  switch (f.type) {
    case 'bool':
      return v === true || v === 1 || v === '1';
    case 'decimal':
    case 'int':
    case 'ref':
      return Number(v);
    case 'date':
      return v instanceof Date ? isoDate(v) : String(v).slice(0, 10);
    default:
      return v;
  }
}

export function normaliseRow(fields: readonly FieldSpec[], row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...row };
  for (const f of fields) if (f.name in row) out[f.name] = fromDb(f, f.personal ? openValue(f.personal, row[f.name]) : row[f.name]);
  return out;
}

/** The value written to the database for a validated field value. */
export function toDb(f: FieldSpec, v: unknown): unknown {
  if (f.type === 'bool') return v ? 1 : 0;
  return v ?? null;
}

/** An export cell: enum codes become their Chinese labels, booleans 是/否. */
export function exportCell(f: FieldSpec, v: unknown): string | number | null {
  if (v === null || v === undefined) return null;
  if (f.type === 'enum') return f.values?.[String(v)] ?? String(v);
  if (f.type === 'bool') return v ? '是' : '否';
  if (typeof v === 'number') return v;
  return String(v);
}

/** Reads an import cell into what the field's zod schema expects; returns the raw value when it cannot, so zod reports it. */
export function importCell(f: FieldSpec, raw: unknown): unknown {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'object' && raw !== null && !(raw instanceof Date)) {
    // exceljs gives rich text and hyperlinks as objects.
    const o = raw as { text?: unknown; result?: unknown; richText?: Array<{ text: string }> };
    if (o.richText) raw = o.richText.map((r) => r.text).join('');
    else if (o.result !== undefined) raw = o.result;
    else if (o.text !== undefined) raw = o.text;
  }
  const text = raw instanceof Date ? isoDate(raw) : String(raw).trim();
  if (text === '') return null;
  switch (f.type) {
    case 'int':
    case 'decimal':
    case 'ref': {
      const n = Number(text.replace(/,/g, ''));
      return Number.isFinite(n) ? n : text;
    }
    case 'bool':
      if (['是', '有', 'true', 'TRUE', '1', 'Y', 'y', 'yes'].includes(text)) return true;
      if (['否', '无', 'false', 'FALSE', '0', 'N', 'n', 'no'].includes(text)) return false;
      return text;
    case 'enum': {
      const byLabel = Object.entries(f.values ?? {}).find(([, label]) => label === text);
      return byLabel ? byLabel[0] : text;
    }
    case 'date':
      return /^\d{4}[/.]\d{1,2}[/.]\d{1,2}$/.test(text)
        ? text
            .split(/[/.]/)
            .map((p, i) => (i ? pad(Number(p)) : p))
            .join('-')
        : text;
    default:
      return text;
  }
}

/** Shared formats. */
export const PHONE = { regex: /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|400-?\d{3}-?\d{4}|\d{5,8})$/, message: 'must be a mobile, landline or service number' };
export const POSTCODE = { regex: /^\d{6}$/, message: 'must be six digits' };
export const EMAIL = { regex: /^[^\s@]+@[^\s@]+\.[^\s@]+$/, message: 'must be an e-mail address' };
