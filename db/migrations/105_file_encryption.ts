import type { Knex } from 'knex';

/**
 * Files encrypted at rest (docs/encryption.md, lib/files/store.ts). Per file:
 * - `blob`: the name of its encrypted bytes in the file store (SHA-256 of those bytes); null for
 *   a file stored before encryption, whose plaintext is still named by its content's `sha256`;
 * - `key_id`: the key ring id it is encrypted under (null: not yet encrypted) — what rotation
 *   looks for;
 * - `stale_blob`: a file in the store this row used to point at and which is still to be
 *   removed (a plaintext original, or the copy under an old key). Set in the same update that
 *   points the row at its new bytes, cleared once the old ones are gone, so a crash between the
 *   two leaves a note instead of a forgotten plaintext.
 * Existing files are encrypted by `rotateFiles` (db/files.ts), which the API runs at start, not
 * here: a migration should not depend on where FILES_DIR is, and DDL commits on its own anyway.
 * Idempotent (checks before each change), as a migration that stopped halfway may run again.
 */
export async function up(knex: Knex): Promise<void> {
  const has = async (column: string) => knex.schema.hasColumn('files', column);
  const missing = { blob: !(await has('blob')), key_id: !(await has('key_id')), stale_blob: !(await has('stale_blob')) };
  if (missing.blob || missing.key_id || missing.stale_blob) {
    await knex.schema.alterTable('files', (t) => {
      if (missing.blob) t.string('blob', 64).nullable();
      if (missing.key_id) t.string('key_id', 16).nullable().index('files_key_id_index');
      if (missing.stale_blob) t.string('stale_blob', 64).nullable().index('files_stale_blob_index');
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const column of ['stale_blob', 'key_id', 'blob']) {
    if (await knex.schema.hasColumn('files', column)) {
      await knex.schema.alterTable('files', (t) => {
        t.dropColumn(column);
      });
    }
  }
}
