import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import type { GraphNode, ProcessGraph } from '../../lib/bpmn/graph';
import type { FormComponent, FormSchema } from '../../lib/forms/form-schema';
import { processVersionGraph } from '../../db/processes';
import { caseRow, jobWorkerAuth, openTasks, startEngine, type Engine, type TaskRow } from './harness';

/**
 * Drives a case of any published process to its end on the real engine, as its users, outside
 * systems and, where a corpus asks for it, an operator would: claims and decides the open tasks
 * (approve where offered, else the first outcome), assigns 待分配 tasks, completes external
 * jobs as a job worker, delivers the messages the case waits for. Used by the conformance corpus
 * (tests/engine/conformance.test.ts) and by the acceptance run over Camunda's public files
 * (tests/engine/public-corpus.test.ts).
 */
export interface DriverOptions {
  /** Who acts for a candidate group: a demo user holding the role in the case's area. */
  roleActor: Record<string, string>;
  /** Variables sent with each message, by message name. */
  messageVariables?: Record<string, Record<string, unknown>>;
  /** Variables a job worker completes each job type with. */
  jobVariables?: Record<string, Record<string, unknown>>;
  /** Variables every job is completed with (data the process expects from its workers). */
  anyJobVariables?: Record<string, unknown>;
  /** Variables every message carries (data the process expects from the outside system). */
  anyMessageVariables?: Record<string, unknown>;
  /**
   * Leave user tasks with an interrupting boundary timer to the timer (the corpus's are seconds
   * long); otherwise they are decided like any other.
   */
  waitForTaskTimers?: boolean;
  /**
   * Act as an operator where data the run cannot know stops the case: a gateway no branch of
   * which matches is moved past (to its first branch's target), and a timer catch event waited
   * at for more than a few seconds is moved past too. Off: such a case fails the run.
   */
  operate?: boolean;
  /** How long a case may take, in ms. */
  budgetMs?: number;
  /**
   * Complete each job with a two-element list for every multi-instance input collection named
   * by a plain variable (`=items`) the case does not hold yet: the list a job worker would have
   * produced. For files written for job workers the run does not have.
   */
  listsFromJobs?: boolean;
}

/** Variables a multi-instance element iterates over, when named by a plain variable (`=items`, `= orderItems`). */
export function collectionVariables(graph: ProcessGraph): string[] {
  const names = new Set<string>();
  for (const node of Object.values(graph.nodes)) {
    const mi = node.kind === 'userTask' ? node.multiInstance : node.kind === 'serviceTask' || node.kind === 'subProcess' || node.kind === 'callActivity' ? node.multiInstance : null;
    const name = mi?.inputCollection.replace(/^=/, '').trim();
    if (name && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) names.add(name);
  }
  return [...names];
}

/** Values a start form accepts: each required field filled with something of its kind (for forms the run knows nothing of). */
export function sampleFormData(form: FormSchema | null | undefined): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  const walk = (components: FormComponent[] = [], data: Record<string, unknown>) => {
    for (const c of components) {
      // A group with a path nests its fields' values under it (form-js); a dynamic list is left empty.
      if (c.type === 'group' && c.components) {
        if (!c.path) walk(c.components, data);
        else {
          const inner: Record<string, unknown> = {};
          walk(c.components, inner);
          if (Object.keys(inner).length) data[c.path] = inner;
        }
        continue;
      }
      if (!c.key || !c.validate?.required) continue;
      const v = c.validate;
      const option = c.values?.[0]?.value;
      data[c.key] =
        option !== undefined
          ? c.type === 'checklist' || c.type === 'taglist'
            ? [option]
            : option
          : c.type === 'number'
            ? (v.min ?? 1)
            : c.type === 'checkbox'
              ? true
              : c.type === 'datetime'
                ? '2026-12-01'
                : v.validationType === 'email'
                  ? 'acceptance@example.com'
                  : v.validationType === 'phone'
                    ? '+8613800000000'
                    : 'acceptance run'.padEnd(v.minLength ?? 0, '.').slice(0, v.maxLength ?? 100);
    }
  };
  walk(form?.components, root);
  return root;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The engine a corpus runs on, its administrator, and every user's name by id (who holds a task). */
export async function startCorpusEngine(): Promise<{ engine: Engine; admin: TestAgent; usernames: Map<number, string> }> {
  const engine = await startEngine();
  const admin = await engine.as('admin');
  const usernames = new Map<number, string>();
  for (const u of await engine.db('users').select('id', 'username')) usernames.set(u.id, u.username);
  return { engine, admin, usernames };
}

/** Publishes a directory's DMN files (names matching `pattern`), as Camunda deploys them beside the processes calling them; answers each file's outcome. */
export async function publishDecisionFiles(admin: TestAgent, dir: string, pattern: RegExp): Promise<Array<{ file: string; status: number; detail: string }>> {
  const out: Array<{ file: string; status: number; detail: string }> = [];
  for (const file of fs.readdirSync(dir).filter((f) => pattern.test(f))) {
    const res = await admin.post('/api/decisions').send({ xml: fs.readFileSync(path.join(dir, file), 'utf8') });
    out.push({ file, status: res.status, detail: res.status === 201 ? (res.body.decisions as Array<{ decisionId: string }>).map((d) => d.decisionId).join(', ') : JSON.stringify(res.body.error) });
  }
  return out;
}
export const splitList = (text: string | null | undefined) =>
  (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function caseDriver(engine: Engine, admin: TestAgent, usernames: Map<number, string>, opts: DriverOptions) {
  /** The user who acts on an open task: its holder, else a candidate user, else a demo user of its first candidate group. */
  const actorOf = (task: TaskRow & { candidate_users?: string; candidate_groups?: string }) => {
    if (task.assignee_id) return { username: usernames.get(task.assignee_id)!, claim: false };
    const user = splitList(task.candidate_users)[0];
    if (user) return { username: user, claim: true };
    const group = splitList(task.candidate_groups)[0];
    if (group && opts.roleActor[group]) return { username: opts.roleActor[group], claim: true };
    throw new Error(`task ${task.task_key} has no holder, candidate user or known candidate group`);
  };

  /** Boundary timers short enough to wait for: an interrupting one decides or escalates the task itself. */
  const timersOf = (graph: ProcessGraph, node: GraphNode | undefined) =>
    node?.kind === 'userTask' ? node.boundaryIds.map((id) => graph.nodes[id]).filter((b): b is Extract<GraphNode, { kind: 'boundaryTimer' }> => b?.kind === 'boundaryTimer') : [];

  /** An operator's move past the element a case is stuck at, to the target of its first outgoing flow. */
  const movePast = async (graph: ProcessGraph, caseId: number, nodeId: string, why: string, log: string[]) => {
    const node = graph.nodes[nodeId];
    const target = node?.outgoing.length ? graph.flows[node.outgoing[0]].target : null;
    if (!target) throw new Error(`case ${caseId} is stuck at ${nodeId} (${why}) and has nowhere to be moved`);
    const moved = await admin.post(`/api/cases/${caseId}/move`).send({ toNodeId: target, comment: `acceptance run: ${why}` });
    if (moved.status !== 200) throw new Error(`case ${caseId} stuck at ${nodeId} (${why}) could not be moved to ${target}: ${moved.status} ${JSON.stringify(moved.body)}`);
    log.push(`operator moved past ${nodeId} (${why}) to ${target}`);
  };

  /** Drives a case to its end; answers what it did, for the failure message. */
  return async function drive(graph: ProcessGraph, caseId: number, file: string): Promise<string[]> {
    const log: string[] = [];
    const firstSeen = new Map<number | string, number>();
    const deadline = Date.now() + (opts.budgetMs ?? 60_000);
    for (let round = 0; round < 1200 && Date.now() < deadline; round++) {
      const row = (await engine.db('cases').where('id', caseId).first('status', 'incident_node_id', 'incident_message', 'active_nodes')) as {
        status: string;
        incident_node_id: string | null;
        incident_message: string | null;
        active_nodes: string | string[] | null;
      };
      if (row.status === 'incident') {
        const at = row.incident_node_id ? graph.nodes[row.incident_node_id] : undefined;
        if (opts.operate && at && (at.kind === 'exclusiveGateway' || at.kind === 'inclusiveGateway') && !at.scope) {
          await movePast(graph, caseId, at.id, 'no branch matched the run’s data', log);
          continue;
        }
        throw new Error(`${file}: case ${caseId} stopped at an incident at ${row.incident_node_id}: ${row.incident_message}; did: ${log.join('; ')}`);
      }
      if (row.status !== 'running') return log;
      let acted = false;
      // The case's own tasks and those of the cases its call activities started.
      // Called cases at any depth (a call activity's case may call another).
      const childIds: number[] = [];
      for (let frontier = [caseId]; frontier.length;) {
        frontier = (await engine.db('cases').whereIn('parent_case_id', frontier).pluck('id')) as number[];
        childIds.push(...frontier);
      }
      // A called case stopped at an incident holds its caller for ever: the run fails with its reason.
      const stuckChild = (await engine
        .db('cases')
        .where('status', 'incident')
        .whereIn('id', childIds.length ? childIds : [0])
        .first('id', 'process_key', 'incident_node_id', 'incident_message')) as { id: number; process_key: string; incident_node_id: string | null; incident_message: string | null } | undefined;
      if (stuckChild) throw new Error(`${file}: the called case ${stuckChild.id} (${stuckChild.process_key}) stopped at an incident at ${stuckChild.incident_node_id}: ${stuckChild.incident_message}; did: ${log.join('; ')}`);

      const tasks = [...(await openTasks(engine.db, caseId)), ...(childIds.length ? await engine.db('case_tasks').whereIn('case_id', childIds).where('status', 'open').orderBy('id') : [])];
      for (const task of tasks as Array<TaskRow & { candidate_users?: string; candidate_groups?: string; outcomes?: string; pooled?: number }>) {
        if (!firstSeen.has(task.id)) firstSeen.set(task.id, Date.now());
        const node = graph.nodes[task.node_id];
        const timers = opts.waitForTaskTimers ? timersOf(graph, node) : [];
        // An interrupting timer decides (autoOutcome) or escalates the task: leave it to the timer.
        if (timers.some((t) => t.interrupting)) continue;
        // Let a reminder fire at least once before deciding.
        if (timers.length && Date.now() - firstSeen.get(task.id)! < 2500) continue;

        // A task offered to nobody waits in the 待分配 pool: the administrator assigns it first.
        if (task.pooled && !task.assignee_id) {
          const assignee = opts.roleActor.district_staff ?? opts.roleActor.city_staff;
          const to = (await engine.db('users').where('username', assignee).first('id')).id as number;
          const assigned = await admin.post(`/api/tasks/${task.id}/transfer`).send({ to, comment: 'conformance run' });
          if (assigned.status !== 200) throw new Error(`${file}: the administrator could not assign ${task.task_key}: ${assigned.status} ${JSON.stringify(assigned.body)}`);
          log.push(`admin assigned ${task.task_key} to ${assignee}`);
          task.assignee_id = to;
        }
        const { username, claim } = actorOf(task);
        const agent = await engine.as(username);
        if (claim) {
          const claimed = await agent.post(`/api/tasks/${task.id}/claim`).send({});
          if (claimed.status !== 200) throw new Error(`${file}: ${username} could not claim ${task.task_key}: ${claimed.status} ${JSON.stringify(claimed.body)}`);
        }
        const offered = splitList(task.outcomes).length ? splitList(task.outcomes) : node?.kind === 'userTask' ? node.outcomes : ['approve'];
        const outcome = task.kind === 'supplement' ? 'supply' : offered.includes('approve') ? 'approve' : offered[0];
        // A task form's required fields get values of their kind (a return or a supplement carries none).
        const form = outcome === 'supply' ? null : ((await agent.get(`/api/tasks/${task.id}`)).body?.form as FormSchema | null);
        const formData = sampleFormData(form);
        const decided = await agent.post(`/api/tasks/${task.id}/decide`).send({ outcome, comment: 'conformance run', ...(Object.keys(formData).length ? { formData } : {}) });
        if (decided.status !== 200) {
          // A countersign instance may close when another decides the task; anything else is a failure.
          const still = await engine.db('case_tasks').where({ id: task.id }).first('status');
          if (still?.status === 'open') throw new Error(`${file}: ${username} could not decide ${task.task_key} (${outcome}): ${decided.status} ${JSON.stringify(decided.body)}`);
        }
        log.push(`${username} ${claim ? 'claimed and ' : ''}decided ${task.task_key}: ${outcome}`);
        acted = true;
        break; // the case moved on: look again
      }

      if (!acted) {
        // External jobs: a job worker activates and completes each (its variables by job type).
        for (const job of (await engine
          .db('case_jobs')
          .whereIn('case_id', [caseId, ...childIds])
          .where('status', 'open')) as Array<{ id: number; type: string; node_id: string }>) {
          const worker = request(engine.app);
          const activated = await worker.post('/api/jobs/activate').set('Authorization', jobWorkerAuth()).send({ type: job.type, maxJobsToActivate: 32 });
          if (activated.status !== 200) throw new Error(`${file}: jobs of type ${job.type} could not be activated: ${activated.status} ${JSON.stringify(activated.body)}`);
          for (const got of activated.body.jobs as Array<{ key: string; elementId: string }>) {
            // The lists the job's own case iterates over (a called case runs a graph of its own).
            const owner = (await engine.db('case_jobs as j').join('cases as c', 'c.id', 'j.case_id').where('j.id', Number(got.key)).first('c.id', 'c.process_key', 'c.process_version')) as {
              id: number;
              process_key: string;
              process_version: number;
            };
            const ownGraph = owner.id === caseId ? graph : ((await processVersionGraph(engine.db, owner.process_key, owner.process_version))?.graph ?? graph);
            const held = JSON.parse((await caseRow(engine.db, owner.id)).variables ?? '{}') as Record<string, unknown>;
            const lists = opts.listsFromJobs
              ? Object.fromEntries(
                  collectionVariables(ownGraph)
                    .filter((n) => !Array.isArray(held[n]))
                    .map((n) => [n, ['a', 'b']]),
                )
              : {};
            const done = await worker
              .post(`/api/jobs/${got.key}/complete`)
              .set('Authorization', jobWorkerAuth())
              .send({ variables: { ...lists, ...opts.anyJobVariables, ...opts.jobVariables?.[job.type] } });
            if (done.status !== 204) throw new Error(`${file}: job ${got.key} (${job.type}) not completed: ${done.status} ${JSON.stringify(done.body)}`);
            log.push(`worker completed ${job.type} at ${got.elementId}`);
            acted = true;
          }
        }
      }
      if (!acted) {
        for (const sub of await engine.db('case_message_subscriptions').where({ case_id: caseId, open: true })) {
          const res = await admin.post('/api/messages').send({ name: sub.message_name, correlationKey: sub.correlation_key || 'acceptance', variables: { ...opts.anyMessageVariables, ...opts.messageVariables?.[sub.message_name] } });
          if (res.status !== 200) throw new Error(`${file}: message ${sub.message_name} (${sub.correlation_key}) not delivered: ${res.status} ${JSON.stringify(res.body)}`);
          log.push(`delivered ${sub.message_name} to ${sub.node_id}`);
          acted = true;
          // Wait until the case has consumed it, so it is not delivered twice; then look again (it may have closed other waits).
          for (let i = 0; i < 100; i++) {
            const open = await engine.db('case_message_subscriptions').where({ case_id: caseId, node_id: sub.node_id, open: true }).first();
            if (!open) break;
            await sleep(100);
          }
          break;
        }
      }
      if (!acted && opts.operate) {
        // A timer catch event waited at for a while (the public files' are minutes to days long).
        const active = (typeof row.active_nodes === 'string' ? JSON.parse(row.active_nodes) : (row.active_nodes ?? [])) as string[];
        for (const id of active) {
          const node = graph.nodes[id];
          if (node?.kind !== 'timerEvent') continue;
          if (!firstSeen.has(id)) firstSeen.set(id, Date.now());
          if (Date.now() - firstSeen.get(id)! < 3000) continue;
          // A move may not land inside a sub-process: a timer in one is passed with the whole (outermost) sub-process.
          let past: GraphNode = node;
          while (past.scope) past = graph.nodes[past.scope];
          await movePast(graph, caseId, past.id, past.id === id ? 'a long timer' : `a long timer (${id}) inside it`, log);
          firstSeen.delete(id);
          acted = true;
          break;
        }
      }
      if (!acted) await sleep(250);
    }
    const last = (await engine.db('cases').where('id', caseId).first('status', 'active_nodes')) as { status: string; active_nodes: unknown };
    const waits = (await engine.db('case_message_subscriptions').where({ case_id: caseId, open: true }).select('node_id', 'message_name', 'correlation_key')) as unknown[];
    const jobs = (await engine.db('case_jobs').where({ case_id: caseId, status: 'open' }).select('node_id', 'type')) as unknown[];
    throw new Error(`${file}: case ${caseId} did not end within the bound (status ${last.status}, at ${JSON.stringify(last.active_nodes)}, waiting for ${JSON.stringify(waits)}, jobs ${JSON.stringify(jobs)}); did: ${log.join('; ')}`);
  };
}
