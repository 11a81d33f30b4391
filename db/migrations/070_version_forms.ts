import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';

/**
 * The start form is pinned with the process version, like the graph: `process_versions.form`
 * holds the JSON of processes/forms/<key>.json as it was when the version was published (null:
 * the process has no start form). Until now the form was read from disk at run time, so the
 * versions already published get the form file as it is now — what their cases were checked
 * against until this migration — and keep it from then on.
 */
const FORMS_DIR = path.resolve(__dirname, '..', '..', 'processes', 'forms');

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('process_versions', (t) => {
    t.specificType('form', 'mediumtext').nullable();
  });
  const keys = (await knex('process_versions').distinct('process_key').pluck('process_key')) as string[];
  for (const key of keys) {
    const file = path.join(FORMS_DIR, `${key}.json`);
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(key) || !fs.existsSync(file)) continue;
    const form = JSON.stringify(JSON.parse(fs.readFileSync(file, 'utf8')));
    await knex('process_versions').where('process_key', key).whereNull('form').update({ form });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('process_versions', (t) => {
    t.dropColumn('form');
  });
}
