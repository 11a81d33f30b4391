import { convertLegacyForm } from '../../db/migrations/119_camunda_forms';
import { formSchemaProblems, labelsByKey, type FormSchema } from './form-schema';
import { prepareFormValues, refsOf } from './form-values';
import { givenMaterials, materialsFor, requiredMaterials } from './materials';

/**
 * The form checks shared by the browser and the server (lib/forms), on their own: form-js's
 * rules, FEEL hide conditions, defaults, nesting, and the conversion of the earlier field-list
 * forms that migration 119 applies to stored versions.
 */
const form: FormSchema = {
  type: 'default',
  id: 'f',
  components: [
    {
      type: 'select',
      key: 'kind',
      defaultValue: 'a',
      values: [
        { label: 'A', value: 'a' },
        { label: 'B', value: 'b' },
      ],
    },
    { type: 'textfield', key: 'name', label: '名称', validate: { required: true, minLength: 2, maxLength: 5 } },
    { type: 'textfield', key: 'onlyB', conditional: { hide: '=kind != "b"' }, validate: { required: true } },
    { type: 'number', key: 'n', decimalDigits: 0, validate: { min: 1, max: 10 } },
    { type: 'datetime', key: 'on', subtype: 'date', dateLabel: '日期' },
    { type: 'checkbox', key: 'agree', validate: { required: true } },
    { type: 'textfield', key: 'mail', validate: { validationType: 'email' } },
    { type: 'select', key: 'projectId', properties: { ref: 'projects' }, valuesKey: '_ref_projects' },
    { type: 'group', path: 'address', components: [{ type: 'textfield', key: 'city', label: '城市', validate: { required: true } }] },
    {
      type: 'dynamiclist',
      path: 'rows',
      components: [
        { type: 'textfield', key: 'x', validate: { required: true } },
        { type: 'textfield', key: 'y', conditional: { hide: '=this.x = "skip"' } },
      ],
    },
    { type: 'group', path: 'materials', components: [{ type: 'filepicker', key: 'scan', label: '扫描件', accept: '.pdf', validate: { required: true }, conditional: { hide: '=kind = "b"' } }] },
    { type: 'text', text: '说明' },
  ],
};
const FILE = { fileId: '0f8fad5b-d9cb-469f-a165-70867728950e', name: 'a.pdf' };
const good = {
  name: '张三丰',
  n: 3,
  on: '2026-12-01',
  agree: true,
  projectId: 7,
  address: { city: '苏州' },
  rows: [
    { x: '1', y: 'y' },
    { x: 'skip', y: 'dropped' },
  ],
  materials: { scan: [FILE] },
};

describe('form values', () => {
  it('keeps good values, fills defaults and drops what a hidden field holds', () => {
    const { data, problems } = prepareFormValues(form, { ...good, onlyB: 'hidden for kind a' });
    expect(problems).toEqual([]);
    expect(data).toEqual({ kind: 'a', ...good, rows: [{ x: '1', y: 'y' }, { x: 'skip' }] });
  });

  it('names every wrong value with its path, in English and in Chinese', () => {
    const { problems } = prepareFormValues(form, {
      kind: 'b',
      name: 'x',
      n: 2.5,
      on: '2026-02-30',
      agree: false,
      mail: 'nope',
      projectId: '7',
      address: {},
      rows: [{ y: 1 }, 'z'],
      materials: { scan: [FILE] },
      extra: 1,
    });
    expect(problems.map((p) => [p.field, p.reason])).toEqual([
      ['formData.name', 'must be at least 2 characters'],
      ['formData.onlyB', 'is required'],
      ['formData.n', 'must be a whole number'],
      ['formData.on', 'must be a date YYYY-MM-DD'],
      ['formData.agree', 'is required'],
      ['formData.mail', 'must be an e-mail address'],
      ['formData.projectId', 'must be the id (a positive integer) of a record'],
      ['formData.address.city', 'is required'],
      ['formData.rows.0.x', 'is required'],
      ['formData.rows.0.y', 'must be text'],
      ['formData.rows.1', 'must be an object'],
      ['formData.extra', 'is not a field of this form'],
    ]);
    expect(problems.find((p) => p.field === 'formData.agree')?.zh).toBe('必须勾选');
    // The material is hidden for kind b: its files are neither required nor kept.
    expect(prepareFormValues(form, { ...good, kind: 'b', onlyB: 'ok', materials: {} }).problems).toEqual([]);
  });

  it('evaluates FEEL bounds over the form data and checks phone numbers as form-js does', () => {
    const bounded: FormSchema = {
      type: 'default',
      id: 'bounds',
      components: [
        { type: 'number', key: 'price' },
        { type: 'number', key: 'deductible', validate: { max: '=price * 0.5' as unknown as number, min: '=unknownLimit' as unknown as number } },
        { type: 'textfield', key: 'tel', validate: { validationType: 'phone' } },
      ],
    };
    expect(formSchemaProblems(bounded)).toEqual([]);
    const reasons = (data: Record<string, unknown>) => prepareFormValues(bounded, data).problems.map((p) => [p.field, p.reason]);
    expect(reasons({ price: 100, deductible: 60, tel: '13800000000' })).toEqual([
      ['formData.deductible', 'must be at most 50'],
      ['formData.tel', 'must be an international phone number such as +8613800000000'],
    ]);
    // A bound that gives no number (an unknown variable) sets no limit, as in form-js.
    expect(reasons({ price: 100, deductible: 50, tel: '+8613800000000' })).toEqual([]);
  });

  it('refuses a file of the wrong type, too many files and a file that is not an upload', () => {
    const at = (scan: unknown) => prepareFormValues(form, { ...good, materials: { scan } }).problems.map((p) => p.reason);
    expect(at([{ ...FILE, name: 'a.exe' }])).toEqual(['takes only .pdf files']);
    expect(at([FILE, FILE])).toEqual(['takes at most 1 file']);
    expect(at([{ fileId: '../../etc/passwd' }])).toEqual(['must be uploaded files [{ fileId, name? }]']);
  });

  it('does not take a read-only or disabled value from the submitter', () => {
    const f: FormSchema = {
      type: 'default',
      id: 't',
      components: [
        { type: 'textfield', key: 'shown', readonly: true },
        { type: 'textfield', key: 'off', disabled: true },
        { type: 'textfield', key: 'note' },
      ],
    };
    expect(prepareFormValues(f, { shown: 'changed', off: 'x', note: 'n' }).data).toEqual({ note: 'n' });
  });

  it('finds registry references, materials and labels', () => {
    expect(refsOf(form, prepareFormValues(form, good).data)).toEqual([{ field: 'formData.projectId', ref: 'projects', id: 7 }]);
    expect(requiredMaterials(form, { kind: 'a' })).toEqual([{ code: 'scan', label: '扫描件' }]);
    expect(materialsFor(form, { kind: 'b' })).toEqual([]);
    expect(givenMaterials({ scan: [FILE], junk: 'x' })).toEqual([{ code: 'scan', ...FILE }]);
    expect(labelsByKey(form).get('address.city')).toBe('城市');
    expect(labelsByKey(form).get('on')).toBe('日期');
  });
});

describe('form definitions', () => {
  it('accepts the shape Camunda Modeler saves and names each mistake', () => {
    expect(formSchemaProblems(form, ['projects'])).toEqual([]);
    expect(
      formSchemaProblems(
        {
          id: 'x',
          components: [
            { type: 'textfield', key: 'a' },
            { type: 'textfield', key: 'a' },
            { type: 'radio', key: 'r' },
            { type: 'select', key: 's', valuesKey: 'opts' },
            { type: 'select', key: 't', properties: { ref: 'nowhere' }, valuesKey: 'x' },
            { type: 'textfield', key: 'p', validate: { pattern: '(' } },
            { type: 'number', key: 'm', validate: { min: '=limit' } },
            { type: 'number', key: 'm2', validate: { max: '=1 +' as unknown as number } },
            { type: 'dynamiclist', components: [] },
            { type: 'expression', key: 'e' },
            { type: 'fancy' },
          ],
        },
        ['projects'],
      ),
    ).toEqual([
      'a: the key "a" is used twice',
      'r: a radio without options',
      's: options from a variable (valuesKey) are not checked on the server; list them or name a registry (ref)',
      't: ref "nowhere" is not a registry (projects)',
      'p: the pattern ( does not compile',
      expect.stringMatching(/^m2: validate.max is not valid FEEL/),
      'dynamiclist: a dynamic list needs a path',
      'e: the expression component is not supported (a computed value is not checked on the server)',
      'fancy: unknown component type "fancy"',
    ]);
  });
});

describe('the earlier field-list forms (migration 119)', () => {
  it('become form-js forms that ask for the same materials for each kind', () => {
    const legacy = {
      processKey: 'q',
      title: '资质',
      description: '说明',
      fields: [
        {
          name: 'kind',
          label: '类别',
          type: 'enum',
          required: true,
          default: 'application',
          options: [
            { value: 'application', label: '申报' },
            { value: 'change', label: '变更' },
          ],
        },
        { name: 'newName', label: '新名称', type: 'string', max: 10, visibleWhen: { kind: ['change'] } },
        { name: 'window', label: '期限', type: 'duration', default: 'P10D' },
        { name: 'materials', label: '材料', type: 'materials', required: true },
      ],
      materials: [
        { code: 'licence', label: '执照', requiredFor: ['application', 'change'] },
        { code: 'proof', label: '证明', requiredFor: ['change'] },
        { code: 'extra', label: '其他' },
      ],
    };
    const converted = convertLegacyForm(legacy) as unknown as FormSchema;
    expect(formSchemaProblems(converted)).toEqual([]);
    expect(requiredMaterials(converted, { kind: 'application' }).map((m) => m.code)).toEqual(['licence']);
    expect(requiredMaterials(converted, { kind: 'change' }).map((m) => m.code)).toEqual(['licence', 'proof']);
    const { problems } = prepareFormValues(converted, { kind: 'change', newName: '一个超过十个字的新企业名称啊', window: 'soon', materials: { licence: [FILE] } });
    expect(problems.map((p) => `${p.field} ${p.reason}`)).toEqual([
      'formData.newName must be at most 10 characters',
      'formData.window must be a span such as 10天 or 12小时 (or a positive ISO-8601 duration such as P10D)',
      'formData.materials.proof is required',
    ]);
  });
});
