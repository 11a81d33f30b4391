import type { Knex } from 'knex';
import { CASE_FIELDS, TASK_FIELDS } from '../../db/cases/rows';
import { SEARCH_CANDIDATES, bigramsOf } from '../../db/cases/search';

/**
 * The lists bench:lists times, each as the admin UI asks for it (its default sort and page size,
 * its search box), with the "bare" query: the page's rows with the columns and name joins the API
 * answers (db/cases/rows.ts CASE_FIELDS and TASK_FIELDS, each registry's base query, the log
 * columns), written by hand as one statement in the simplest form the best index serves — the
 * scope's own branch only, no total, no second read by id. Bare + the HTTP floor of a signed-in
 * call is what any list must cost; the API's p95 over that sum is what it adds (the union of
 * visibility branches, the bounded total, the search candidates, JSON of the rows).
 */
export interface Viewer {
  id: number;
  role: string;
  organisationId: number;
  districtCode: string | null;
  streetCode: string | null;
}

export interface Bare {
  /** The page's columns, as the API answers them. */
  select: string;
  /** FROM … JOIN … WHERE … of the page, without search. */
  from: string;
  order: string;
  /** The clause the search box adds for a term (a look-up, untimed, may pick the index first). */
  search: (db: Knex, term: string) => Promise<Search>;
}

export interface Search {
  clause: string;
  /**
   * The clause's own index drives the page (a number's start, a rare title piece), so the
   * optimiser picks the join order; otherwise the page reads its first table in list order.
   */
  drives?: boolean;
}

export interface SearchTerm {
  /** The variant's name in the table ("q few", "q number", "q none"). */
  label: string;
  term: string;
}

export interface ListSpec {
  list: string;
  user: string;
  path: string;
  sort: [string, 'ASC' | 'DESC'];
  perPage: number;
  /** The filter key of the list's search box. */
  searchKey: string;
  /** Columns of the list's own third row that its search terms are cut from, so "a few" holds whatever the data. */
  sampleColumns: string[];
  /** The search variants, from the sampled values (in sampleColumns order); "q none" is added to them. */
  terms: (sample: string[]) => SearchTerm[];
  none: string;
  bare: (v: Viewer, db: Knex) => Bare;
}

const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/'/g, "''");
const like = (term: string) => `'%${esc(term).replace(/[%_]/g, (m) => `\\${m}`)}%'`;
const prefix = (term: string) => `'${esc(term).replace(/[%_]/g, (m) => `\\${m}`)}%'`;
const text = (v: string | null) => (v === null ? 'NULL' : `'${esc(v)}'`);
const sqlOf = (fields: ReadonlyArray<string | Knex.Raw>) => fields.map((f) => (typeof f === 'string' ? f : f.toString())).join(', ');
const NONE = '不存在的办件名称';

/** The case number without its last digit: the ten cases around it. */
const numberPrefix = (n: string) => n.slice(0, -1);
/**
 * Part of a title that names its applicant: titles read "资质申报（苏州金鸡嘉园物业服务有限公司）",
 * and the four characters after 苏州 are one enterprise's brand (dongwu's 东吴物业 is in half of all titles).
 */
function titleFragment(title: string): string {
  const inside = /（(.+)）/.exec(title)?.[1] ?? title;
  return Array.from(inside.replace(/^苏州/, '')).slice(0, 4).join('');
}
const caseTerms = ([number, title]: string[]): SearchTerm[] => [
  { label: 'q few', term: titleFragment(title) },
  { label: 'q number', term: numberPrefix(number) },
];

/** The piece of a term in the fewest titles (case_title_grams), with how many (counted up to the API's cut-off). */
async function rarestGram(db: Knex, term: string): Promise<{ gram: string; n: number } | null> {
  let rarest: { gram: string; n: number } | null = null;
  for (const gram of bigramsOf(term)) {
    const [rows] = (await db.raw('SELECT COUNT(*) AS n FROM (SELECT 1 FROM case_title_grams WHERE gram = ? LIMIT ?) g', [gram, SEARCH_CANDIDATES + 1])) as [Array<{ n: number | string }>];
    const n = Number(rows[0].n);
    if (!rarest || n < rarest.n) rarest = { gram, n };
  }
  return rarest;
}

/**
 * The search box of the case and task lists, by hand for the kind of term: a case number's start
 * (ASCII, never in a title) reads the number index; a title fragment (Chinese, never in a number)
 * reads its rarest piece's cases when they are few, else scans in list order, where a common term
 * matches within the first rows. The same rows as the API's number-or-title search on this data.
 */
async function caseSearch(db: Knex, term: string): Promise<Search> {
  if (/^[A-Z]+-\d/.test(term)) return { clause: `c.number LIKE ${prefix(term)}`, drives: true };
  const gram = await rarestGram(db, term);
  if (gram === null || gram.n > SEARCH_CANDIDATES) return { clause: `c.title LIKE ${like(term)}` };
  return { clause: `c.id IN (SELECT g.case_id FROM case_title_grams g WHERE g.gram = ${text(gram.gram)}) AND c.title LIKE ${like(term)}`, drives: true };
}

const CASE_COLUMNS = sqlOf(CASE_FIELDS);
const CASE_NAMES = 'JOIN organisations ao ON ao.id = c.applicant_organisation_id JOIN users su ON su.id = c.started_by';
const TASK_CASE_NAMES = 'JOIN cases c ON c.id = t.case_id LEFT JOIN users ua ON ua.id = t.assignee_id';

/** The scope branch of a case list (the started-by and participant branches add little at this volume). */
function caseScope(v: Viewer): string {
  if (cityWide(v)) return '1 = 1';
  if (v.role === 'district_staff') return `c.district_code = ${text(v.districtCode)}`;
  if (v.role === 'street_office') return `c.street_code = ${text(v.streetCode)}`;
  return `c.applicant_organisation_id = ${v.organisationId}`;
}

/**
 * The role's claimable candidate rows in scope, as one range of (kind, value, district_code,
 * claimable_since): the case writer gives a district or street role's rows the case's district
 * and every other role's none (lib/cases/candidate-scope.ts), so the range holds the same rows as the
 * API's two branches (anywhere, own district).
 */
function claimable(v: Viewer): string {
  const district = ['district_staff', 'street_office'].includes(v.role) ? `tc.district_code = ${text(v.districtCode ?? '')}` : 'tc.district_code IS NULL';
  return `case_task_candidates tc JOIN case_tasks t ON t.id = tc.task_id ${TASK_CASE_NAMES}
    WHERE tc.kind = 'group' AND tc.value = ${text(v.role)} AND ${district} AND tc.claimable_since IS NOT NULL
      AND (tc.street_code IS NULL OR tc.street_code = ${text(v.streetCode ?? '')}) AND (tc.organisation_id IS NULL OR tc.organisation_id = ${v.organisationId})`;
}

function inbox(box: 'todo' | 'claimable' | 'done', user: string): ListSpec {
  return {
    list: `inbox/${box}`,
    user,
    path: `/api/inbox/${box}`,
    sort: [box === 'done' ? 'completed_at' : 'created_at', 'DESC'],
    perPage: 25,
    searchKey: 'q',
    sampleColumns: ['c.number', 'c.title'],
    terms: caseTerms,
    none: NONE,
    bare: (v, db) => ({
      select: sqlOf(TASK_FIELDS(db)),
      from: box === 'todo' ? `case_tasks t ${TASK_CASE_NAMES} WHERE t.status = 'open' AND t.assignee_id = ${v.id}` : box === 'done' ? `case_tasks t ${TASK_CASE_NAMES} WHERE t.completed_by = ${v.id}` : claimable(v),
      order: box === 'done' ? 't.completed_at DESC, t.id DESC' : box === 'claimable' ? 'tc.claimable_since DESC, tc.task_id DESC' : 't.created_at DESC, t.id DESC',
      search: caseSearch,
    }),
  };
}

function caseBox(box: 'started' | 'copied', user: string): ListSpec {
  return {
    list: `inbox/${box}`,
    user,
    path: `/api/inbox/${box}`,
    sort: ['started_at', 'DESC'],
    perPage: 25,
    searchKey: 'q',
    sampleColumns: ['c.number', 'c.title'],
    terms: caseTerms,
    none: NONE,
    bare: (v) =>
      box === 'started'
        ? { select: CASE_COLUMNS, from: `cases c ${CASE_NAMES} WHERE c.started_by = ${v.id}`, order: 'c.started_at DESC, c.id DESC', search: caseSearch }
        : {
            select: `${CASE_COLUMNS}, cc.at AS copied_at, cc.from_user_id AS copied_by, cc.read_at`,
            from: `case_copies cc JOIN cases c ON c.id = cc.case_id ${CASE_NAMES} WHERE cc.user_id = ${v.id}`,
            order: 'c.started_at DESC, c.id DESC',
            search: caseSearch,
          },
  };
}

function cases(user: string): ListSpec {
  return {
    list: 'cases',
    user,
    path: '/api/cases',
    sort: ['started_at', 'DESC'],
    perPage: 25,
    searchKey: 'q',
    sampleColumns: ['c.number', 'c.title'],
    terms: caseTerms,
    none: NONE,
    bare: (v) => ({ select: CASE_COLUMNS, from: `cases c ${CASE_NAMES} WHERE ${caseScope(v)}`, order: 'c.started_at DESC, c.id DESC', search: caseSearch }),
  };
}

const cityWide = (v: Viewer) => ['sysadmin', 'city_staff', 'city_leader', 'admin_centre'].includes(v.role);
/** Enterprises a district sees: registered there, or managing a project there (db/registries/scope.ts). */
const districtEnterprises = (v: Viewer, column: string) =>
  `(e.district_code = ${text(v.districtCode)} OR ${column} IN (SELECT enterprise_id FROM property_projects WHERE district_code = ${text(v.districtCode)} AND enterprise_id IS NOT NULL))`;
/** This year's credit score of an enterprise or a person, as the registries' base queries join it (by its primary key: on few rows the optimiser picks the year index and reads every score of the year per row). */
const creditScore = (type: string, column: string) => `LEFT JOIN credit_scores cs FORCE INDEX (PRIMARY) ON cs.subject_id = ${column} AND cs.subject_type = '${type}' AND cs.year = ${new Date().getUTCFullYear()}`;
const contains =
  (columns: string[]) =>
  async (_db: Knex, t: string): Promise<Search> => ({ clause: `(${columns.map((c) => `${c} LIKE ${like(t)}`).join(' OR ')})` });

/** The registries as their base queries (db/registries/{projects,enterprises,staff}.ts) read a page. */
function registry(name: 'projects' | 'enterprises' | 'staff', user: string): ListSpec {
  const bare = (v: Viewer): Bare => {
    if (name === 'projects') {
      return {
        select: 'p.*, rd.name AS district_name, rs.name AS street_name, rc.name AS community_name, pe.name AS enterprise_name, pd.name AS developer_name',
        from: `property_projects p LEFT JOIN regions rd ON rd.code = p.district_code LEFT JOIN regions rs ON rs.code = p.street_code LEFT JOIN regions rc ON rc.code = p.community_code
          LEFT JOIN enterprises pe ON pe.id = p.enterprise_id LEFT JOIN enterprises pd ON pd.id = p.developer_id
          WHERE ${cityWide(v) ? '1 = 1' : `p.district_code = ${text(v.districtCode)}`}`,
        order: 'p.id ASC',
        search: contains(['p.name', 'p.code', 'p.address']),
      };
    }
    if (name === 'enterprises') {
      return {
        select: 'e.*, rd.name AS district_name, ep.name AS parent_enterprise_name, COALESCE(cs.score, 100) AS credit_score, (SELECT COUNT(*) FROM property_projects pp WHERE pp.enterprise_id = e.id) AS projects_count',
        from: `enterprises e LEFT JOIN regions rd ON rd.code = e.district_code LEFT JOIN enterprises ep ON ep.id = e.parent_enterprise_id ${creditScore('enterprise', 'e.id')}
          WHERE ${cityWide(v) ? '1 = 1' : districtEnterprises(v, 'e.id')}`,
        order: 'e.id ASC',
        search: contains(['e.name', 'e.credit_code', 'e.legal_representative']),
      };
    }
    return {
      select: 's.*, e.name AS enterprise_name, e.district_code AS enterprise_district_code, sp.name AS project_name, COALESCE(cs.score, 100) AS credit_score',
      from: `enterprise_staff s LEFT JOIN enterprises e ON e.id = s.enterprise_id LEFT JOIN property_projects sp ON sp.id = s.project_id ${creditScore('staff', 's.id')}
        WHERE ${cityWide(v) ? '1 = 1' : districtEnterprises(v, 's.enterprise_id')}`,
      order: 's.id ASC',
      // The ID number is encrypted: the API finds it whole by its blind index, never by LIKE.
      search: contains(['s.name', 's.certificate_no']),
    };
  };
  const column = { projects: 'p.code', enterprises: 'e.name', staff: 's.name' }[name];
  return {
    list: name,
    user,
    path: `/api/${name}`,
    sort: ['id', 'ASC'],
    perPage: 25,
    searchKey: 'q',
    sampleColumns: [column],
    terms: ([x]) => [{ label: 'q few', term: name === 'projects' ? x.slice(0, -1) : x }],
    none: '不存在的名称',
    bare,
  };
}

/** The message log's columns (db/sms/messages.ts LOG_FIELDS). */
const SMS_COLUMNS = ['id', 'phone', 'text', 'encoding', 'part_count', 'status', 'user_id', 'notice_id', 'topic_id', 'send_at', 'modem_imei', 'attempts', 'error_code', 'error_text', 'created_at', 'sent_at', 'delivered_at', 'failed_at']
  .map((c) => `m.${c}`)
  .join(', ');

export const LIST_SPECS: ListSpec[] = [
  inbox('todo', 'gusu.staff'),
  inbox('todo', 'city.staff'),
  inbox('claimable', 'gusu.staff'),
  inbox('claimable', 'city.staff'),
  inbox('claimable', 'pingjiang.street'),
  inbox('done', 'city.staff'),
  inbox('done', 'gusu.staff'),
  caseBox('started', 'dongwu.ent'),
  caseBox('copied', 'gusu.staff'),
  caseBox('copied', 'city.leader'),
  cases('gusu.staff'),
  cases('dongwu.ent'),
  cases('city.staff'),
  cases('pingjiang.street'),
  ...(['projects', 'enterprises', 'staff'] as const).flatMap((r) => [registry(r, 'city.staff'), registry(r, 'gusu.staff')]),
  {
    list: 'sms/messages',
    user: 'city.leader',
    path: '/api/sms/messages',
    sort: ['id', 'DESC'],
    perPage: 25,
    searchKey: 'phone',
    sampleColumns: ['m.phone'],
    terms: ([phone]) => [{ label: 'q few', term: phone.slice(0, -1) }],
    none: '10000000000',
    bare: () => ({ select: SMS_COLUMNS, from: 'sms_messages m WHERE 1 = 1', order: 'm.id DESC', search: async (_db, t) => ({ clause: `m.phone_normalised LIKE ${prefix(t)}`, drives: true }) }),
  },
  {
    list: 'operation-logs',
    // The audit administrator is the log's only reader (docs/security.md).
    user: 'auditor',
    path: '/api/operation-logs',
    sort: ['id', 'DESC'],
    perPage: 50,
    searchKey: 'username',
    sampleColumns: ['l.username'],
    terms: ([u]) => [{ label: 'q few', term: u }],
    none: 'nobody.here',
    bare: () => ({ select: 'l.*', from: 'operation_log l WHERE 1 = 1', order: 'l.id DESC', search: async (_db, t) => ({ clause: `l.username = '${esc(t)}'`, drives: true }) }),
  },
];

/** The lists BENCH_ONLY names: comma-separated substrings of a list's name or its user ("inbox/claimable", "dongwu"). */
export function selectSpecs(specs: ListSpec[], only: string | undefined): ListSpec[] {
  const parts = (only ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!parts.length) return specs;
  return specs.filter((s) => parts.some((p) => s.list.includes(p) || s.user.includes(p)));
}

export async function viewerOf(db: Knex, username: string): Promise<Viewer> {
  const row = (await db('users as u').join('organisations as o', 'o.id', 'u.organisation_id').where('u.username', username).first('u.id', 'u.role', 'u.organisation_id', 'o.district_code', 'o.street_code')) as
    { id: number; role: string; organisation_id: number; district_code: string | null; street_code: string | null } | undefined;
  if (!row) throw new Error(`no user ${username}`);
  return { id: row.id, role: row.role, organisationId: row.organisation_id, districtCode: row.district_code, streetCode: row.street_code };
}

/**
 * The bare SQL of one page: `select` (the page's columns, or a sample's), the search when given.
 * STRAIGHT_JOIN pins the order of FROM, list table first, as a hand-written query would: left
 * to itself, the optimiser starts some pages from the small name tables and sorts every row.
 */
export function bareSql(b: Bare, select: string, offset: number, limit: number, search?: Search): string {
  return `SELECT ${search?.drives ? '' : 'STRAIGHT_JOIN '}${select} FROM ${b.from}${search === undefined ? '' : ` AND ${search.clause}`} ORDER BY ${b.order} LIMIT ${limit} OFFSET ${offset}`;
}
