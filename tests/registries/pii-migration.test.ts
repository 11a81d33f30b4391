import type { Knex } from 'knex';
import { decryptField, isEncrypted } from '../../lib/crypto/fields';
import * as m090 from '../../db/migrations/090_registry_personal_data';
import { idNumberIndex } from '../../db/registries/pii';
import { freshTestDatabase } from '../helpers/db';

/**
 * Migration 090 on a database that holds clear personal data (as every one did before it):
 * rolled back to the clear columns, given clear history rows, and migrated again.
 */
describe('migration 090: registry personal data encrypted at rest', () => {
  let db: Knex;
  beforeAll(async () => {
    ({ db } = await freshTestDatabase());
  });
  afterAll(async () => {
    await db.destroy();
  });

  const indexes = async () => new Set(((await db.raw('SHOW INDEX FROM enterprise_staff'))[0] as Array<{ Key_name: string }>).map((r) => r.Key_name));

  it('encrypts existing rows, moves the keys to the blind index and masks the history', async () => {
    const dupesBefore = Number(((await db('enterprise_staff').where('duplicate_registration', 1).count({ n: '*' }).first()) as { n: number }).n);
    await m090.down(db);
    const clear = (await db('enterprise_staff').orderBy('id').first('id', 'id_number', 'mobile')) as { id: number; id_number: string; mobile: string };
    expect(clear.id_number).toMatch(/^\d{17}[\dX]$/);
    expect(await indexes()).toContain('enterprise_staff_enterprise_id_id_number_unique');
    const member = (await db('committee_members').whereNotNull('phone').orderBy('id').first('id', 'phone', 'committee_id')) as { id: number; phone: string; committee_id: number };
    await db('registry_changes').insert([
      {
        entity: 'staff',
        entity_id: clear.id,
        action: 'update',
        changed_fields: '["mobile"]',
        before_data: JSON.stringify({ id_number: clear.id_number, mobile: '13900001111' }),
        after_data: JSON.stringify({ id_number: clear.id_number, mobile: clear.mobile }),
      },
      { entity: 'committee', entity_id: member.committee_id, action: 'update', changed_fields: '["members"]', before_data: null, after_data: JSON.stringify({ name: 'x', members: [{ name: 'y', phone: member.phone }] }) },
    ]);

    await m090.up(db);
    // A second run (after a half-way failure, say) finds nothing left to do.
    await m090.up(db);

    const row = (await db('enterprise_staff').where('id', clear.id).first()) as Record<string, string>;
    expect(isEncrypted(row.id_number)).toBe(true);
    expect(decryptField('enterprise_staff.id_number', row.id_number)).toBe(clear.id_number);
    expect(decryptField('enterprise_staff.mobile', row.mobile)).toBe(clear.mobile);
    expect(row.id_number_bidx).toBe(idNumberIndex(clear.id_number));
    expect(row.id_number_last4).toBe(clear.id_number.slice(-4));
    const phone = (await db('committee_members').where('id', member.id).first('phone')) as { phone: string };
    expect(decryptField('committee_members.phone', phone.phone)).toBe(member.phone);

    const names = await indexes();
    expect(names).toContain('enterprise_staff_enterprise_person_unique');
    expect(names).toContain('enterprise_staff_duplicate_person_index');
    expect(names).not.toContain('enterprise_staff_enterprise_id_id_number_unique');
    expect(Number(((await db('enterprise_staff').where('duplicate_registration', 1).count({ n: '*' }).first()) as { n: number }).n)).toBe(dupesBefore);

    const history = (await db('registry_changes').whereIn('entity', ['staff', 'committee']).select('before_data', 'after_data')) as Array<{ before_data: string | null; after_data: string | null }>;
    const text = history.map((h) => `${h.before_data ?? ''}${h.after_data ?? ''}`).join('\n');
    expect(text).not.toContain(clear.id_number);
    expect(text).not.toContain('13900001111');
    expect(text).not.toContain(member.phone);
    expect(text).toContain(`${clear.id_number.slice(0, 4)}**********${clear.id_number.slice(-4)}`);
    expect(text).toContain('139****1111');
  });
});
