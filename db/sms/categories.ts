import type { Knex } from 'knex';
import { pageOf, type Page, type PageParams } from '../paging';
import { containsPattern } from '../search';

/**
 * SMS categories and who subscribes to them (M2): tables `sms_categories` (a handful of rows an
 * administrator keeps) and `sms_subscriptions` (one row per user and category they receive).
 */
type Db = Knex | Knex.Transaction;

export interface CategoryFields {
  code: string;
  name: string;
  description: string | null;
  active: boolean;
}

export type CategoryRow = CategoryFields & { id: number; created_at: Date; updated_at: Date };

export interface CategoryFilter {
  active?: boolean;
  q?: string;
}

const CATEGORY_FIELDS = ['id', 'code', 'name', 'description', 'active', 'created_at', 'updated_at'];

export async function listCategories(db: Knex, params: PageParams & { filter: CategoryFilter }): Promise<Page<CategoryRow>> {
  const q = db('sms_categories').select(CATEGORY_FIELDS);
  if (params.filter.active !== undefined) q.where('active', params.filter.active);
  if (params.filter.q) {
    const pattern = containsPattern(params.filter.q);
    q.where((w) => w.where('name', 'like', pattern).orWhere('code', 'like', pattern));
  }
  return pageOf<CategoryRow>(q, params, { id: 'id', code: 'code', name: 'name' }, 'id');
}

export async function findCategory(db: Db, id: number, opts: { forUpdate?: boolean } = {}): Promise<CategoryRow | undefined> {
  const q = db('sms_categories').where('id', id);
  if (opts.forUpdate) q.forUpdate();
  return (await q.first()) as CategoryRow | undefined;
}

/** Whether another category already has this code (codes are unique). */
export async function categoryCodeTaken(db: Db, code: string, exceptId?: number): Promise<boolean> {
  const q = db('sms_categories').where('code', code);
  if (exceptId !== undefined) q.whereNot('id', exceptId);
  return Boolean(await q.first('id'));
}

export async function insertCategory(trx: Knex.Transaction, fields: CategoryFields): Promise<number> {
  const [id] = await trx('sms_categories').insert(fields);
  return Number(id);
}

export async function updateCategory(trx: Knex.Transaction, id: number, fields: CategoryFields): Promise<void> {
  await trx('sms_categories')
    .where('id', id)
    .update({ ...fields, updated_at: new Date() });
}

/** Which of these ids name active categories (new subscriptions and notices take no others). */
export async function activeCategoryIds(db: Db, ids: number[]): Promise<number[]> {
  if (!ids.length) return [];
  return ((await db('sms_categories').whereIn('id', ids).where('active', true).pluck('id')) as number[]).map(Number);
}

export interface CategoryChoice {
  id: number;
  code: string;
  name: string;
  description: string | null;
  subscribed: boolean;
}

/** Every active category, marked with whether this user receives it. */
export async function categoryChoices(db: Knex, userId: number): Promise<CategoryChoice[]> {
  const rows = (await db('sms_categories as c')
    .leftJoin('sms_subscriptions as s', (j) => j.on('s.category_id', 'c.id').andOn('s.user_id', db.raw('?', [userId])))
    .where('c.active', true)
    .orderBy('c.id')
    .select('c.id', 'c.code', 'c.name', 'c.description', db.raw('s.user_id IS NOT NULL AS subscribed'))) as Array<Omit<CategoryChoice, 'subscribed'> & { subscribed: number | boolean }>;
  return rows.map((c) => ({ ...c, subscribed: Boolean(c.subscribed) }));
}

export async function subscribedCategoryIds(db: Db, userId: number): Promise<number[]> {
  return ((await db('sms_subscriptions').where('user_id', userId).pluck('category_id')) as number[]).map(Number);
}

/** Makes the user's subscriptions exactly `categoryIds`; re-adding an existing one is a no-op. */
export async function replaceSubscriptions(trx: Knex.Transaction, userId: number, categoryIds: number[]): Promise<void> {
  await trx('sms_subscriptions').where('user_id', userId).whereNotIn('category_id', categoryIds).delete();
  if (categoryIds.length) {
    await trx('sms_subscriptions')
      .insert(categoryIds.map((category_id) => ({ user_id: userId, category_id })))
      .onConflict(['user_id', 'category_id'])
      .ignore();
  }
}
