import type { Knex } from 'knex';
import type { Refs } from './fill-organisations';
import { PLANS, PROCESSES, taskKey } from './processes';
import type { Volume } from './volume';
import { createBenchTable } from './sql';

/**
 * The cases at volume, in one INSERT … SELECT: one case in ten per district (gusu first), half
 * of them dongwu's, started over the last three years in id order, ~10 % still running (the
 * newest, plus one in a hundred older ones), numbered by each process's coding rule with a
 * sequence per rendered prefix (ROW_NUMBER over the prefix), and the number counters left where
 * the data ends so cases started afterwards get fresh numbers.
 */
export interface CaseLayout {
  caseBase: number;
  /** started_at of case n is anchor − (cases − n) × spacing seconds. */
  spacingSeconds: number;
}

export async function createProcessTables(db: Knex): Promise<void> {
  await createBenchTable(db, 'bench_processes', `process_key VARCHAR(64) NOT NULL PRIMARY KEY, prefix VARCHAR(16) NOT NULL, with_district TINYINT NOT NULL, width INT NOT NULL, version INT NOT NULL, name VARCHAR(128) NOT NULL`);
  for (const p of PROCESSES) {
    await db.raw(
      `INSERT INTO bench_processes (process_key, prefix, with_district, width, version, name)
      SELECT p.process_key, ?, ?, ?, p.current_version, p.name FROM processes p WHERE p.process_key = ? AND p.current_version IS NOT NULL`,
      [p.prefix, p.withDistrict ? 1 : 0, p.width, p.key],
    );
  }
  const [rows] = (await db.raw('SELECT COUNT(*) AS n FROM bench_processes')) as [Array<{ n: number }>];
  if (Number(rows[0].n) !== PROCESSES.length) throw new Error('the shipped processes must be published before the fill');
  await createBenchTable(db, 'bench_plan', `plan CHAR(1) NOT NULL, slot INT NOT NULL, process_key VARCHAR(64) NOT NULL, PRIMARY KEY (plan, slot)`);
  for (const [plan, shares] of Object.entries(PLANS)) {
    let slot = 0;
    for (const [key, count] of shares) for (let i = 0; i < count; i++) await db('bench_plan').insert({ plan, slot: slot++, process_key: key });
  }
  await createBenchTable(
    db,
    'bench_steps',
    `process_key VARCHAR(64) NOT NULL, variant VARCHAR(8) NOT NULL, k INT NOT NULL, node_id VARCHAR(128) NOT NULL, task_key VARCHAR(160) NOT NULL,
    name VARCHAR(128) NOT NULL, kind VARCHAR(16) NOT NULL, grp VARCHAR(32) NOT NULL, outcome VARCHAR(32) NOT NULL, PRIMARY KEY (process_key, variant, k)`,
  );
  for (const p of PROCESSES) {
    const rows = [...p.done.map((step, k) => ({ step, k, variant: 'done' })), { step: p.running, k: p.done.length - 1, variant: 'running' }];
    await db('bench_steps').insert(rows.map(({ step, k, variant }) => ({ process_key: p.key, variant, k, node_id: step.node, task_key: taskKey(step), name: step.name, kind: step.kind, grp: step.group, outcome: step.outcome })));
  }
}

export async function fillCases(db: Knex, volume: Volume, refs: Refs): Promise<CaseLayout> {
  const C = volume.cases;
  const D = refs.districts;
  const [[{ base }]] = (await db.raw('SELECT COALESCE(MAX(id), 0) AS base FROM cases')) as [[{ base: number }]];
  const caseBase = Number(base);
  const spacingSeconds = Math.floor((3 * 365 * 86_400) / C);
  const runningFrom = Math.round(C * 0.91);
  const { ids, orgBase, userBase, firstDeveloper, enterprises } = refs;
  const dongwu = 'MOD(FLOOR(n.n / 10), 2) = 0';
  // The inner select derives each case's facts from n; the outer one numbers them per prefix.
  // n mod 10 is the district, so every other choice keys on n / 10 to stay independent of it.
  const inner = `SELECT n.n, pl.process_key, bp.prefix, bp.with_district, bp.width, bp.version, bp.name AS process_name, d.code AS district_code, st.code AS street_code,
      CASE WHEN n.n >= ${runningFrom} OR MOD(FLOOR(n.n / 10), 200) IN (37, 136) THEN 'running' WHEN MOD(FLOOR(n.n / 10), 100) IN (11, 52) THEN 'withdrawn' WHEN MOD(FLOOR(n.n / 10), 100) = 71 THEN 'terminated' ELSE 'completed' END AS status,
      CASE WHEN ${dongwu} THEN ${ids.dongwuOrg}
           WHEN pl.process_key = 'tender' THEN ${orgBase} + ${firstDeveloper} + MOD(FLOOR(n.n / 20), ${enterprises - firstDeveloper}) + 1
           WHEN pl.process_key = 'committee-filing' THEN ${ids.ocOrg}
           ELSE ${orgBase} + MOD(FLOOR(n.n / 20), ${firstDeveloper}) + 1 END AS applicant,
      TIMESTAMPADD(SECOND, -(${C} - n.n) * ${spacingSeconds}, TIMESTAMPADD(DAY, -8, UTC_TIMESTAMP(3))) AS started_at
    FROM bench_numbers n
    JOIN bench_plan pl ON pl.plan = IF(${dongwu}, 'A', 'B') AND pl.slot = MOD(n.n * 7 + FLOOR(n.n / 20), IF(${dongwu}, 16, 20))
    JOIN bench_processes bp ON bp.process_key = pl.process_key
    JOIN bench_districts d ON d.idx = MOD(n.n, ${D})
    JOIN bench_streets st ON st.district_code = d.code AND st.idx = MOD(FLOOR(n.n / ${D}), d.streets)
    WHERE n.n < ${C}`;
  const prefix = `CONCAT(x.prefix, '-', IF(x.with_district = 1, CONCAT(x.district_code, '-'), ''), YEAR(TIMESTAMPADD(HOUR, 8, x.started_at)), '-')`;
  await db.raw(`INSERT INTO cases (id, number, workflow_id, process_key, process_version, title, status, result, applicant_organisation_id, district_code, street_code,
      started_by, check_code, current_steps, active_nodes, variables, started_at, ended_at, updated_at)
    SELECT y.id, y.number, CONCAT('case-', y.id, '-bench'), y.process_key, y.version, CONCAT(y.process_name, '（', o.name, '）'), y.status,
      CASE y.status WHEN 'completed' THEN IF(MOD(FLOOR(y.n / 10), 20) = 3, 'rejected', 'approved') WHEN 'running' THEN NULL ELSE y.status END,
      y.applicant, y.district_code, y.street_code,
      CASE WHEN y.applicant = ${ids.dongwuOrg} THEN ${ids.dongwuEnt} WHEN y.process_key = 'credit-appeal' THEN da.user_id WHEN y.process_key = 'committee-filing' THEN ${ids.ocUser}
           ELSE ${userBase} + y.applicant - ${orgBase} END,
      CONCAT(${[0, 1, 2, 3, 4, 5].map((k) => `SUBSTRING('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', 1 + MOD(FLOOR(y.n * ${7919 + k * 104729} / ${32 ** k}), 32), 1)`).join(', ')}),
      IF(y.status = 'running', rs.name, NULL), IF(y.status = 'running', CONCAT('["', rs.node_id, '"]'), '[]'), '{}',
      y.started_at, IF(y.status = 'running', NULL, TIMESTAMPADD(DAY, 5 + MOD(y.n * 7, 25), y.started_at)),
      IF(y.status = 'running', TIMESTAMPADD(DAY, 4, y.started_at), TIMESTAMPADD(DAY, 5 + MOD(y.n * 7, 25), y.started_at))
    FROM (SELECT x.*, ${caseBase} + x.n + 1 AS id, CONCAT(${prefix}, LPAD(ROW_NUMBER() OVER (PARTITION BY ${prefix} ORDER BY x.n), x.width, '0')) AS number FROM (${inner}) x) y
    JOIN organisations o ON o.id = y.applicant
    JOIN bench_district_actors da ON da.code = y.district_code
    JOIN bench_steps rs ON rs.process_key = y.process_key AND rs.variant = 'running'
    ORDER BY y.id`);

  // The counters the next start increments: "<key>|<prefix>{seq}" at the highest sequence used.
  await db.raw(`INSERT INTO case_number_counters (counter_key, last_value)
    SELECT CONCAT(c.process_key, '|', LEFT(c.number, CHAR_LENGTH(c.number) - bp.width), '{seq}'), MAX(CAST(RIGHT(c.number, bp.width) AS UNSIGNED))
    FROM cases c JOIN bench_processes bp ON bp.process_key = c.process_key WHERE c.id > ${caseBase}
    GROUP BY c.process_key, LEFT(c.number, CHAR_LENGTH(c.number) - bp.width)
    ON DUPLICATE KEY UPDATE last_value = GREATEST(last_value, VALUES(last_value))`);
  return { caseBase, spacingSeconds };
}
