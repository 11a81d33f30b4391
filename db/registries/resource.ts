import type { Knex } from 'knex';
import type { z } from 'zod';
import type { Permission, Scope } from '../../lib/roles';
import type { Actor } from './actor';
import type { FieldSpec } from './fields';

/**
 * What a registry resource declares; the generic store (store.ts), the REST routes, the export
 * and the import all work from this one description.
 */
export interface ChildSpec {
  /** Property of the record that holds the child rows, e.g. "buildings". */
  key: string;
  table: string;
  foreignKey: string;
  fields: readonly FieldSpec[];
  orderBy: string;
  /** Shown with the record but written only by approvals (filed contracts, tender awards). */
  readOnly?: boolean;
}

/** A reference to another registry by its natural key: imports and exports use the key, not the id. */
export interface RefKey {
  field: string;
  table: string;
  keyColumn: string;
  /** Header of the key's column in imports and exports. */
  label: string;
}

export interface RegistryResource {
  /** URL segment and react-admin resource name. */
  name: string;
  /** `registry_changes.entity`. */
  entity: string;
  /** Chinese name, the export's sheet name. */
  title: string;
  table: string;
  alias: string;
  fields: readonly FieldSpec[];
  children?: readonly ChildSpec[];
  /** Carries the approved flag that an edit clears (condo's pattern). */
  approvable: boolean;
  /** The natural key an import matches existing records by. */
  importKey?: { fields: string[]; label: string };
  refKeys?: readonly RefKey[];
  readPermission: Permission;
  writePermission: Permission;
  /** Everything a list row and a record show: the table's columns plus joined display names. */
  base(db: Knex | Knex.Transaction): Knex.QueryBuilder;
  /** Display columns the base query adds (name → Chinese label), also exported. */
  displayColumns: Record<string, string>;
  readScope(q: Knex.QueryBuilder, scope: Scope): Knex.QueryBuilder;
  /** Why this actor may not write this record (before = null on create), or null. */
  writeProblem(actor: Actor, before: Record<string, unknown> | null, after: Record<string, unknown>, trx: Knex.Transaction): Promise<string | null>;
  /** Fields only some actors may change (an enterprise may not grant itself a qualification). */
  protectedFields?: { fields: readonly string[]; mayChange(actor: Actor): boolean };
  sortable: readonly [string, ...string[]];
  defaultSort: [string, 'ASC' | 'DESC'];
  searchColumns: readonly string[];
  /** Extra OR branches of the search box, for columns LIKE cannot search (an encrypted ID number by its blind index). */
  searchMore?(w: Knex.QueryBuilder, text: string): void;
  filter: z.ZodObject<z.ZodRawShape>;
  applyFilter(q: Knex.QueryBuilder, filter: Record<string, unknown>): void;
  /** Cross-field checks on a whole body (path + reason). */
  crossCheck?(body: Record<string, unknown>): Array<{ path: string; reason: string }>;
  /** Fills derived fields from the body (a committee's district from its project), before any check. */
  prepare?(trx: Knex.Transaction, body: Record<string, unknown>): Promise<void>;
  /** Creates whatever must exist before the row (an organisation) and returns the id to use. */
  beforeInsert?(trx: Knex.Transaction, values: Record<string, unknown>): Promise<number | undefined>;
  /** Keeps derived data in step, inside the write's transaction. */
  afterWrite?(trx: Knex.Transaction, id: number, before: Record<string, unknown> | null, after: Record<string, unknown>): Promise<void>;
}
