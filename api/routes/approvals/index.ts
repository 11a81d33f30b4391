import type { Knex } from 'knex';
import type { Api } from '../../http/route';
import { registerApprovalDocumentRoutes } from './documents';
import { registerStartableRoute } from './startable';
import { registerTenderRoutes } from './tenders';

/** Routes of the domain approvals (docs/approvals.md). Register before the process routes. */
export function registerApprovalRoutes(api: Api, db: Knex): void {
  registerStartableRoute(api, db);
  registerApprovalDocumentRoutes(api, db);
  registerTenderRoutes(api, db);
}
