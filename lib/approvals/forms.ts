import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { FormSchema } from '../forms/form-schema';
import { requiredMaterials as requiredFor, type Material } from '../forms/materials';
import { caseFeelContext, caseProcessVersion } from '../../db/cases/cases';
import { literalOrFeel } from '../bpmn/feel';
import { versionGraphAndForms, versionStartForm } from '../../db/processes';

/**
 * The Camunda forms of the shipped approvals: processes/forms/<form id>.form (form-js JSON, as
 * Camunda Modeler saves them), linked from the diagrams by `zeebe:formDefinition formId`. A file
 * is read only when a version is published (lib/processes/shipped.ts): its JSON is stored with
 * the version, and everything after that — the start check of POST /api/cases, the task form
 * check of a decision, the approvals' activities — reads the form pinned to the version, so
 * editing a file never changes a running case. Format and rules: docs/approvals.md, "Forms".
 */

/** processes/forms (SHIPPED_PROCESSES_DIR/forms; spelled out here, as shipped.ts imports this file). */
export const FORMS_DIR = path.resolve(__dirname, '..', '..', 'processes', 'forms');

/** The form files on disk for these ids, as publishing reads them (an id without a file is left out). */
export function formFiles(formIds: string[], dir = FORMS_DIR): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const id of formIds) {
    if (!/^[A-Za-z0-9_.-]{1,128}$/.test(id) || id.startsWith('.')) continue;
    const file = path.join(dir, `${id}.form`);
    if (fs.existsSync(file)) out[id] = JSON.parse(fs.readFileSync(file, 'utf8'));
  }
  return out;
}

/** The start form pinned to a case: the one stored with the version the case runs. */
export async function caseStartForm(db: Knex | Knex.Transaction, caseId: number): Promise<FormSchema | null> {
  const pinned = await caseProcessVersion(db, caseId);
  return pinned ? versionStartForm(db, pinned.process_key, pinned.process_version) : null;
}

/** Materials a start of this kind must carry, from the form pinned to the case's version. */
export async function requiredMaterials(db: Knex | Knex.Transaction, caseId: number, kind: string): Promise<Material[]> {
  return requiredFor(await caseStartForm(db, caseId), { kind });
}

/** The Camunda form a case's user task links, from the case's pinned version (null: none, or not published). */
export async function caseTaskForm(db: Knex | Knex.Transaction, caseId: number, nodeId: string): Promise<FormSchema | null> {
  const pinned = await caseProcessVersion(db, caseId);
  if (!pinned) return null;
  const version = await versionGraphAndForms(db, pinned.process_key, pinned.process_version);
  const node = version?.graph.nodes[nodeId];
  const formId = node?.kind === 'userTask' ? node.formId : null;
  return formId ? (version!.forms[formId] ?? null) : null;
}

/**
 * A task's form of another task application (ForeignForm in lib/bpmn/graph.ts), as its page
 * shows it: an external form's address (FEEL over the case's variables; only an http(s) address
 * becomes a link), or a custom form key, which the page names without offering fields.
 */
export interface TaskForeignForm {
  kind: 'external' | 'formKey';
  reference: string;
  url: string | null;
}

export async function caseTaskForeignForm(db: Knex | Knex.Transaction, caseId: number, nodeId: string): Promise<TaskForeignForm | null> {
  const pinned = await caseProcessVersion(db, caseId);
  if (!pinned) return null;
  const version = await versionGraphAndForms(db, pinned.process_key, pinned.process_version);
  const node = version?.graph.nodes[nodeId];
  const form = node?.kind === 'userTask' ? node.foreignForm : undefined;
  if (!form) return null;
  if (form.kind === 'formKey') return { kind: 'formKey', reference: form.reference, url: null };
  let address: unknown;
  try {
    address = literalOrFeel(form.reference, await caseFeelContext(db, caseId));
  } catch {
    address = null; // an expression that fails over these variables shows no link, not an error page
  }
  const url = typeof address === 'string' && /^https?:\/\//i.test(address.trim()) ? address.trim() : null;
  return { kind: 'external', reference: form.reference, url };
}
