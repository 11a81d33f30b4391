import type { Knex } from 'knex';
import { z } from 'zod';
import type { Scope } from '../../lib/roles';
import { pageOf, type Page } from '../paging';
import { containsPattern } from '../search';
import { RegistryError, type Actor } from './actor';
import { bodyShape, normaliseRow, toDb, type FieldSpec } from './fields';
import { changedFields, recordChange, type ChangeAction, type Snapshot } from './history';
import { maskRecord, sealColumns, unmaskBody } from './pii';
import type { ChildSpec, RegistryResource } from './resource';

/**
 * The generic model layer of the registries: every read goes through the resource's scope, and
 * every write checks the writer's rights, keeps derived data in step, clears the approved flag
 * and records its history — all in the caller's transaction.
 */
export type RecordData = Record<string, unknown> & { id: number };

/** The body a client sends to create or replace a record (children optional: omitted = unchanged). */
export function bodySchema(res: RegistryResource) {
  // Building the schema takes tens of milliseconds (a project has sixty fields); an import asks
  // for it once per row, so 1,000 rows spent over 20 s building the same schema.
  let schema = BODY_SCHEMAS.get(res);
  if (!schema) BODY_SCHEMAS.set(res, (schema = buildBodySchema(res)));
  return schema;
}
const BODY_SCHEMAS = new WeakMap<RegistryResource, ReturnType<typeof buildBodySchema>>();

function buildBodySchema(res: RegistryResource) {
  const children = Object.fromEntries(
    (res.children ?? [])
      .filter((c) => !c.readOnly)
      .map((c) => [
        c.key,
        z
          .array(z.object(bodyShape(c.fields)))
          .max(1000)
          .optional(),
      ]),
  );
  return z.object({ ...bodyShape(res.fields), ...children, version: z.number().int().positive().optional() }).superRefine((body, ctx) => {
    for (const p of res.crossCheck?.(body) ?? []) ctx.addIssue({ code: 'custom', path: [p.path], message: p.reason });
  });
}

export type RecordBody = Record<string, unknown> & { version?: number };

export interface ListParams {
  filter: Record<string, unknown>;
  sort: [string, 'ASC' | 'DESC'];
  offset: number;
  limit: number;
}

/** The filtered, scoped query behind a list and an export (without order or page). */
export function filteredQuery(db: Knex | Knex.Transaction, res: RegistryResource, scope: Scope, filter: Record<string, unknown>): Knex.QueryBuilder {
  const q = res.readScope(res.base(db), scope);
  const { q: search, id, ...rest } = filter as { q?: string; id?: number[] };
  if (search) {
    const pattern = containsPattern(search);
    q.where((w) => {
      res.searchColumns.forEach((c) => w.orWhere(c, 'like', pattern));
      // Encrypted columns cannot be searched with LIKE; the resource adds its exact branches.
      res.searchMore?.(w, search);
    });
  }
  if (id) q.whereIn(`${res.alias}.id`, id);
  res.applyFilter(q, rest);
  return q;
}

/** Own columns are qualified with the table's alias; joined display columns are sorted by their select alias. */
export function sortColumn(res: RegistryResource, field: string): string {
  return field in res.displayColumns ? field : `${res.alias}.${field}`;
}

/**
 * One page of a registry within a scope, with a bounded total (db/paging.ts). When the sort is
 * on the table's own column, the page is chosen on ids alone and only its rows are then read in
 * full: the joins that just add display names are dropped from the id query (MariaDB eliminates
 * unused left joins on unique keys), so a deep page skips index entries instead of joined rows
 * and a search scans the table alone. A sort on a joined display name pages the full query.
 */
export async function listRecords(db: Knex, res: RegistryResource, scope: Scope, params: ListParams): Promise<Page<RecordData>> {
  const columns = Object.fromEntries(res.sortable.map((f) => [f, sortColumn(res, f)]));
  const idColumn = `${res.alias}.id`;
  if (params.sort[0] in res.displayColumns) {
    const page = await pageOf<Record<string, unknown>>(filteredQuery(db, res, scope, params.filter), params, columns, idColumn);
    return { ...page, rows: page.rows.map((r) => normalise(res, r)) };
  }
  const ids = filteredQuery(db, res, scope, params.filter).clearSelect().select(idColumn);
  const page = await pageOf<{ id: number }>(ids, params, columns, idColumn);
  if (!page.rows.length) return { ...page, rows: [] };
  const full = (await res.base(db).whereIn(
    idColumn,
    page.rows.map((r) => r.id),
  )) as Array<Record<string, unknown>>;
  const byId = new Map(full.map((r) => [Number(r.id), r]));
  const rows = page.rows.map((r) => byId.get(Number(r.id))).filter((r): r is Record<string, unknown> => r !== undefined);
  return { ...page, rows: rows.map((r) => normalise(res, r)) };
}

const BOOKKEEPING: FieldSpec[] = [
  { name: 'approved', label: '已审核', type: 'bool' },
  { name: 'version', label: '版本', type: 'int' },
];

export function normalise(res: RegistryResource, row: Record<string, unknown>): RecordData {
  return normaliseRow([...res.fields, ...BOOKKEEPING], row) as RecordData;
}

async function loadChildren(db: Knex | Knex.Transaction, child: ChildSpec, id: number): Promise<Array<Record<string, unknown>>> {
  const rows = (await db(child.table).where(child.foreignKey, id).orderBy(child.orderBy).orderBy('id')) as Array<Record<string, unknown>>;
  return rows.map((r) => {
    const n = normaliseRow(child.fields, r);
    return Object.fromEntries([['id', r.id], ...child.fields.map((f) => [f.name, n[f.name]])]);
  });
}

/** One record with its children, if the scope reaches it. */
export async function getRecord(db: Knex | Knex.Transaction, res: RegistryResource, scope: Scope, id: number, opts: { forUpdate?: boolean } = {}): Promise<RecordData | null> {
  const q = res.readScope(res.base(db), scope).where(`${res.alias}.id`, id);
  if (opts.forUpdate) q.forUpdate();
  const row = (await q.first()) as Record<string, unknown> | undefined;
  if (!row) return null;
  const record = normalise(res, row);
  for (const child of res.children ?? []) record[child.key] = await loadChildren(db, child, id);
  return record;
}

/** What the history keeps of a record: its own fields, its children (without row ids) and the approved flag. */
export function snapshotOf(res: RegistryResource, record: Record<string, unknown>): Snapshot {
  const snap: Snapshot = Object.fromEntries(res.fields.map((f) => [f.name, record[f.name] ?? null]));
  for (const child of res.children ?? []) {
    const rows = (record[child.key] as Array<Record<string, unknown>> | undefined) ?? [];
    snap[child.key] = rows.map((r) => Object.fromEntries(child.fields.map((f) => [f.name, r[f.name] ?? null])));
  }
  if (res.approvable) snap.approved = Boolean(record.approved);
  return snap;
}

/** Column values of a body: every client field, and the derived ones `prepare` filled in; personal ones sealed (pii.ts). */
function columnValues(fields: readonly FieldSpec[], body: Record<string, unknown>): Record<string, unknown> {
  return sealColumns(fields, Object.fromEntries(fields.filter((f) => !f.derived || f.name in body).map((f) => [f.name, toDb(f, body[f.name])])));
}

async function replaceChildren(trx: Knex.Transaction, res: RegistryResource, id: number, body: Record<string, unknown>): Promise<void> {
  for (const child of res.children ?? []) {
    if (child.readOnly) continue;
    const rows = body[child.key] as Array<Record<string, unknown>> | undefined;
    if (rows === undefined) continue;
    await trx(child.table).where(child.foreignKey, id).delete();
    if (rows.length) await trx(child.table).insert(rows.map((r) => ({ ...columnValues(child.fields, r), [child.foreignKey]: id })));
  }
}

function checkProtected(res: RegistryResource, actor: Actor, before: Record<string, unknown> | null, body: Record<string, unknown>): void {
  const rule = res.protectedFields;
  if (!rule || rule.mayChange(actor)) return;
  for (const name of rule.fields) {
    const spec = res.fields.find((f) => f.name === name);
    const was = before ? (before[name] ?? null) : (spec?.default ?? null);
    if (JSON.stringify(body[name] ?? null) !== JSON.stringify(was)) {
      throw new RegistryError('forbidden', `Your role may not change ${name}`, name);
    }
  }
}

export interface SaveResult {
  id: number;
  created: boolean;
  changed: string[];
}

/**
 * Creates (id = null) or replaces a record. A replace that changes nothing writes nothing (no
 * history row, approved flag kept). Any other change by anyone but an approval clears the
 * approved flag until the record is reviewed again.
 */
export async function saveRecord(trx: Knex.Transaction, res: RegistryResource, actor: Actor, id: number | null, body: RecordBody, opts: { action?: ChangeAction; approve?: boolean } = {}): Promise<SaveResult> {
  const action = opts.action ?? (id === null ? 'create' : 'update');
  body = { ...body };
  await res.prepare?.(trx, body);
  const before = id === null ? null : await getRecord(trx, res, actor.scope, id, { forUpdate: true });
  if (id !== null && !before) throw await notFoundOrOutOfScope(trx, res, id);
  if (before && body.version !== undefined && body.version !== before.version) {
    throw new RegistryError('conflict', 'The record was changed by someone else; reload it and try again', 'version');
  }
  // A form shows personal fields masked and sends them back so: masked means unchanged.
  unmaskBody(res, before, body);
  checkProtected(res, actor, before, body);
  const problem = await res.writeProblem(actor, before, body, trx);
  if (problem) throw new RegistryError('forbidden', problem);

  const values = columnValues(res.fields, body);
  const approve = Boolean(opts.approve && res.approvable);
  const stamp = { updated_at: new Date(), updated_by: actor.userId };
  let recordId: number;
  if (!before) {
    const presetId = await res.beforeInsert?.(trx, values);
    const approval = approve ? { approved: 1, approved_at: new Date(), approved_by: actor.userId } : {};
    const [newId] = await trx(res.table).insert({ ...values, ...(presetId ? { id: presetId } : {}), ...stamp, ...approval });
    recordId = presetId ?? Number(newId);
  } else {
    recordId = before.id;
  }
  if (before) {
    // Compare what would be stored with what is, before writing anything.
    const proposed = snapshotOf(res, { ...before, ...body, ...Object.fromEntries((res.children ?? []).filter((c) => c.readOnly || body[c.key] === undefined).map((c) => [c.key, before[c.key]])) });
    const fieldsChanged = changedFields(snapshotOf(res, before), proposed).filter((f) => f !== 'approved');
    if (fieldsChanged.length === 0 && !(approve && !before.approved)) return { id: recordId, created: false, changed: [] };
    const approval = res.approvable ? (approve ? { approved: 1, approved_at: new Date(), approved_by: actor.userId } : { approved: 0, approved_at: null, approved_by: null }) : {};
    await trx(res.table)
      .where('id', recordId)
      .update({ ...values, ...stamp, ...approval, version: trx.raw('version + 1') });
  }
  await replaceChildren(trx, res, recordId, body);
  await res.afterWrite?.(trx, recordId, before, { ...(before ?? {}), ...body, id: recordId });
  const after = (await getRecord(trx, res, { kind: 'city' }, recordId))!;
  const beforeSnap = before ? snapshotOf(res, before) : null;
  const afterSnap = snapshotOf(res, after);
  const fields = changedFields(beforeSnap, afterSnap);
  // The history names a changed personal field but keeps its values masked only (docs/personal-data.md).
  await recordChange(trx, { entity: res.entity, entityId: recordId, action, before: beforeSnap && maskRecord(res, beforeSnap), after: maskRecord(res, afterSnap), fields, actor });
  return { id: recordId, created: !before, changed: fields };
}

/** A record the scoped read did not find: absent, or there but beyond the actor's scope. */
async function notFoundOrOutOfScope(trx: Knex.Transaction, res: RegistryResource, id: number): Promise<RegistryError> {
  const exists = await trx(res.table).where('id', id).first('id');
  return new RegistryError('not_found', `${res.entity} ${id} not found`, undefined, exists ? { type: res.name, id } : undefined);
}

/** Marks a record reviewed (approved) after an edit; a no-op when it already is. */
export async function reviewRecord(trx: Knex.Transaction, res: RegistryResource, actor: Actor, id: number): Promise<boolean> {
  if (!res.approvable) throw new RegistryError('invalid', `${res.entity} records are not reviewed`);
  const before = await getRecord(trx, res, actor.scope, id, { forUpdate: true });
  if (!before) throw await notFoundOrOutOfScope(trx, res, id);
  // Reviewing is for those who may also write the record (a district reviews its own district's).
  const problem = await res.writeProblem(actor, before, before, trx);
  if (problem) throw new RegistryError('forbidden', problem);
  if (before.approved) return false;
  await trx(res.table).where('id', id).update({ approved: 1, approved_at: new Date(), approved_by: actor.userId });
  await recordChange(trx, {
    entity: res.entity,
    entityId: id,
    action: 'review',
    before: { approved: false },
    after: { approved: true },
    fields: ['approved'],
    actor,
  });
  return true;
}
