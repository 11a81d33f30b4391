import type { Knex } from 'knex';

/**
 * Camunda Forms (docs/approvals.md, "Forms"): every version's start form becomes form-js JSON,
 * and a version keeps its task forms (`zeebe:formDefinition formId`, embedded
 * `zeebe:userTaskForm`) by form id in `process_versions.forms`.
 *
 * The start forms already stored were written in the platform's earlier field-list format
 * (`{ processKey, title, fields, materials }`); they are converted here, once, so running cases
 * keep the checks and material lists they were started with, now read in the one format. The
 * converter is frozen in this file on purpose: it describes the old format, which nothing else
 * reads any more.
 */
interface LegacyField {
  name: string;
  label: string;
  type: string;
  required?: boolean;
  default?: unknown;
  options?: Array<{ value: string; label: string }>;
  ref?: string;
  itemFields?: LegacyField[];
  min?: number;
  max?: number;
  help?: string;
  visibleWhen?: Record<string, unknown[]>;
}
interface LegacyForm {
  processKey: string;
  title?: string;
  description?: string;
  scope?: string;
  fields: LegacyField[];
  materials?: Array<{ code: string; label: string; requiredFor?: string[] }>;
}
type Component = Record<string, unknown>;

const feelList = (values: unknown[]) => `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
/** Hidden unless every named field has one of its listed values. */
const hideUnless = (when: Record<string, unknown[]>) =>
  `=not(${Object.entries(when)
    .map(([k, vs]) => `list contains(${feelList(vs)}, ${k})`)
    .join(' and ')})`;

function convertField(f: LegacyField, form: LegacyForm): Component[] {
  const validate: Record<string, unknown> = {};
  if (f.required) validate.required = true;
  const base: Component = { key: f.name, label: f.label, id: `Field_${f.name}` };
  if (f.help) base.description = f.help;
  if (f.default !== undefined) base.defaultValue = f.default;
  if (f.visibleWhen) base.conditional = { hide: hideUnless(f.visibleWhen) };
  const withRules = (c: Component) => (Object.keys(validate).length ? { ...c, validate } : c);
  switch (f.type) {
    case 'string':
    case 'text':
      if (f.min !== undefined) validate.minLength = f.min;
      if (f.max !== undefined) validate.maxLength = f.max;
      return [withRules({ ...base, type: f.type === 'text' ? 'textarea' : 'textfield' })];
    case 'number':
      if (f.min !== undefined) validate.min = f.min;
      if (f.max !== undefined) validate.max = f.max;
      return [withRules({ ...base, type: 'number' })];
    case 'date': {
      const { label, ...rest } = base;
      return [withRules({ ...rest, type: 'datetime', subtype: 'date', dateLabel: label })];
    }
    case 'enum':
      return [withRules({ ...base, type: 'select', values: (f.options ?? []).map((o) => ({ label: o.label, value: o.value })) })];
    case 'boolean':
      return [withRules({ ...base, type: 'checkbox' })];
    case 'duration':
      return [withRules({ ...base, type: 'textfield', properties: { format: 'duration' }, description: f.help ?? '如 P10D（10天）、PT12H（12小时）' })];
    case 'ref':
      return [withRules({ ...base, type: 'select', searchable: true, valuesKey: `_ref_${f.ref}`, properties: { ref: f.ref ?? '' } })];
    case 'list': {
      const { key, ...rest } = base;
      return [{ ...rest, type: 'dynamiclist', path: key, isRepeating: true, allowAddRemove: true, defaultRepetitions: 1, components: (f.itemFields ?? []).flatMap((i) => convertField(i, form)) }];
    }
    case 'materials': {
      const kinds = form.fields.find((x) => x.name === 'kind')?.options?.map((o) => o.value) ?? [];
      const pickers = (form.materials ?? []).map((m) => {
        const list = m.requiredFor ?? [];
        const always = list.includes('*') || (kinds.length > 0 && kinds.every((k) => list.includes(k)));
        const picker: Component = { type: 'filepicker', key: m.code, label: m.label, id: `Field_${m.code}`, multiple: true };
        if (always) return { ...picker, validate: { required: true } };
        if (list.length) return { ...picker, validate: { required: true }, conditional: { hide: hideUnless({ kind: list }) } };
        return picker;
      });
      return [{ type: 'group', id: 'Group_materials', label: f.label, path: 'materials', showOutline: true, components: pickers }];
    }
    default:
      return [];
  }
}

export function convertLegacyForm(form: LegacyForm): Component {
  const components: Component[] = [];
  if (form.description) components.push({ type: 'text', id: 'Text_description', text: form.description });
  for (const f of form.fields) components.push(...convertField(f, form));
  return {
    type: 'default',
    id: `${form.processKey}-start`,
    schemaVersion: 18,
    exporter: { name: 'property-service-platform', version: '1' },
    ...(form.scope === 'project' ? { properties: { scope: 'project' } } : {}),
    components,
  };
}

const isLegacy = (form: unknown): form is LegacyForm => form !== null && typeof form === 'object' && Array.isArray((form as LegacyForm).fields);

export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasColumn('process_versions', 'forms'))) {
    await knex.schema.alterTable('process_versions', (t) => {
      t.json('forms').nullable();
    });
  }
  const rows = (await knex('process_versions').whereNotNull('form').select('process_key', 'version', 'form')) as Array<{ process_key: string; version: number; form: string | object }>;
  for (const row of rows) {
    const form = typeof row.form === 'string' ? (JSON.parse(row.form) as unknown) : row.form;
    if (!isLegacy(form)) continue;
    await knex('process_versions')
      .where({ process_key: row.process_key, version: row.version })
      .update({ form: JSON.stringify(convertLegacyForm(form)) });
  }
}

export async function down(knex: Knex): Promise<void> {
  // The converted start forms stay form-js: the old format has no reader left.
  await knex.schema.alterTable('process_versions', (t) => {
    t.dropColumn('forms');
  });
}
