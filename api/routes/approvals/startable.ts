import type { Knex } from 'knex';
import { mayStartProcess, startMessageOf } from '../../../lib/bpmn/graph';
import { currentVersions } from '../../../db/processes';
import type { Api } from '../../http/route';

/**
 * GET /api/processes/startable: the enabled processes the caller's role may start (a draft or a
 * disabled process is offered to nobody, docs/process-engine.md "Process lifecycle"; process
 * property `starterRoles`; none set = the bureau's staff), each with its category and the start form pinned to that
 * version (a Camunda form, stored with the version when it was published), so the admin UI renders
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
      return (
        (await currentVersions(db, { status: 'enabled' }))
          // A process a message starts is no one's to start by hand (POST /api/cases refuses it too).
          .filter((v) => mayStartProcess(user.role, v.graph.options) && !startMessageOf(v.graph))
          .map((v) => ({
            key: v.process_key,
            name: v.name,
            version: v.version,
            category: v.category,
            starterRoles: v.graph.options.starterRoles ?? [],
            withdrawable: v.graph.options.withdrawable,
            form: v.form,
          }))
      );
    },
  });
}
