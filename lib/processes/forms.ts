import type { ProcessProblem } from '../bpmn/compile';
import type { ProcessGraph } from '../bpmn/graph';
import { readBpmnXml, type ModdleElement } from '../bpmn/moddle';
import { formSchemaProblems, isPlainObject, type FormSchema } from '../forms/form-schema';

/**
 * The Camunda forms a version pins, decided at publishing. The diagram links them
 * (`zeebe:formDefinition formId` on the start event and on user tasks, or the older embedded
 * `zeebe:userTaskForm`); the forms come with the publication (the shipped `.form` files, the
 * designer's form editor, `forms` of POST /api/processes), from the XML itself (embedded), or
 * are kept from the latest version of the same process — a version never reads a form it was
 * not published with, so editing a form changes no running case.
 *
 * A start form that cannot be found refuses the publication: starts would go unchecked. A task
 * form that cannot be found is a warning, as Zeebe deploys such a process too; the task then
 * asks for a decision without a form.
 */
export interface VersionForms {
  /** The start form (null: the start event links none). */
  form: FormSchema | null;
  /** The task forms by form id. */
  forms: Record<string, FormSchema>;
  problems: ProcessProblem[];
  warnings: ProcessProblem[];
}

/** The forms embedded in the XML (zeebe:userTaskForm), by id; a body that is not JSON is a problem. */
export async function embeddedForms(xml: string): Promise<{ forms: Record<string, unknown>; problems: ProcessProblem[] }> {
  const forms: Record<string, unknown> = {};
  const problems: ProcessProblem[] = [];
  if (!xml.includes('userTaskForm')) return { forms, problems };
  const read = await readBpmnXml(xml);
  const processes = ((read.definitions?.rootElements as ModdleElement[] | undefined) ?? []).filter((e) => e.$type === 'bpmn:Process');
  for (const proc of processes) {
    const values = (proc.extensionElements as { values?: ModdleElement[] } | undefined)?.values ?? [];
    for (const v of values.filter((x) => x.$type === 'zeebe:UserTaskForm')) {
      const id = v.id ?? '';
      try {
        forms[id] = JSON.parse(String(v.body ?? ''));
      } catch {
        problems.push({ elementId: id || proc.id || 'process', message: 'the embedded form is not JSON' });
      }
    }
  }
  return { forms, problems };
}

/** Every element that links a form, with the form's id. */
export function formLinks(graph: ProcessGraph): Array<{ elementId: string; formId: string; start: boolean }> {
  const out: Array<{ elementId: string; formId: string; start: boolean }> = [];
  for (const node of Object.values(graph.nodes)) {
    if (node.kind === 'start' && node.formId) out.push({ elementId: node.id, formId: node.formId, start: true });
    if (node.kind === 'userTask' && node.formId) out.push({ elementId: node.id, formId: node.formId, start: false });
  }
  return out;
}

export function decideVersionForms(
  graph: ProcessGraph,
  sources: { given: Record<string, unknown>; embedded: Record<string, unknown>; latest: { form: FormSchema | null; forms: Record<string, FormSchema> } | null },
  knownRefs: readonly string[],
): VersionForms {
  const out: VersionForms = { form: null, forms: {}, problems: [], warnings: [] };
  const latestById = new Map<string, FormSchema>();
  if (sources.latest?.form) latestById.set(sources.latest.form.id, sources.latest.form);
  for (const [id, f] of Object.entries(sources.latest?.forms ?? {})) latestById.set(id, f);
  for (const link of formLinks(graph)) {
    const found = sources.given[link.formId] ?? sources.embedded[link.formId] ?? latestById.get(link.formId);
    if (found === undefined) {
      const message = `the form "${link.formId}" was not published with the process`;
      if (link.start) out.problems.push({ elementId: link.elementId, message: `${message}: starts would go unchecked` });
      else out.warnings.push({ elementId: link.elementId, message: `${message}: the task asks for a decision without it` });
      continue;
    }
    // An embedded form's JSON carries an id of its own (Modeler writes "Form_…"); the element names it.
    const fromXml = sources.given[link.formId] === undefined && sources.embedded[link.formId] !== undefined;
    const candidate = fromXml && isPlainObject(found) ? { ...found, id: link.formId } : found;
    const problems = formSchemaProblems(candidate, knownRefs);
    const schema = candidate as FormSchema;
    if (!problems.length && schema.id !== link.formId) problems.push(`the form's id is "${schema.id}", not "${link.formId}"`);
    if (problems.length) {
      out.problems.push(...problems.map((p) => ({ elementId: link.elementId, message: `form ${link.formId}: ${p}` })));
      continue;
    }
    if (link.start) out.form = schema;
    else out.forms[link.formId] = schema;
  }
  return out;
}
