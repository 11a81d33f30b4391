import type { Knex } from 'knex';
import type { CaseLayout } from './fill-cases';
import type { Refs } from './fill-organisations';
import { insertChunked, maxId, pick } from './sql';
import type { Volume } from './volume';
import { COMMENTS } from './words';

const CHUNK = 250_000;

/**
 * Five task rows per case (bench/lists/processes.ts), completed by the reviewer of their group in
 * the case's place (city.staff for the city's steps), the fifth one open while the case runs —
 * one in twenty of those held, the rest waiting in the claim inbox — and their candidate rows as
 * the case writer writes them (activities/cases/apply-changes.ts with lib/cases/candidate-scope.ts):
 * one group row per task, confined to the case's district, street or applicant organisation.
 */
export async function fillTasks(db: Knex, volume: Volume, refs: Refs, layout: CaseLayout): Promise<{ taskBase: number }> {
  const taskBase = await maxId(db, 'case_tasks');
  const { ids, orgBase, userBase } = refs;
  const T = volume.cases * volume.tasksPerCase;
  const per = volume.tasksPerCase;
  await insertChunked(db, T, CHUNK, (lo, hi) => {
    const v = `(${lo} + n.n)`;
    const k = `MOD(${v}, ${per})`;
    return `INSERT INTO case_tasks (id, case_id, task_key, node_id, name, kind, status, assignee_id, owner_id, candidate_groups, candidate_users, outcomes,
        due_at, created_at, claimed_at, completed_at, completed_by, outcome, comment)
      SELECT z.id, z.case_id, z.task_key, z.node_id, z.name, z.kind, z.status,
        CASE WHEN z.status = 'completed' OR z.held = 1 OR z.kind = 'supplement' THEN z.actor END, NULL, z.grp, '', IF(z.kind = 'user', 'approve,reject,return', ''),
        IF(z.kind = 'user', TIMESTAMPADD(DAY, 5, z.created_at), NULL), z.created_at,
        IF(z.kind = 'user' AND (z.status = 'completed' OR z.held = 1), TIMESTAMPADD(MINUTE, 20, z.created_at), NULL),
        IF(z.status = 'completed', z.completed_at, NULL), IF(z.status = 'completed', z.actor, NULL), IF(z.status = 'completed', z.outcome, NULL),
        IF(z.status = 'completed' AND z.kind = 'user', ${pick('z.id', COMMENTS)}, NULL)
      FROM (SELECT ${taskBase} + ${v} + 1 AS id, c.id AS case_id, s.task_key, s.node_id, s.name, s.kind, s.grp, s.outcome,
          CASE WHEN ${k} < ${per - 1} THEN 'completed' WHEN c.status = 'running' THEN 'open' WHEN c.status IN ('withdrawn', 'terminated') THEN 'cancelled' ELSE 'completed' END AS status,
          IF(c.status = 'running' AND MOD(FLOOR(c.id / 10), 20) = 5, 1, 0) AS held,
          CASE s.grp WHEN 'district_staff' THEN da.user_id WHEN 'street_office' THEN sa.user_id WHEN 'admin_centre' THEN ${ids.centre}
            WHEN 'city_staff' THEN ${ids.cityStaff} WHEN 'city_leader' THEN ${ids.cityLeader}
            WHEN 'enterprise' THEN ${userBase} + c.applicant_organisation_id - ${orgBase} ELSE c.started_by END AS actor,
          TIMESTAMPADD(MINUTE, ${k} * (900 + MOD(c.id, 800)), c.started_at) AS created_at,
          TIMESTAMPADD(MINUTE, ${k} * (900 + MOD(c.id, 800)) + 60 + MOD(${v} * 37, 800), c.started_at) AS completed_at
        FROM bench_numbers n
        JOIN cases c ON c.id = ${layout.caseBase} + FLOOR(${v} / ${per}) + 1
        JOIN bench_steps s ON s.process_key = c.process_key AND s.k = ${k} AND s.variant = IF(c.status = 'running' AND ${k} = ${per - 1}, 'running', 'done')
        JOIN bench_district_actors da ON da.code = c.district_code
        LEFT JOIN bench_street_actors sa ON sa.code = c.street_code
        WHERE n.n < ${hi - lo}) z
      ORDER BY z.id`;
  });

  // Candidate rows: the candidateScope columns for each group (district_staff → the district,
  // street_office → district and street, enterprise-side roles → the applicant organisation).
  await insertChunked(
    db,
    T,
    CHUNK,
    (lo, hi) => `INSERT INTO case_task_candidates (task_id, kind, value, district_code, street_code, organisation_id)
    SELECT t.id, 'group', t.candidate_groups,
      CASE WHEN t.candidate_groups IN ('district_staff', 'street_office') THEN COALESCE(c.district_code, '-') END,
      CASE WHEN t.candidate_groups = 'street_office' THEN COALESCE(c.street_code, '-') END,
      CASE WHEN t.candidate_groups IN ('enterprise', 'project_manager', 'developer', 'owners_committee', 'public') THEN c.applicant_organisation_id END
    FROM case_tasks t JOIN cases c ON c.id = t.case_id
    WHERE t.id > ${taskBase + lo} AND t.id <= ${taskBase + hi} AND t.kind = 'user' AND t.candidate_groups <> ''
    ORDER BY t.id`,
  );
  return { taskBase };
}
