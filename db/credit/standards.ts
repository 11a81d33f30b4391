import type { Knex } from 'knex';
import { ScoringModel, StandardItem, type StandardContent } from '../../lib/credit/standard';
import { dayOf } from '../../lib/credit/days';

/**
 * The SQL of credit standards (tables `credit_standards`, `credit_standard_items`; C1): drafts
 * the city edits, versions it publishes, and the version in force on a day. A published version
 * is never changed: a new one is drafted and applies from its own date, so a record keeps the
 * version it was scored under (`credit_events.standard_id`).
 */

export interface StandardSummary {
  id: number;
  version: number | null;
  name: string;
  status: 'draft' | 'published';
  effectiveFrom: string | null;
  createdAt: Date;
  publishedAt: Date | null;
  items: number;
}

export interface StandardItemRow extends StandardItem {
  id: number;
}

export interface Standard extends Omit<StandardSummary, 'items'> {
  model: ScoringModel;
  items: StandardItemRow[];
}

/** The most versions and drafts a list shows (a city publishes one or two a year). */
const LIST_LIMIT = 200;

type Row = {
  id: number;
  version: number | null;
  name: string;
  status: 'draft' | 'published';
  effective_from: Date | string | null;
  model: string | ScoringModel;
  created_at: Date;
  published_at: Date | null;
};
type ItemRow = {
  id: number;
  code: string;
  name: string;
  data_class: StandardItem['dataClass'];
  area: StandardItem['area'];
  kind: StandardItem['kind'];
  points_min: string | number;
  points_max: string | number;
  validity_months: number | null;
  veto: number | boolean;
  subjects: string | StandardItem['subjects'];
  evidence_required: number | boolean;
  manager_share: string | number;
};

const json = <T>(v: string | T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

function itemOf(r: ItemRow): StandardItemRow {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    dataClass: r.data_class,
    area: r.area,
    kind: r.kind,
    pointsMin: Number(r.points_min),
    pointsMax: Number(r.points_max),
    validityMonths: r.validity_months,
    veto: Boolean(r.veto),
    subjects: json(r.subjects),
    evidenceRequired: Boolean(r.evidence_required),
    managerShare: Number(r.manager_share),
  };
}

const itemColumns = (standardId: number, item: StandardItem) => ({
  standard_id: standardId,
  code: item.code,
  name: item.name,
  data_class: item.dataClass,
  area: item.area,
  kind: item.kind,
  points_min: item.pointsMin,
  points_max: item.pointsMax,
  validity_months: item.validityMonths,
  veto: item.veto,
  subjects: JSON.stringify(item.subjects),
  evidence_required: item.evidenceRequired,
  manager_share: item.managerShare,
});

export async function listStandards(db: Knex, opts: { drafts: boolean }): Promise<StandardSummary[]> {
  const q = db('credit_standards as s')
    .select('s.id', 's.version', 's.name', 's.status', 's.effective_from', 's.created_at', 's.published_at')
    .select(db.raw('(SELECT COUNT(*) FROM credit_standard_items i WHERE i.standard_id = s.id) AS items'))
    .orderByRaw('s.version IS NULL DESC, s.version DESC, s.id DESC')
    .limit(LIST_LIMIT);
  if (!opts.drafts) q.where('s.status', 'published');
  const rows = (await q) as Array<Row & { items: number | string }>;
  return rows.map((r) => ({ id: r.id, version: r.version, name: r.name, status: r.status, effectiveFrom: dayOf(r.effective_from), createdAt: r.created_at, publishedAt: r.published_at, items: Number(r.items) }));
}

export async function getStandard(db: Knex | Knex.Transaction, id: number): Promise<Standard | null> {
  const row = (await db('credit_standards').where('id', id).first()) as Row | undefined;
  if (!row) return null;
  const items = ((await db('credit_standard_items').where('standard_id', id).orderBy('id')) as ItemRow[]).map(itemOf);
  return {
    id: row.id,
    version: row.version,
    name: row.name,
    status: row.status,
    effectiveFrom: dayOf(row.effective_from),
    createdAt: row.created_at,
    publishedAt: row.published_at,
    model: ScoringModel.parse(json(row.model)),
    items,
  };
}

/** `userId` null: written by the platform (the demo seed). */
export async function createDraft(trx: Knex.Transaction, content: StandardContent, userId: number | null): Promise<number> {
  const [id] = await trx('credit_standards').insert({ name: content.name, status: 'draft', model: JSON.stringify(content.model), created_by: userId });
  await trx('credit_standard_items').insert(content.items.map((item) => itemColumns(id, item)));
  return id;
}

/** Replaces a draft's content; false when it is not a draft (published versions are never changed). */
export async function updateDraft(trx: Knex.Transaction, id: number, content: StandardContent): Promise<boolean> {
  const locked = (await trx('credit_standards').where({ id, status: 'draft' }).forUpdate().first('id')) as { id: number } | undefined;
  if (!locked) return false;
  await trx('credit_standards')
    .where('id', id)
    .update({ name: content.name, model: JSON.stringify(content.model) });
  await trx('credit_standard_items').where('standard_id', id).delete();
  await trx('credit_standard_items').insert(content.items.map((item) => itemColumns(id, item)));
  return true;
}

export async function deleteDraft(trx: Knex.Transaction, id: number): Promise<boolean> {
  return (await trx('credit_standards').where({ id, status: 'draft' }).delete()) > 0;
}

/** The latest published version's first day (a new one must start after it), or null. */
export async function latestEffectiveFrom(trx: Knex.Transaction): Promise<string | null> {
  const row = (await trx('credit_standards').where('status', 'published').orderBy('effective_from', 'desc').forUpdate().first('effective_from')) as { effective_from: Date | string } | undefined;
  return row ? dayOf(row.effective_from) : null;
}

/** Publishes a draft as the next version from `effectiveFrom`; false when it is not a draft. */
export async function publishDraft(trx: Knex.Transaction, id: number, effectiveFrom: string, userId: number | null): Promise<number | null> {
  const draft = (await trx('credit_standards').where({ id, status: 'draft' }).forUpdate().first('id')) as { id: number } | undefined;
  if (!draft) return null;
  const top = (await trx('credit_standards').max({ v: 'version' }).first()) as { v: number | null };
  const version = (top.v ?? 0) + 1;
  await trx('credit_standards').where('id', id).update({ status: 'published', version, effective_from: effectiveFrom, published_by: userId, published_at: new Date() });
  return version;
}

/** The published version in force on a Beijing day: the latest one starting on or before it. */
export async function standardAt(db: Knex | Knex.Transaction, day: string): Promise<Standard | null> {
  const row = (await db('credit_standards').where('status', 'published').where('effective_from', '<=', day).orderBy('effective_from', 'desc').first('id')) as { id: number } | undefined;
  return row ? getStandard(db, row.id) : null;
}
