import type { Knex } from 'knex';

/**
 * The evaluation-expert pool and each tender's draw (tables experts, expert_conflicts,
 * tender_expert_draws, 000 主要功能 7.4). The draw itself (random order, exclusions) is the
 * tender activity's; this module reads the pool and records the outcome once per tender.
 */
type Db = Knex | Knex.Transaction;

/** The active pool entry of a signed-in user; undefined when the user is no (active) expert. */
export async function activeExpertOfUser(db: Db, userId: number): Promise<{ id: number } | undefined> {
  return (await db('experts').where({ user_id: userId, active: true }).first('id')) as { id: number } | undefined;
}

export async function isDrawnFor(db: Db, caseId: number, expertId: number): Promise<boolean> {
  return Boolean(await db('tender_expert_draws').where({ case_id: caseId, expert_id: expertId, selected: true }).first('id'));
}

/** The drawn experts who can sign in, in draw order: the scoring task's assignees. */
export async function drawnExperts(db: Db, caseId: number): Promise<Array<{ username: string; name: string }>> {
  return (await db('tender_expert_draws as d')
    .join('experts as x', 'x.id', 'd.expert_id')
    .join('users as u', 'u.id', 'x.user_id')
    .where({ 'd.case_id': caseId, 'd.selected': true })
    .orderBy('d.draw_order')
    .select('u.username', 'x.name')) as Array<{ username: string; name: string }>;
}

/** User ids of the drawn experts, for texting them. */
export async function drawnExpertUserIds(db: Db, caseId: number): Promise<number[]> {
  return (await db('tender_expert_draws as d').join('experts as x', 'x.id', 'd.expert_id').where({ 'd.case_id': caseId, 'd.selected': true }).whereNotNull('x.user_id').pluck('x.user_id')) as number[];
}

export interface PoolExpert {
  id: number;
  name: string;
  employer_enterprise_id: number | null;
}

/** Every active expert who can sign in, by id (the draw shuffles them). */
export async function expertPool(db: Db): Promise<PoolExpert[]> {
  return (await db('experts').where('active', true).whereNotNull('user_id').orderBy('id').select('id', 'name', 'employer_enterprise_id')) as PoolExpert[];
}

/** Declared relations (回避) between experts and any of these enterprises. */
export async function conflictsWith(db: Db, enterpriseIds: number[]): Promise<Array<{ expert_id: number; relation: string }>> {
  return (await db('expert_conflicts')
    .whereIn('enterprise_id', enterpriseIds.length ? enterpriseIds : [0])
    .select('expert_id', 'relation')) as Array<{ expert_id: number; relation: string }>;
}

export interface DrawRow {
  expert_id: number;
  draw_order: number | null;
  selected: boolean;
  excluded_reason: string | null;
}

/**
 * Records a tender's whole draw in one insert, unless a draw is already there: the lock on the
 * tender's first draw row makes a concurrent retry wait, and its rows would collide on
 * (case, expert) anyway.
 */
export async function recordDrawOnce(db: Knex, caseId: number, rows: DrawRow[]): Promise<void> {
  await db.transaction(async (trx) => {
    if (!(await trx('tender_expert_draws').where('case_id', caseId).forUpdate().first('id'))) await trx('tender_expert_draws').insert(rows.map((r) => ({ case_id: caseId, ...r })));
  });
}

/** The draw as the bureau and the tenderer see it: every expert considered, drawn or excluded. */
export async function drawOf(db: Db, caseId: number) {
  return db('tender_expert_draws as d').join('experts as x', 'x.id', 'd.expert_id').where('d.case_id', caseId).orderBy('d.id').select('x.name', 'd.selected', 'd.draw_order', 'd.excluded_reason');
}
