import type { Knex } from 'knex';

/**
 * What the domain approvals (qualification, contract filing, tender, credit appeal, committee
 * filing) keep beside the case tables: the documents they issue (certificate and filing numbers
 * with their PDFs), what they publish for the public portal, and the tender's own records —
 * the tender, its bids, the deposit ledger, the evaluation-expert pool, the draw and the scores.
 * Every row an activity writes has a unique key the workflow chose, so a retry writes nothing twice.
 */
export async function up(knex: Knex): Promise<void> {
  const now = knex.fn.now(3);
  const createTable = async (name: string, build: (t: Knex.CreateTableBuilder) => void) => {
    if (!(await knex.schema.hasTable(name))) await knex.schema.createTable(name, build);
  };

  /** Certificates, filing certificates, filing forms (E8): one per case and kind. */
  await createTable('approval_documents', (t) => {
    t.increments('id').primary();
    t.integer('case_id').unsigned().notNullable().references('id').inTable('cases');
    t.string('kind', 32).notNullable();
    t.string('number', 64).notNullable().unique();
    t.uuid('file_id').nullable().references('id').inTable('files');
    t.string('title', 128).notNullable();
    t.text('data').nullable();
    t.timestamp('issued_at', { precision: 3 }).notNullable().defaultTo(now);
    t.unique(['case_id', 'kind']);
    t.index(['kind', 'issued_at']);
  });

  /** Results the public portal lists (P1): qualification publicity, tender and award announcements. */
  await createTable('approval_publicity', (t) => {
    t.increments('id').primary();
    t.integer('case_id').unsigned().notNullable().references('id').inTable('cases');
    t.string('kind', 32).notNullable();
    t.string('title', 255).notNullable();
    t.text('body').notNullable();
    t.text('data').nullable();
    t.timestamp('starts_at', { precision: 3 }).notNullable().defaultTo(now);
    t.timestamp('ends_at', { precision: 3 }).nullable();
    t.unique(['case_id', 'kind']);
    t.index(['kind', 'starts_at']);
  });

  await createTable('tenders', (t) => {
    t.integer('case_id').unsigned().primary().references('id').inTable('cases');
    t.integer('project_id').unsigned().notNullable().references('id').inTable('property_projects');
    t.enum('tenderer', ['developer', 'owners_assembly']).notNullable();
    t.integer('tenderer_organisation_id').unsigned().notNullable().references('id').inTable('organisations');
    t.string('title', 255).notNullable();
    /** open: bids accepted until closes_at; closed: screening and evaluation; then awarded or failed. */
    t.enum('status', ['open', 'closed', 'awarded', 'failed']).notNullable().defaultTo('open');
    /** Screening conditions (qualification level, registered capital, district, employees). */
    t.text('requirements').notNullable();
    t.decimal('deposit_amount', 14, 2).notNullable();
    t.timestamp('opens_at', { precision: 3 }).notNullable().defaultTo(now);
    t.timestamp('closes_at', { precision: 3 }).notNullable();
    t.integer('winner_enterprise_id').unsigned().nullable().references('id').inTable('enterprises');
    t.timestamp('updated_at', { precision: 3 }).notNullable().defaultTo(now);
    t.index(['status', 'closes_at']);
  });

  await createTable('tender_bids', (t) => {
    t.increments('id').primary();
    t.integer('case_id').unsigned().notNullable().references('case_id').inTable('tenders');
    t.integer('enterprise_id').unsigned().notNullable().references('id').inTable('enterprises');
    /** 标书受理编号, in registration order. */
    t.string('bid_no', 32).notNullable();
    t.integer('registered_by').unsigned().notNullable().references('id').inTable('users');
    t.timestamp('registered_at', { precision: 3 }).notNullable().defaultTo(now);
    t.enum('status', ['registered', 'eligible', 'ineligible', 'shortlisted', 'not_shortlisted']).notNullable().defaultTo('registered');
    /** Why screening refused the bid, or how prequalification ranked it. */
    t.text('screening').nullable();
    t.decimal('average_score', 6, 2).nullable();
    t.unique(['case_id', 'enterprise_id']);
    t.unique(['case_id', 'bid_no']);
  });

  /**
   * The deposit virtual account (保证金虚账户) of each tender, with a sub-account per bidder.
   * Double entry: every transaction (txn_key) is two lines that sum to zero — the bank side
   * ("bank", what the bureau holds) and the bidder's sub-account ("bidder", what it owes the
   * bidder). A payment debits bank and credits the bidder; a refund the reverse.
   */
  await createTable('deposit_entries', (t) => {
    t.increments('id').primary();
    t.integer('case_id').unsigned().notNullable().references('case_id').inTable('tenders');
    t.string('txn_key', 128).notNullable();
    t.tinyint('line').unsigned().notNullable();
    t.enum('account', ['bank', 'bidder']).notNullable();
    t.integer('enterprise_id').unsigned().notNullable().references('id').inTable('enterprises');
    t.enum('kind', ['payment', 'refund']).notNullable();
    /** Positive = debit, negative = credit. */
    t.decimal('amount', 14, 2).notNullable();
    t.timestamp('at', { precision: 3 }).notNullable().defaultTo(now);
    t.unique(['txn_key', 'line']);
    t.index(['case_id', 'enterprise_id']);
  });

  /** The evaluation-expert pool (评标专家库); experts sign in with the role "expert". */
  await createTable('experts', (t) => {
    t.increments('id').primary();
    t.integer('user_id').unsigned().nullable().unique().references('id').inTable('users');
    t.string('name', 64).notNullable();
    t.string('speciality', 64).notNullable();
    t.integer('employer_enterprise_id').unsigned().nullable().references('id').inTable('enterprises');
    t.boolean('active').notNullable().defaultTo(true);
    t.index(['active']);
  });

  /** Declared relations that exclude an expert from a tender the enterprise bids in (回避). */
  await createTable('expert_conflicts', (t) => {
    t.integer('expert_id').unsigned().notNullable().references('id').inTable('experts');
    t.integer('enterprise_id').unsigned().notNullable().references('id').inTable('enterprises');
    t.string('relation', 64).notNullable();
    t.primary(['expert_id', 'enterprise_id']);
  });

  /** Each tender's draw: every pool member considered, drawn or excluded with the reason. */
  await createTable('tender_expert_draws', (t) => {
    t.increments('id').primary();
    t.integer('case_id').unsigned().notNullable().references('case_id').inTable('tenders');
    t.integer('expert_id').unsigned().notNullable().references('id').inTable('experts');
    /** Position in the draw order (1 = first drawn); null for excluded experts. */
    t.smallint('draw_order').unsigned().nullable();
    t.boolean('selected').notNullable();
    t.string('excluded_reason', 255).nullable();
    t.timestamp('drawn_at', { precision: 3 }).notNullable().defaultTo(now);
    t.unique(['case_id', 'expert_id']);
  });

  await createTable('tender_scores', (t) => {
    t.increments('id').primary();
    t.integer('case_id').unsigned().notNullable().references('case_id').inTable('tenders');
    t.integer('bid_id').unsigned().notNullable().references('id').inTable('tender_bids');
    t.integer('expert_id').unsigned().notNullable().references('id').inTable('experts');
    t.decimal('score', 5, 2).notNullable();
    t.string('comment', 500).nullable();
    t.timestamp('scored_at', { precision: 3 }).notNullable().defaultTo(now);
    t.unique(['bid_id', 'expert_id']);
    t.index(['case_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['tender_scores', 'tender_expert_draws', 'expert_conflicts', 'experts', 'deposit_entries', 'tender_bids', 'tenders', 'approval_publicity', 'approval_documents']) {
    await knex.schema.dropTableIfExists(table);
  }
}
