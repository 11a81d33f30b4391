import type { Knex } from 'knex';
import { z } from 'zod';
import { SAVED_FILTERS_PER_LIST, deleteSavedFilter, saveFilter, savedFiltersOf } from '../../db/saved-filters';
import { can, type Permission } from '../../lib/roles';
import { conflict, forbidden, missingOrDenied, validationError } from '../http/errors';
import type { Api } from '../http/route';
import { CaseFilter } from './cases';
import { OperationLogFilter } from './operation-log';
import { CaseBoxFilter, TaskFilter } from './tasks';

/**
 * Saved filters (保存的筛选, issue 14): a user names the filter of a list and applies it again
 * later, in any browser. A filter is checked against its list's own schema before it is kept,
 * so a saved filter is always one the list accepts; a list the role may not open cannot have
 * filters saved either.
 */
const LISTS: Record<string, { filter: z.ZodObject; access?: Permission }> = {
  cases: { filter: CaseFilter },
  'inbox/todo': { filter: TaskFilter },
  'inbox/claimable': { filter: TaskFilter },
  'inbox/done': { filter: TaskFilter },
  'inbox/unassigned': { filter: TaskFilter, access: 'cases:admin' },
  'inbox/started': { filter: CaseBoxFilter },
  'inbox/copied': { filter: CaseBoxFilter },
  'operation-logs': { filter: OperationLogFilter, access: 'oplog:read' },
};
const LIST_KEYS = Object.keys(LISTS) as [string, ...string[]];

const ListParam = z.object({ list: z.enum(LIST_KEYS) });
const SaveBody = z.object({
  list: z.enum(LIST_KEYS),
  name: z.string().trim().min(1).max(64),
  filter: z.record(z.string(), z.unknown()),
});
const IdParams = z.object({ id: z.coerce.number().int().positive() });

export function registerSavedFilterRoutes(api: Api, db: Knex): void {
  const mayUse = (role: Parameters<typeof can>[0], list: string) => {
    const access = LISTS[list]!.access;
    if (access && !can(role, access)) throw forbidden(`Your role may not open this list (${access})`);
  };

  api.add({
    method: 'get',
    path: '/api/saved-filters',
    summary: 'The caller’s saved filters of one list, by name',
    tags: ['saved-filters'],
    access: 'signed-in',
    query: ListParam,
    handler: async ({ query, user }) => {
      mayUse(user.role, query.list);
      return savedFiltersOf(db, user.id, query.list);
    },
  });

  api.add({
    method: 'post',
    path: '/api/saved-filters',
    summary: `Save the filter of a list under a name (the same name replaces it; at most ${SAVED_FILTERS_PER_LIST} per list)`,
    tags: ['saved-filters'],
    action: 'saved-filters.create',
    access: 'signed-in',
    status: 201,
    body: SaveBody,
    handler: async ({ body, user, audit }) => {
      mayUse(user.role, body.list);
      const checked = LISTS[body.list]!.filter.strict().safeParse(body.filter);
      if (!checked.success) {
        const err = validationError(checked.error, 'body');
        for (const d of err.details ?? []) d.field = d.field.replace(/^body\./, 'body.filter.');
        throw err;
      }
      return db.transaction(async (trx) => {
        const saved = await saveFilter(trx, user.id, body.list, body.name, checked.data as Record<string, unknown>);
        if (!saved) throw conflict(`A list keeps at most ${SAVED_FILTERS_PER_LIST} saved filters; delete one first`, [{ field: 'body.name', reason: `at most ${SAVED_FILTERS_PER_LIST} per list` }]);
        await audit(trx, { status: 201, targetType: 'saved_filter', targetId: saved.id, detail: { list: body.list, name: body.name } });
        return saved;
      });
    },
  });

  api.add({
    method: 'delete',
    path: '/api/saved-filters/:id',
    summary: 'Delete one of the caller’s saved filters',
    tags: ['saved-filters'],
    action: 'saved-filters.delete',
    access: 'signed-in',
    params: IdParams,
    handler: async ({ params, user, audit }) => {
      // Another user's filter is answered as missing, and logged as a denied attempt.
      if (!(await deleteSavedFilter(db, user.id, params.id))) throw await missingOrDenied(db, 'saved_filters', params.id, 'Saved filter', 'saved_filter');
      await audit(db, { targetType: 'saved_filter', targetId: params.id });
      return { deleted: params.id };
    },
  });
}
