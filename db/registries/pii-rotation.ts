import type { Knex } from 'knex';
import { blindIndex, decryptField, encryptField, isEncrypted, keyIdOf } from '../../lib/crypto/fields';
import { keyRing, type KeyRing } from '../../lib/crypto/keyring';
import { MEMBER_PHONE, STAFF_ID_NUMBER, STAFF_MOBILE, normaliseIdNumber, type PersonalSpec } from './pii';
import { refreshDuplicateFlagsByIndex } from './staff';

/**
 * Key rotation of the registries' personal fields (docs/personal-data.md, "Keys"): every
 * ciphertext not under the ring's current key is re-encrypted under it, every clear value left
 * by an older schema or a direct insert is encrypted, and every blind index and last-four column
 * is recomputed from the decrypted value (so a changed index key is handled too: the old ring's
 * AES keys must still be in the ring, the index key is simply the new one).
 *
 * Batched by primary key (BATCH rows per read, each row its own guarded UPDATE: `WHERE id = ?
 * AND <column> = <the value read>`, so a write by the application in between is never
 * overwritten, only picked up by the next run). Idempotent: a second run changes nothing.
 * While an index key change is under way, look-ups by ID number find only the rows already done;
 * run it in a maintenance window (`npm run keys:rotate`).
 */
const BATCH = 500;

interface PersonalColumn {
  column: string;
  spec: PersonalSpec;
}

const TABLES: Array<{ table: string; columns: PersonalColumn[] }> = [
  {
    table: 'enterprise_staff',
    columns: [
      { column: 'id_number', spec: STAFF_ID_NUMBER },
      { column: 'mobile', spec: STAFF_MOBILE },
    ],
  },
  { table: 'committee_members', columns: [{ column: 'phone', spec: MEMBER_PHONE }] },
];

export interface RotationReport {
  table: string;
  scanned: number;
  /** Rows whose ciphertexts were rewritten (other key, or clear before). */
  reencrypted: number;
  /** Rows whose blind index or last four changed. */
  reindexed: number;
}

export type RotationLog = (message: string) => void;

const normalised = (spec: PersonalSpec, clear: string) => (spec.kind === 'id_number' ? normaliseIdNumber(clear) : clear.trim());

export async function rotateRegistryFields(db: Knex, log?: RotationLog, ring: KeyRing = keyRing()): Promise<RotationReport[]> {
  const reports: RotationReport[] = [];
  for (const { table, columns } of TABLES) {
    const report: RotationReport = { table, scanned: 0, reencrypted: 0, reindexed: 0 };
    const select = ['id', ...columns.flatMap((c) => [c.column, c.spec.indexColumn, c.spec.last4Column].filter((x): x is string => Boolean(x)))];
    // A row anonymised by the retention run (db/retention) holds placeholders, not personal data: left as it is.
    const anonymisable = await db.schema.hasColumn(table, 'anonymised_at');
    if (anonymisable) select.push('anonymised_at');
    const touchedPeople = new Set<string>();
    let after = 0;
    for (;;) {
      const rows = (await db(table).where('id', '>', after).orderBy('id').limit(BATCH).select(select)) as Array<Record<string, unknown>>;
      if (!rows.length) break;
      after = Number(rows[rows.length - 1].id);
      for (const row of rows) {
        report.scanned++;
        if (anonymisable && row.anonymised_at !== null && row.anonymised_at !== undefined) continue;
        const update: Record<string, unknown> = {};
        const guard: Record<string, unknown> = { id: row.id };
        let reencrypted = false;
        let reindexed = false;
        for (const { column, spec } of columns) {
          const stored = row[column] as string | null;
          const clear = stored === null || stored === '' ? null : isEncrypted(stored) ? decryptField(spec.purpose, stored, ring) : stored;
          if (stored !== null && stored !== '' && (!isEncrypted(stored) || keyIdOf(stored) !== ring.currentId)) {
            update[column] = encryptField(spec.purpose, clear!, ring);
            guard[column] = stored;
            reencrypted = true;
          }
          if (spec.indexColumn) {
            const index = clear === null ? null : blindIndex(spec.purpose, normalised(spec, clear), ring);
            if (row[spec.indexColumn] !== index) {
              update[spec.indexColumn] = index;
              reindexed = true;
              if (index) touchedPeople.add(index);
            }
          }
          if (spec.last4Column) {
            const last4 = clear === null ? null : normalised(spec, clear).slice(-4);
            if (row[spec.last4Column] !== last4) {
              update[spec.last4Column] = last4;
              reindexed = true;
            }
          }
        }
        if (!Object.keys(update).length) continue;
        const guardQuery = db(table).where('id', guard.id as number);
        for (const [c, v] of Object.entries(guard)) if (c !== 'id') guardQuery.where(c, v as string);
        const changed = await guardQuery.update(update);
        if (changed) {
          if (reencrypted) report.reencrypted++;
          if (reindexed) report.reindexed++;
        }
      }
      log?.(`${table}: ${report.scanned} rows scanned, ${report.reencrypted} re-encrypted, ${report.reindexed} re-indexed`);
    }
    // The same people, under their new indexes: the flags are recomputed so none is lost on the way.
    if (table === 'enterprise_staff' && touchedPeople.size) {
      const people = [...touchedPeople];
      for (let i = 0; i < people.length; i += BATCH) await refreshDuplicateFlagsByIndex(db, people.slice(i, i + BATCH));
    }
    reports.push(report);
  }
  return reports;
}

/**
 * How many personal-field values are encrypted under each key id, over every table and column
 * above; `(clear)` counts values still in the clear (`npm run keys:status`).
 */
export async function registryFieldsByKey(db: Knex): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const { table, columns } of TABLES) {
    // Anonymised rows hold placeholders, not personal data (db/retention).
    const live = (await db.schema.hasColumn(table, 'anonymised_at')) ? ' AND anonymised_at IS NULL' : '';
    for (const { column } of columns) {
      const rows = (await db.raw(`SELECT IF(?? LIKE 'e1.%', SUBSTRING_INDEX(SUBSTRING_INDEX(??, '.', 2), '.', -1), '(clear)') AS key_id, COUNT(*) AS n FROM ?? WHERE ?? IS NOT NULL AND ?? <> ''${live} GROUP BY key_id`, [
        column,
        column,
        table,
        column,
        column,
      ])) as [Array<{ key_id: string; n: number }>];
      for (const r of rows[0]) counts.set(r.key_id, (counts.get(r.key_id) ?? 0) + Number(r.n));
    }
  }
  return counts;
}
