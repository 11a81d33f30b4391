import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { requiredMaterials as requiredFor, type Material, type StartForm } from '../forms/start-form';
import { caseProcessVersion } from '../../db/cases/cases';
import { versionStartForm } from '../../db/processes';

/**
 * Start forms of the shipped approvals: processes/forms/<processKey>.json, beside the BPMN. The
 * file is read only when a version is published (lib/processes/shipped.ts): its JSON is stored
 * with the version (`process_versions.form`), and everything after that — the start check of
 * POST /api/cases, GET /api/processes/startable, the approvals' activities — reads the form
 * pinned to the version, so editing the file never changes a running case. The definition and
 * its checks are in lib/forms/start-form.ts (shared with the admin UI). Format: docs/approvals.md.
 */
export type { FormField, Material, StartForm } from '../forms/start-form';

/** processes/forms (SHIPPED_PROCESSES_DIR/forms; spelled out here, as shipped.ts imports this file). */
export const FORMS_DIR = path.resolve(__dirname, '..', '..', 'processes', 'forms');

/** The form file on disk, as publishing reads it (null: the process has none). */
export function startForm(processKey: string, dir = FORMS_DIR): StartForm | null {
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(processKey)) return null;
  const file = path.join(dir, `${processKey}.json`);
  if (!fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as StartForm;
}

/** The form pinned to a case: the one stored with the version the case runs. */
export async function caseStartForm(db: Knex | Knex.Transaction, caseId: number): Promise<StartForm | null> {
  const pinned = await caseProcessVersion(db, caseId);
  return pinned ? versionStartForm(db, pinned.process_key, pinned.process_version) : null;
}

/** Materials a start of this kind must carry, from the form pinned to the case's version. */
export async function requiredMaterials(db: Knex | Knex.Transaction, caseId: number, kind: string): Promise<Material[]> {
  return requiredFor(await caseStartForm(db, caseId), { kind });
}
