import type { Knex } from 'knex';

/**
 * What each file belongs to (docs/security-files.md): a file is readable by those who may read
 * one of its owners, and an upload with no owner yet only by its uploader. Owners are named by a
 * type and an id — `case` (attachments, start-form materials, files given with a decision or a
 * supplement), `approval_document` (a generated certificate or filing form, id of its
 * `approval_documents` row) — so registry records, bids or publicity entries can own files later.
 *
 * Files already in use are linked here: documents from `approval_documents.file_id`, and file ids
 * in a case's variables or its history (decisions, supplements) when the file was uploaded by
 * someone who acted on that case (its starter or an actor in its history). Other references were
 * never checked and stay unlinked (readable by their uploader only).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('file_links', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('file_id').notNullable().references('id').inTable('files');
    t.string('owner_type', 32).notNullable();
    t.bigInteger('owner_id').unsigned().notNullable();
    /** How the owner got it: attachment, form (a file id in formData), decision, supply, document. */
    t.string('purpose', 32).notNullable();
    t.integer('linked_by').unsigned().nullable().references('id').inTable('users');
    t.timestamp('created_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    t.unique(['file_id', 'owner_type', 'owner_id']);
    t.index(['owner_type', 'owner_id']);
  });

  await knex.raw(
    `INSERT IGNORE INTO file_links (file_id, owner_type, owner_id, purpose, linked_by)
     SELECT d.file_id, 'approval_document', d.id, 'document', NULL FROM approval_documents d WHERE d.file_id IS NOT NULL`,
  );

  const idsIn = (json: string | null): string[] => {
    if (!json) return [];
    const out: string[] = [];
    const stack: unknown[] = [JSON.parse(json) as unknown];
    while (stack.length) {
      const v = stack.pop();
      if (v === null || typeof v !== 'object') continue;
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (k === 'fileId' && typeof x === 'string') out.push(x);
        else if (x !== null && typeof x === 'object') stack.push(x);
      }
    }
    return out;
  };
  let after = 0;
  for (;;) {
    const cases = (await knex('cases').where('id', '>', after).orderBy('id').limit(500).select('id', 'started_by', 'variables')) as Array<{ id: number; started_by: number; variables: string | null }>;
    if (!cases.length) break;
    after = cases[cases.length - 1].id;
    for (const c of cases) {
      const history = (await knex('case_history').where('case_id', c.id).whereNotNull('data').select('actor_id', 'data')) as Array<{ actor_id: number | null; data: string }>;
      const ids = new Set([...idsIn(c.variables), ...history.flatMap((h) => idsIn(h.data))]);
      if (!ids.size) continue;
      const actors = new Set<number>([c.started_by, ...history.map((h) => h.actor_id).filter((a): a is number => a !== null)]);
      const files = (await knex('files')
        .whereIn('id', [...ids])
        .select('id', 'uploaded_by')) as Array<{ id: string; uploaded_by: number | null }>;
      const rows = files.filter((f) => f.uploaded_by !== null && actors.has(f.uploaded_by)).map((f) => ({ file_id: f.id, owner_type: 'case', owner_id: c.id, purpose: 'attachment', linked_by: f.uploaded_by }));
      if (rows.length) await knex('file_links').insert(rows).onConflict(['file_id', 'owner_type', 'owner_id']).ignore();
    }
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('file_links');
}
