import type { Knex } from 'knex';
import type { CaseLayout } from './fill-cases';
import type { Refs } from './fill-organisations';
import { insertChunked } from './sql';
import type { Volume } from './volume';

const CHUNK = 250_000;

/**
 * Ten history entries per case as the engine writes them (seq 1 "started", then each task's
 * "task_created" and "task_completed"), and a few thousand copies (抄送): a third to gusu.staff on
 * cases outside gusu (visible to it only through the copy), a third to city.leader, a third to
 * dongwu.pm on dongwu's cases.
 */
export async function fillHistory(db: Knex, volume: Volume, refs: Refs, layout: CaseLayout, taskBase: number): Promise<void> {
  const H = volume.cases * volume.historyPerCase;
  const per = volume.historyPerCase;
  const tasks = volume.tasksPerCase;
  await insertChunked(db, H, CHUNK, (lo, hi) => {
    const v = `(${lo} + n.n)`;
    const j = `MOD(${v}, ${per})`;
    const n = `FLOOR(${v} / ${per})`;
    const created = `MOD(${j} - 1, 2) = 0`;
    return `INSERT INTO case_history (case_id, seq, at, kind, node_id, task_key, actor_id, actor_name, outcome, comment, data)
      SELECT c.id, ${j} + 1,
        CASE WHEN ${j} = 0 THEN c.started_at WHEN ${created} THEN t.created_at ELSE COALESCE(t.completed_at, t.created_at) END,
        CASE WHEN ${j} = 0 THEN 'started' WHEN ${created} THEN 'task_created' ELSE 'task_completed' END,
        IF(${j} = 0, 'start', t.node_id), IF(${j} = 0, NULL, t.task_key),
        CASE WHEN ${j} = 0 THEN c.started_by WHEN ${created} THEN NULL ELSE t.completed_by END,
        CASE WHEN ${j} = 0 THEN su.username WHEN ${created} THEN NULL ELSE u.display_name END,
        IF(${j} > 0 AND NOT (${created}), t.outcome, NULL), IF(${j} > 0 AND NOT (${created}), t.comment, NULL),
        IF(${j} = 0, CONCAT('{"processVersion":', c.process_version, '}'), NULL)
      FROM bench_numbers n
      JOIN cases c ON c.id = ${layout.caseBase} + ${n} + 1
      JOIN users su ON su.id = c.started_by
      LEFT JOIN case_tasks t ON ${j} > 0 AND t.id = ${taskBase} + ${n} * ${tasks} + FLOOR((${j} - 1) / 2) + 1
      LEFT JOIN users u ON u.id = t.completed_by
      WHERE n.n < ${hi - lo}
      ORDER BY c.id, ${j}`;
  });

  const third = Math.floor(volume.copies / 3);
  const D = refs.districts;
  const C = volume.cases;
  const { ids } = refs;
  // Which case each copy is on, by the copy's number v: outside gusu, anywhere, or dongwu's own.
  const caseOf = `CASE WHEN n.n < ${third} THEN n.n * ${D} + 1 + MOD(n.n, ${D - 1})
    WHEN n.n < ${2 * third} THEN MOD(n.n * 97, ${C})
    ELSE MOD((n.n - ${2 * third}) * 20, ${C}) END`;
  await db.raw(`INSERT IGNORE INTO case_copies (case_id, user_id, from_user_id, task_key, at, read_at)
    SELECT c.id, CASE WHEN n.n < ${third} THEN ${ids.gusuStaff} WHEN n.n < ${2 * third} THEN ${ids.cityLeader} ELSE ${ids.dongwuPm} END,
      ${ids.cityStaff}, t.task_key, TIMESTAMPADD(DAY, 2, c.started_at), IF(MOD(n.n, 3) = 0, NULL, TIMESTAMPADD(DAY, 3, c.started_at))
    FROM bench_numbers n
    JOIN cases c ON c.id = ${layout.caseBase} + (${caseOf}) + 1
    JOIN case_tasks t ON t.id = ${taskBase} + (${caseOf}) * ${tasks} + 2
    WHERE n.n < ${volume.copies} AND (${caseOf}) < ${C}
    ORDER BY c.id`);
}
