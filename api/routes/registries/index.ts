import type { Knex } from 'knex';
import { REGISTRIES } from '../../../db/registries';
import type { Api } from '../../http/route';
import { registerDuplicateStaffRoutes } from './duplicates';
import { registerRegistryHistoryRoutes } from './history';
import { registerRegistryRoutes } from './resource-routes';

/** The base registries (D1–D5): one set of REST routes per registry, their history and the double-registration query. */
export function registerRegistries(api: Api, db: Knex): void {
  registerRegistryHistoryRoutes(api, db, Object.values(REGISTRIES));
  registerDuplicateStaffRoutes(api, db);
  for (const res of Object.values(REGISTRIES)) registerRegistryRoutes(api, db, res);
}
