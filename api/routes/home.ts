import type { Knex } from 'knex';
import { BACKLOG_BOUND, caseBacklog } from '../../db/cases/backlog';
import { processNames } from '../../db/processes';
import { recentMessagesTo } from '../../db/sms/messages';
import type { Api } from '../http/route';

/**
 * 工作台's own figures (issue 14; the task counts come from the inbox boxes): the caller's
 * scope's cases in progress by process, and the latest texts the platform sent the caller.
 */
export function registerHomeRoutes(api: Api, db: Knex): void {
  api.add({
    method: 'get',
    path: '/api/home/backlog',
    summary: `Cases in progress in the caller’s scope, by process (counted over at most ${BACKLOG_BOUND} open cases: complete says whether that was all)`,
    tags: ['home'],
    access: 'signed-in',
    handler: async ({ user }) => {
      const backlog = await caseBacklog(db, user.scope);
      const names = await processNames(
        db,
        backlog.rows.map((r) => r.process_key),
      );
      return { complete: backlog.complete, rows: backlog.rows.map((r) => ({ ...r, process_name: names.get(r.process_key) ?? r.process_key })) };
    },
  });

  api.add({
    method: 'get',
    path: '/api/home/messages',
    summary: 'The latest texts (notices, case news) the platform sent the caller',
    tags: ['home'],
    access: 'signed-in',
    handler: async ({ user }) => recentMessagesTo(db, user.id, 5),
  });
}
