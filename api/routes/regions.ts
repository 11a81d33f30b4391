import type { Knex } from 'knex';
import { z } from 'zod';
import { listRegions } from '../../db/regions';
import type { Api } from '../http/route';

/** The place hierarchy is public reference data: every form's district and street pickers read it. */
export function registerRegionRoutes(api: Api, db: Knex): void {
  api.add({
    method: 'get',
    path: '/api/regions',
    summary: 'Districts, streets and communities; filter by parent or level',
    tags: ['regions'],
    access: 'public',
    query: z.object({
      parent_code: z.string().max(16).optional(),
      level: z.enum(['city', 'district', 'street', 'community']).optional(),
    }),
    handler: async ({ query }) => listRegions(db, query),
  });
}
