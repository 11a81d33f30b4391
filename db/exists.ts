import type { Knex } from 'knex';

/**
 * Whether a row with this id exists, whoever may see it: lets a by-id read answer "not found"
 * and "out of scope" alike to the caller while logging the second as a denied attempt.
 */
export async function rowExists(db: Knex | Knex.Transaction, table: string, id: string | number): Promise<boolean> {
  return Boolean(await db(table).where('id', id).first('id'));
}
