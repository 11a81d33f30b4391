import type { Knex } from 'knex';
import { mayStartProcess, type ProcessGraph } from '../../../lib/bpmn/graph';
import type { StartForm } from '../../../lib/forms/start-form';
import type { Api } from '../../http/route';

/**
 * GET /api/processes/startable: the processes the caller's role may start (process property
 * `starterRoles`; none set = any role with cases:start), each with the start form pinned to that
 * version (stored from processes/forms/<key>.json when it was published), so the admin UI renders
 * and checks the same form POST /api/cases checks.
 * Registered before the process routes, whose /api/processes/:key would take the path otherwise.
 */
export function registerStartableRoute(api: Api, db: Knex): void {
  api.add({
    method: 'get',
    path: '/api/processes/startable',
    summary: 'Processes the caller may start, with their start form descriptions',
    tags: ['processes'],
    access: 'cases:start',
    handler: async ({ user }) => {
      const rows = (await db('processes as p')
        .join('process_versions as v', function current() {
          this.on('v.process_key', 'p.process_key').andOn('v.version', 'p.current_version');
        })
        .orderBy('p.process_key')
        .select('p.process_key', 'v.name', 'v.version', 'v.graph', 'v.form')) as Array<{ process_key: string; name: string; version: number; graph: string; form: string | null }>;
      return rows
        .map((r) => ({ row: r, graph: JSON.parse(r.graph) as ProcessGraph }))
        .filter(({ graph }) => mayStartProcess(user.role, graph.options))
        .map(({ row, graph }) => ({
          key: row.process_key,
          name: row.name,
          version: row.version,
          starterRoles: graph.options.starterRoles ?? [],
          withdrawable: graph.options.withdrawable,
          form: row.form ? (JSON.parse(row.form) as StartForm) : null,
        }));
    },
  });
}
