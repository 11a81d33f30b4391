import type { Knex } from 'knex';
import { blindIndex, decryptField, encryptField, isEncrypted } from '../../lib/crypto/fields';
import { isMasked, maskValue, type PersonalKind } from '../../lib/pii';
import { RegistryError } from './actor';
import type { FieldSpec } from './fields';
import type { RegistryResource } from './resource';

/**
 * Personal fields of the registries at rest and on the way out (docs/personal-data.md):
 * - at rest a personal column holds an AES-256-GCM ciphertext (lib/crypto/fields.ts) whose
 *   purpose is `<table>.<column>`; an ID number also keeps its blind index (HMAC) for equality
 *   look-ups (double registration, the per-enterprise uniqueness, search by a full number) and
 *   its last four characters (shown by the mask anyway) for search by them;
 * - inside the server the model layer reads values decrypted (normaliseRow), so comparisons,
 *   imports and approvals work on real values;
 * - every answer, export and history row shows them masked (lib/pii), except an explicit,
 *   logged unmasking by someone with `pii:read` or a clear export with `pii:export`.
 */
export interface PersonalSpec {
  kind: PersonalKind;
  /** `<table>.<column>`: the key derivation label and the GCM associated data. */
  purpose: string;
  /** Column with the blind index of the normalised value (equality look-ups). */
  indexColumn?: string;
  /** Column with the last four characters (search by them). */
  last4Column?: string;
}

export const STAFF_ID_NUMBER: PersonalSpec = { kind: 'id_number', purpose: 'enterprise_staff.id_number', indexColumn: 'id_number_bidx', last4Column: 'id_number_last4' };
export const STAFF_MOBILE: PersonalSpec = { kind: 'phone', purpose: 'enterprise_staff.mobile' };
export const MEMBER_PHONE: PersonalSpec = { kind: 'phone', purpose: 'committee_members.phone' };

/** An ID number as the blind index sees it: equal numbers, equal indexes (the check character's x is X). */
export function normaliseIdNumber(value: string): string {
  return value.trim().toUpperCase();
}

const normalised = (spec: PersonalSpec, value: string) => (spec.kind === 'id_number' ? normaliseIdNumber(value) : value.trim());

/** The blind index of a staff ID number (the key of 重复挂职 and of exact look-ups). */
export function idNumberIndex(idNumber: string): string {
  return blindIndex(STAFF_ID_NUMBER.purpose, normaliseIdNumber(idNumber));
}

/**
 * A stored value as the server works with it. A value that is not a ciphertext is one written
 * before migration 090 (or by a tool that bypassed the model layer): it is read as it is, and
 * `rotateRegistryFields` encrypts it.
 */
export function openValue(spec: PersonalSpec, stored: unknown): unknown {
  if (typeof stored !== 'string' || !isEncrypted(stored)) return stored;
  return decryptField(spec.purpose, stored);
}

/** The columns that store one clear value: its ciphertext, and its index and last four where kept. */
export function sealedColumns(column: string, spec: PersonalSpec, clear: string | null): Record<string, string | null> {
  const out: Record<string, string | null> = { [column]: clear === null ? null : encryptField(spec.purpose, clear) };
  if (spec.indexColumn) out[spec.indexColumn] = clear === null ? null : blindIndex(spec.purpose, normalised(spec, clear));
  if (spec.last4Column) out[spec.last4Column] = clear === null ? null : normalised(spec, clear).slice(-4);
  return out;
}

/** Column values about to be written, with each personal field sealed (fields without a value are left alone). */
export function sealColumns(fields: readonly FieldSpec[], values: Record<string, unknown>): Record<string, unknown> {
  const out = { ...values };
  for (const f of fields) {
    if (!f.personal || !(f.name in values)) continue;
    const v = values[f.name];
    if (isMasked(v)) throw new RegistryError('invalid', 'is masked; send the full value, or the masked one unchanged', f.name);
    Object.assign(out, sealedColumns(f.name, f.personal, typeof v === 'string' && v !== '' ? v : null));
  }
  return out;
}

/** The staff row of the demo seed and tools that insert rows directly: personal fields sealed. */
export function sealStaffRow<T extends Record<string, unknown>>(row: T): Record<string, unknown> {
  return { ...row, ...sealedColumns('id_number', STAFF_ID_NUMBER, (row.id_number as string | null) ?? null), ...sealedColumns('mobile', STAFF_MOBILE, (row.mobile as string | null) ?? null) };
}

export function sealMemberRow<T extends Record<string, unknown>>(row: T): Record<string, unknown> {
  return { ...row, ...sealedColumns('phone', MEMBER_PHONE, (row.phone as string | null) ?? null) };
}

const maskIfText = (kind: PersonalKind, v: unknown) => (typeof v === 'string' && v !== '' && !isMasked(v) ? maskValue(kind, v) : v);

function maskFields(fields: readonly FieldSpec[], row: Record<string, unknown>): Record<string, unknown> {
  const out = { ...row };
  for (const f of fields) if (f.personal && f.name in out) out[f.name] = maskIfText(f.personal.kind, out[f.name]);
  // Index columns are never an answer's business (an HMAC of a number is still about the person).
  for (const f of fields) {
    if (f.personal?.indexColumn) delete out[f.personal.indexColumn];
    if (f.personal?.last4Column) delete out[f.personal.last4Column];
  }
  return out;
}

export function hasPersonalFields(res: RegistryResource): boolean {
  return res.fields.some((f) => f.personal) || (res.children ?? []).some((c) => c.fields.some((f) => f.personal));
}

/**
 * A record (or a snapshot of one) with its personal fields masked, children included. Used for
 * every answer of the registry API and for the change history.
 */
export function maskRecord<T extends Record<string, unknown>>(res: RegistryResource, record: T): T {
  if (!hasPersonalFields(res)) return record;
  const out = maskFields(res.fields, record);
  for (const child of res.children ?? []) {
    const rows = out[child.key];
    if (Array.isArray(rows)) out[child.key] = rows.map((r: Record<string, unknown>) => maskFields(child.fields, r));
  }
  return out as T;
}

/** The clear personal fields of one record: what an unmasking answers. */
export function personalPart(res: RegistryResource, record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { id: record.id };
  for (const f of res.fields) if (f.personal) out[f.name] = record[f.name] ?? null;
  for (const child of res.children ?? []) {
    const personal = child.fields.filter((f) => f.personal);
    if (!personal.length) continue;
    const rows = (record[child.key] as Array<Record<string, unknown>> | undefined) ?? [];
    out[child.key] = rows.map((r) => Object.fromEntries([['id', r.id], ['name', r.name ?? null], ...personal.map((f) => [f.name, r[f.name] ?? null])]));
  }
  return out;
}

/** The names of a resource's personal fields, children's as `<key>.<field>` (for the operation log). */
export function personalFieldNames(res: RegistryResource): string[] {
  return [...res.fields.filter((f) => f.personal).map((f) => f.name), ...(res.children ?? []).flatMap((c) => c.fields.filter((f) => f.personal).map((f) => `${c.key}.${f.name}`))];
}

/**
 * A body from a form or an import that shows personal fields masked (as it received them) means
 * "unchanged": the stored value takes the mask's place. A mask that does not match the stored
 * value (or on a new record) is refused, naming the field. A committee's member rows carry no
 * ids in a body, so a masked phone is matched to the stored member of the same name and mask.
 */
export function unmaskBody(res: RegistryResource, before: Record<string, unknown> | null, body: Record<string, unknown>): void {
  const problem = (field: string) => new RegistryError('invalid', 'is masked; send the full value, or the masked one of this record unchanged', field);
  for (const f of res.fields) {
    const v = body[f.name];
    if (!f.personal || !isMasked(v)) continue;
    const stored = before?.[f.name];
    if (typeof stored !== 'string' || maskValue(f.personal.kind, stored) !== v) throw problem(f.name);
    body[f.name] = stored;
  }
  for (const child of res.children ?? []) {
    const personal = child.fields.filter((f) => f.personal);
    const rows = body[child.key];
    if (!personal.length || !Array.isArray(rows)) continue;
    const storedRows = ((before?.[child.key] as Array<Record<string, unknown>> | undefined) ?? []).slice();
    body[child.key] = rows.map((row: Record<string, unknown>, i: number) => {
      const out = { ...row };
      for (const f of personal) {
        const v = out[f.name];
        if (!isMasked(v)) continue;
        const matches = (r: Record<string, unknown>) => typeof r[f.name] === 'string' && maskValue(f.personal!.kind, r[f.name] as string) === v;
        const match = storedRows.find((r) => r.name === out.name && matches(r)) ?? storedRows.find(matches);
        if (!match) throw problem(`${child.key}.${i}.${f.name}`);
        out[f.name] = match[f.name];
      }
      return out;
    });
  }
}

/** Translates an import's natural-key match to the stored columns (an ID number by its blind index). */
export function storedKeyMatch(res: RegistryResource, match: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(match)) {
    const spec = res.fields.find((f) => f.name === name)?.personal;
    if (spec?.indexColumn && typeof value === 'string') out[spec.indexColumn] = blindIndex(spec.purpose, normalised(spec, value));
    else out[name] = value;
  }
  return out;
}

/** A search text that is a whole ID number (18 characters, or the old 15 digits). */
export const FULL_ID_NUMBER = /^(\d{17}[\dXx]|\d{15})$/;
/** A search text that may be an ID number's last four characters. */
export const ID_LAST4 = /^\d{3}[\dXx]$/;

/** Adds the ID-number branches of a search box to an OR group: the full number by index, the last four by their column. */
export function orWhereIdNumber(w: Knex.QueryBuilder, alias: string, text: string): void {
  const t = text.trim();
  if (FULL_ID_NUMBER.test(t)) w.orWhere(`${alias}.id_number_bidx`, idNumberIndex(t));
  else if (ID_LAST4.test(t)) w.orWhere(`${alias}.id_number_last4`, normaliseIdNumber(t));
}
