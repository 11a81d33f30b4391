import type { Knex } from 'knex';

/**
 * The search box of the case and task lists: a case number from its start, or any part of a
 * case's title. Titles are Chinese, which MariaDB's FULLTEXT cannot split into words (MySQL 8's
 * ngram parser is not in MariaDB), and `LIKE '%…%'` reads every row in scope — for a term that
 * matches nothing, all 100,000 cases of an enterprise. So each title is also stored as its
 * two-character pieces (case_title_grams, written with the case): a term's rarest piece names the
 * few cases that can contain it, and only those are read and checked with LIKE.
 */
type Db = Knex | Knex.Transaction;

/** At most this many cases are taken from the index; a term matching more is common, and a scan finds it fast. */
export const SEARCH_CANDIDATES = 2000;

/** The distinct two-character pieces of a text, by character (as MySQL's SUBSTRING counts them). */
export function bigramsOf(text: string): string[] {
  const chars = Array.from(text.toLowerCase());
  const grams = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) grams.add(chars[i] + chars[i + 1]);
  return [...grams];
}

/** Indexes a case's title (the start route, in the case's own transaction). */
export async function writeTitleGrams(trx: Db, caseId: number, title: string): Promise<void> {
  const grams = bigramsOf(title);
  if (grams.length)
    await trx('case_title_grams')
      .insert(grams.map((gram) => ({ gram, case_id: caseId })))
      .onConflict(['gram', 'case_id'])
      .ignore();
}

/**
 * Indexes every title from scratch, set-based: the migration that adds the table and bulk loads
 * (the list benchmark). Positions come from a recursive sequence as long as the longest title.
 */
export async function rebuildTitleGrams(db: Knex): Promise<void> {
  await db.raw('DELETE FROM case_title_grams');
  await db.raw(`
    INSERT IGNORE INTO case_title_grams (gram, case_id)
    WITH RECURSIVE pos (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM pos WHERE n < 255)
    SELECT LOWER(SUBSTRING(c.title, pos.n, 2)), c.id FROM cases c JOIN pos ON pos.n < CHAR_LENGTH(c.title)`);
}

/**
 * The cases a term can match, or null when the index cannot narrow it (a one-character term, or
 * one whose rarest piece is in more than SEARCH_CANDIDATES titles): then the caller scans with
 * LIKE, which finds a common term within the first rows it reads. The set is a superset of the
 * matches (numbers from their start, titles by their rarest piece); the caller's LIKE decides.
 */
export async function searchCandidates(db: Knex, term: string): Promise<number[] | null> {
  const grams = bigramsOf(term);
  if (!grams.length) return null;
  let rarest: { gram: string; n: number } | null = null;
  for (const gram of grams) {
    const row = (await db
      .count({ n: '*' })
      .from(
        db('case_title_grams')
          .where('gram', gram)
          .select('case_id')
          .limit(SEARCH_CANDIDATES + 1)
          .as('g'),
      )
      .first()) as { n: number | string };
    const n = Number(row.n);
    if (!rarest || n < rarest.n) rarest = { gram, n };
    if (n === 0) break;
  }
  if (!rarest || rarest.n > SEARCH_CANDIDATES) return null;
  const byTitle = (await db('case_title_grams').where('gram', rarest.gram).limit(SEARCH_CANDIDATES).pluck('case_id')) as number[];
  const escaped = term.replace(/[\\%_]/g, (m) => `\\${m}`);
  const byNumber = (await db('cases')
    .where('number', 'like', `${escaped}%`)
    .limit(SEARCH_CANDIDATES + 1)
    .pluck('id')) as number[];
  if (byNumber.length > SEARCH_CANDIDATES) return null;
  return [...new Set([...byTitle, ...byNumber].map(Number))];
}
