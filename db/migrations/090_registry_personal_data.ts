import type { Knex } from 'knex';
import { decryptField, isEncrypted } from '../../lib/crypto/fields';
import { maskIdNumber, maskPhone } from '../../lib/pii';
import { rotateRegistryFields } from '../registries/pii-rotation';

/**
 * Personal data of the registries encrypted at rest (issue 12, docs/personal-data.md):
 * - enterprise_staff.id_number and .mobile, committee_members.phone become ciphertexts
 *   (`e1.<key id>.<…>`, up to ~110 characters: VARCHAR(255));
 * - enterprise_staff.id_number_bidx (blind index) carries what id_number carried: the
 *   per-enterprise uniqueness, the double-registration look-ups and exact search; and
 *   id_number_last4 the search by the last four characters;
 * - the existing rows are encrypted (by the rotation routine, which encrypts any clear value),
 *   and the change history's copies of these fields are masked.
 *
 * MySQL commits each DDL statement on its own: each step checks first, so a rerun after a
 * half-way failure completes what is missing (the encryption step skips what is done).
 */
async function columnLength(knex: Knex, table: string, column: string): Promise<number | null> {
  const [rows] = (await knex.raw('SELECT CHARACTER_MAXIMUM_LENGTH AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?', [table, column])) as [Array<{ n: number | null }>];
  return rows[0]?.n === undefined ? null : Number(rows[0].n);
}

async function indexNames(knex: Knex, table: string): Promise<Set<string>> {
  return new Set(((await knex.raw(`SHOW INDEX FROM \`${table}\``))[0] as Array<{ Key_name: string }>).map((r) => r.Key_name));
}

async function isNullable(knex: Knex, table: string, column: string): Promise<boolean> {
  const [rows] = (await knex.raw('SELECT IS_NULLABLE AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?', [table, column])) as [Array<{ n: string }>];
  return rows[0]?.n === 'YES';
}

const NEW_INDEXES: Array<{ name: string; columns: string[]; unique?: boolean }> = [
  { name: 'enterprise_staff_enterprise_person_unique', columns: ['enterprise_id', 'id_number_bidx'], unique: true },
  { name: 'enterprise_staff_person_active_index', columns: ['id_number_bidx', 'active'] },
  { name: 'enterprise_staff_duplicate_person_index', columns: ['duplicate_registration', 'id_number_bidx'] },
  { name: 'enterprise_staff_id_last4_index', columns: ['id_number_last4'] },
];
/** 030's indexes on the clear number, which now index ciphertexts (useless, and unique on nothing). */
const OLD_INDEXES: Array<{ name: string; columns: string[]; unique?: boolean }> = [
  { name: 'enterprise_staff_enterprise_id_id_number_unique', columns: ['enterprise_id', 'id_number'], unique: true },
  { name: 'enterprise_staff_id_number_active_index', columns: ['id_number', 'active'] },
  { name: 'enterprise_staff_duplicate_registration_id_number_index', columns: ['duplicate_registration', 'id_number'] },
];

/** Masks the personal fields of a history snapshot (staff: id_number, mobile; committee: members' phones). */
export function maskHistorySnapshot(entity: string, snap: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!snap) return snap;
  const mask = (v: unknown, f: (s: string) => string) => (typeof v === 'string' && v !== '' && !v.includes('*') ? f(v) : v);
  const out = { ...snap };
  if (entity === 'staff') {
    if ('id_number' in out) out.id_number = mask(out.id_number, maskIdNumber);
    if ('mobile' in out) out.mobile = mask(out.mobile, maskPhone);
  }
  if (entity === 'committee' && Array.isArray(out.members)) {
    out.members = (out.members as Array<Record<string, unknown>>).map((m) => ('phone' in m ? { ...m, phone: mask(m.phone, maskPhone) } : m));
  }
  return out;
}

async function maskHistory(knex: Knex): Promise<void> {
  let after = 0;
  for (;;) {
    const rows = (await knex('registry_changes').whereIn('entity', ['staff', 'committee']).where('id', '>', after).orderBy('id').limit(500).select('id', 'entity', 'before_data', 'after_data')) as Array<{
      id: number;
      entity: string;
      before_data: string | null;
      after_data: string | null;
    }>;
    if (!rows.length) return;
    after = Number(rows[rows.length - 1].id);
    for (const r of rows) {
      const redo = (v: string | null) => (v === null ? null : JSON.stringify(maskHistorySnapshot(r.entity, JSON.parse(v) as Record<string, unknown>)));
      const before = redo(r.before_data);
      const afterData = redo(r.after_data);
      if (before !== r.before_data || afterData !== r.after_data) await knex('registry_changes').where('id', r.id).update({ before_data: before, after_data: afterData });
    }
  }
}

export async function up(knex: Knex): Promise<void> {
  if (((await columnLength(knex, 'enterprise_staff', 'id_number')) ?? 0) < 255) {
    await knex.schema.alterTable('enterprise_staff', (t) => {
      t.string('id_number', 255).notNullable().alter();
    });
  }
  if (((await columnLength(knex, 'enterprise_staff', 'mobile')) ?? 0) < 255) {
    await knex.schema.alterTable('enterprise_staff', (t) => {
      t.string('mobile', 255).nullable().alter();
    });
  }
  if (((await columnLength(knex, 'committee_members', 'phone')) ?? 0) < 255) {
    await knex.schema.alterTable('committee_members', (t) => {
      t.string('phone', 255).nullable().alter();
    });
  }
  if (!(await knex.schema.hasColumn('enterprise_staff', 'id_number_bidx'))) {
    await knex.schema.alterTable('enterprise_staff', (t) => {
      t.specificType('id_number_bidx', 'CHAR(64)').nullable().after('id_number');
    });
  }
  if (!(await knex.schema.hasColumn('enterprise_staff', 'id_number_last4'))) {
    await knex.schema.alterTable('enterprise_staff', (t) => {
      t.specificType('id_number_last4', 'CHAR(4)').nullable().after('id_number_bidx');
    });
  }

  // Encrypts every clear value and fills the index columns (db/registries/pii-rotation.ts).
  await rotateRegistryFields(knex);

  if (await isNullable(knex, 'enterprise_staff', 'id_number_bidx')) {
    await knex.raw('ALTER TABLE enterprise_staff MODIFY id_number_bidx CHAR(64) NOT NULL');
  }
  let existing = await indexNames(knex, 'enterprise_staff');
  for (const ix of NEW_INDEXES) {
    if (existing.has(ix.name)) continue;
    await knex.schema.alterTable('enterprise_staff', (t) => {
      if (ix.unique) t.unique(ix.columns, { indexName: ix.name });
      else t.index(ix.columns, ix.name);
    });
  }
  existing = await indexNames(knex, 'enterprise_staff');
  for (const ix of OLD_INDEXES) {
    if (!existing.has(ix.name)) continue;
    await knex.schema.alterTable('enterprise_staff', (t) => {
      if (ix.unique) t.dropUnique(ix.columns, ix.name);
      else t.dropIndex(ix.columns, ix.name);
    });
  }

  await maskHistory(knex);
}

/**
 * Back to clear columns (for a rollback on a copy; the masked history stays masked, its clear
 * values are gone for good).
 */
export async function down(knex: Knex): Promise<void> {
  const decryptAll = async (table: string, columns: Array<[string, string]>) => {
    let after = 0;
    for (;;) {
      const rows = (await knex(table)
        .where('id', '>', after)
        .orderBy('id')
        .limit(500)
        .select(['id', ...columns.map(([c]) => c)])) as Array<Record<string, unknown>>;
      if (!rows.length) return;
      after = Number(rows[rows.length - 1].id);
      for (const row of rows) {
        const update: Record<string, unknown> = {};
        for (const [column, purpose] of columns) {
          const v = row[column];
          if (typeof v === 'string' && isEncrypted(v)) update[column] = decryptField(purpose, v);
        }
        if (Object.keys(update).length)
          await knex(table)
            .where('id', row.id as number)
            .update(update);
      }
    }
  };
  await decryptAll('enterprise_staff', [
    ['id_number', 'enterprise_staff.id_number'],
    ['mobile', 'enterprise_staff.mobile'],
  ]);
  await decryptAll('committee_members', [['phone', 'committee_members.phone']]);
  let existing = await indexNames(knex, 'enterprise_staff');
  for (const ix of OLD_INDEXES) {
    if (existing.has(ix.name)) continue;
    await knex.schema.alterTable('enterprise_staff', (t) => {
      if (ix.unique) t.unique(ix.columns, { indexName: ix.name });
      else t.index(ix.columns, ix.name);
    });
  }
  existing = await indexNames(knex, 'enterprise_staff');
  for (const ix of NEW_INDEXES) {
    if (!existing.has(ix.name)) continue;
    await knex.schema.alterTable('enterprise_staff', (t) => {
      if (ix.unique) t.dropUnique(ix.columns, ix.name);
      else t.dropIndex(ix.columns, ix.name);
    });
  }
  for (const c of ['id_number_last4', 'id_number_bidx']) {
    if (await knex.schema.hasColumn('enterprise_staff', c)) {
      await knex.schema.alterTable('enterprise_staff', (t) => {
        t.dropColumn(c);
      });
    }
  }
}
