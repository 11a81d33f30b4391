import type { Knex } from 'knex';
import type { Scope } from '../lib/roles';
import { pageOf, type Page, type PageParams } from './paging';
import { whereInScope } from './scope';
import { containsPattern, prefixPattern } from './search';

/**
 * Organisations (`organisations`): the bureau, districts' and streets' offices, enterprises,
 * developers and owners' committees people work for. An organisation is placed by its district
 * and street, and reaches itself in organisation scope. Enterprise and committee rows are also
 * kept in step by their registries (db/registries/enterprises.ts, committees.ts), inside the
 * registry write's transaction.
 */
type Db = Knex | Knex.Transaction;

export const ORGANISATION_KINDS = ['city_bureau', 'admin_centre', 'district_bureau', 'street_office', 'enterprise', 'developer', 'owners_committee', 'public'] as const;
export const ORGANISATION_SORTABLE = ['id', 'code', 'name', 'kind', 'district_code', 'created_at'] as const;
const COLUMNS = Object.fromEntries(ORGANISATION_SORTABLE.map((c) => [c, `o.${c}`]));
const SCOPE = { organisationId: 'o.id', districtCode: 'o.district_code', streetCode: 'o.street_code' };
const FIELDS = ['o.id', 'o.code', 'o.name', 'o.kind', 'o.district_code', 'o.street_code', 'o.phone', 'o.address', 'o.active', 'o.created_at', 'o.updated_at'];

export type OrganisationRow = Record<string, unknown> & { id: number };

export interface OrganisationFilter {
  q?: string;
  kind?: string;
  district_code?: string;
  id?: number[];
}

export interface OrganisationFields {
  code: string;
  name: string;
  kind: (typeof ORGANISATION_KINDS)[number];
  district_code: string | null;
  street_code: string | null;
  phone: string | null;
  address: string | null;
  active: boolean;
}

/** One page of the organisations a scope sees; every sort column has its index (migration 088). */
export async function listOrganisations(db: Knex, scope: Scope, params: PageParams & { filter: OrganisationFilter }): Promise<Page<OrganisationRow>> {
  const q = whereInScope(db('organisations as o').select(FIELDS), scope, SCOPE);
  const f = params.filter;
  if (f.q) {
    const pattern = containsPattern(f.q);
    q.where((w) => w.where('o.name', 'like', pattern).orWhere('o.code', 'like', pattern));
  }
  if (f.kind) q.where('o.kind', f.kind);
  if (f.district_code) q.where('o.district_code', f.district_code);
  if (f.id) q.whereIn('o.id', f.id);
  return pageOf<OrganisationRow>(q, params, COLUMNS, 'o.id');
}

/** One organisation, if the scope reaches it (city scope: any). */
export async function findOrganisation(db: Db, scope: Scope, id: number, opts: { forUpdate?: boolean } = {}): Promise<OrganisationRow | undefined> {
  const q = whereInScope(db('organisations as o').select(FIELDS), scope, SCOPE).where('o.id', id);
  if (opts.forUpdate) q.forUpdate();
  return (await q.first()) as OrganisationRow | undefined;
}

export async function organisationExists(db: Db, id: number): Promise<boolean> {
  return Boolean(await db('organisations').where('id', id).first('id'));
}

/**
 * Where an applicant organisation is placed, if the scope reaches it: a case is filed for an
 * organisation the starter may act for, and placed in its district and street.
 */
export async function organisationInScope(db: Db, id: number, scope: Scope): Promise<{ id: number; name: string; district_code: string | null; street_code: string | null } | undefined> {
  return (await whereInScope(db('organisations as o'), scope, SCOPE).where('o.id', id).first('o.id', 'o.name', 'o.district_code', 'o.street_code')) as
    { id: number; name: string; district_code: string | null; street_code: string | null } | undefined;
}

/** The city bureau's organisation (the first administrator's), if there is one. */
export async function cityBureauId(db: Db): Promise<number | undefined> {
  const row = (await db('organisations').where('kind', 'city_bureau').first('id')) as { id: number } | undefined;
  return row?.id;
}

/** A new organisation; the registries create an enterprise's or committee's row this way first, then share its id. */
export async function insertOrganisation(trx: Knex.Transaction, fields: Pick<OrganisationFields, 'code' | 'name' | 'kind'> & Partial<OrganisationFields>): Promise<number> {
  const [id] = await trx('organisations').insert(fields);
  return Number(id);
}

/** Replaces an organisation's fields (an administrator's form), or those a registry keeps in step. */
export async function updateOrganisation(trx: Knex.Transaction, id: number, fields: Partial<OrganisationFields>): Promise<void> {
  await trx('organisations')
    .where('id', id)
    .update({ ...fields, updated_at: new Date() });
}

/** How many organisation codes start with a prefix (a re-formed committee's code gets the next suffix). */
export async function countCodesStartingWith(trx: Knex.Transaction, prefix: string): Promise<number> {
  const row = (await trx('organisations').where('code', 'like', prefixPattern(prefix)).count({ n: '*' }).first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}

/** An organisation's name, for documents that name the applicant; undefined when there is none. */
export async function organisationName(db: Db, organisationId: number): Promise<string | undefined> {
  const row = (await db('organisations').where('id', organisationId).first('name')) as { name: string } | undefined;
  return row?.name;
}

/** id → name of the given organisations (the operation log names its targets). */
export async function organisationNames(db: Db, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const rows = (await db('organisations')
    .whereIn('id', [...new Set(ids)])
    .select('id', 'name')) as Array<{ id: number; name: string }>;
  return new Map(rows.map((r) => [Number(r.id), r.name]));
}
