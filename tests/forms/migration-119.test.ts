import type { Knex } from 'knex';
import { up } from '../../db/migrations/119_camunda_forms';
import { versionStartForm } from '../../db/processes';
import { requiredMaterials } from '../../lib/forms/materials';
import { publishShippedProcesses } from '../../lib/processes/shipped';
import { freshTestDatabase } from '../helpers/db';

/**
 * Migration 119 on a database that holds start forms in the earlier field-list format: each is
 * rewritten as form-js JSON that asks for the same materials, so a running case keeps its
 * checks; running it again changes nothing.
 */
describe('migration 119 (Camunda forms)', () => {
  let db: Knex;
  beforeAll(async () => {
    ({ db } = await freshTestDatabase());
    await publishShippedProcesses(db);
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('converts a stored field-list start form once', async () => {
    const legacy = {
      processKey: 'qualification',
      title: '资质',
      fields: [
        {
          name: 'kind',
          label: '类别',
          type: 'enum',
          default: 'application',
          options: [
            { value: 'application', label: '申报' },
            { value: 'change', label: '变更' },
          ],
        },
        { name: 'materials', label: '材料', type: 'materials' },
      ],
      materials: [
        { code: 'licence', label: '执照', requiredFor: ['*'] },
        { code: 'proof', label: '证明', requiredFor: ['change'] },
      ],
    };
    await db('process_versions')
      .where({ process_key: 'qualification', version: 1 })
      .update({ form: JSON.stringify(legacy) });
    await up(db);
    const form = (await versionStartForm(db, 'qualification', 1))!;
    expect(form.id).toBe('qualification-start');
    expect(requiredMaterials(form, { kind: 'change' }).map((m) => m.code)).toEqual(['licence', 'proof']);
    const once = await db('process_versions').select('process_key', 'version', 'form').orderBy(['process_key', 'version']);
    await up(db);
    expect(await db('process_versions').select('process_key', 'version', 'form').orderBy(['process_key', 'version'])).toEqual(once);
  });
});
