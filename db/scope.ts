import type { Knex } from 'knex';
import type { Scope } from '../lib/roles';

/**
 * Confines a query to the rows a scope may reach, by the columns that place a row: its
 * organisation, district and street. Every scoped list and every fetch by id goes through here,
 * so a district user can never name another district's record into view. It lives with the SQL
 * modules (db/) because they build the queries; api/auth/scope.ts re-exports it.
 */
export interface ScopeColumns {
  organisationId?: string;
  districtCode: string;
  streetCode?: string;
}

export function whereInScope(query: Knex.QueryBuilder, scope: Scope, columns: ScopeColumns): Knex.QueryBuilder {
  switch (scope.kind) {
    case 'city':
      return query;
    case 'district':
      return query.where(columns.districtCode, scope.districtCode);
    case 'street':
      return columns.streetCode ? query.where(columns.streetCode, scope.streetCode) : query.where(columns.districtCode, scope.districtCode);
    case 'organisation':
      return columns.organisationId ? query.where(columns.organisationId, scope.organisationId) : query.whereRaw('1 = 0');
    case 'none':
      return query.whereRaw('1 = 0');
  }
}
