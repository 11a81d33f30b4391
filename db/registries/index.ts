import { committees } from './committees';
import { creditEvents, trainings } from './credit';
import { enterprises } from './enterprises';
import { projects } from './projects';
import type { RegistryResource } from './resource';
import { staff } from './staff';

/** Every registry resource, by its URL name. */
export const REGISTRIES: Record<string, RegistryResource> = Object.fromEntries([projects, enterprises, staff, committees, creditEvents, trainings].map((r) => [r.name, r]));

/** The resources an Excel/CSV import writes, matched by their natural keys. */
export const IMPORTABLE = ['projects', 'enterprises', 'staff'] as const;

export { committees, creditEvents, enterprises, projects, staff, trainings };
export type { RegistryResource };
