import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { evaluateFeel, feelCondition, instantFrom, literalOrFeel } from '../../lib/bpmn/feel';
import {
  OUTCOME_APPROVE,
  OUTCOME_REJECT,
  OUTCOME_RETURN,
  RETURN_TO_APPLICANT,
  type BoundaryTimerNode,
  type GraphNode,
  type MessageEventNode,
  type ServiceTaskNode,
  type TimerEventNode,
  type TimerSpec,
  type UserTaskNode,
} from '../../lib/bpmn/graph';
import { cycle, dateMs, durationMs } from '../../lib/bpmn/iso8601';
import { SERVICE_TASK_TYPES } from '../../lib/bpmn/service-tasks';
import type { CaseStatus, HistoryEntry, NewTaskRow, ServiceTaskResult, TaskKind, TaskRowPatch, TaskStatus } from '../../lib/cases/changes';
import { copyRecipientProblem, taskRecipientProblem } from '../../lib/cases/recipients';
import { CASE_STATUS } from '../../lib/temporal/search-attributes';
import {
  CASE_FAILURES,
  type Actor,
  type CaseSnapshot,
  type CaseWorkflowInput,
  type DecideRequest,
  type LiveTask,
  type MessageDelivery,
  type TaskCommand,
  type Waiting,
} from './contract';
import { Persister, type Changes } from './persister';
import { sendCaseSms } from './sms';

/** patched() ids of changes made after cases had already run (see the replay test). */
const PATCH_SMS_APPLICANT_ON_RETURN = 'sms-applicant-on-return';
const PATCH_SMS_APPLICANT_ON_REJECT = 'sms-applicant-on-reject';
const PATCH_BOUNDARY_TIMER_INCIDENT = 'boundary-timer-incident';

/**
 * The interpreter of a compiled process graph. Each token is a "fiber": an async function that
 * walks the graph from node to node inside the current generation's cancellation scope. A
 * parallel gateway spawns fibers and joins them; a return (退回) or an end of the case cancels
 * the generation and, for a return, starts a new one at the target. User tasks wait for
 * decisions that update handlers queue on their activation.
 *
 * Everything here must stay deterministic: no Node APIs, only workflow time, and every change
 * to what this code does for an existing history must be guarded with `patched()`; the replay
 * tests (tests/engine/replay.test.ts) fail otherwise.
 */
const SERVICE_TIMEOUT = '1 minute';

interface Instance {
  key: string;
  nodeId: string;
  name: string;
  kind: TaskKind;
  index: number;
  candidateGroups: string[];
  candidateUsernames: string[];
  candidateUserIds: number[];
  assigneeUsername: string | null;
  assigneeId: number | null;
  ownerId: number | null;
  outcomes: string[];
  dueAt: string | null;
  status: TaskStatus;
  persisted: boolean;
  /** A decision was queued and not yet processed: a second one is refused. */
  deciding: boolean;
  activation: Activation;
}

interface QueuedDecision extends DecideRequest {
  instance: Instance;
  processed: boolean;
}

interface Activation {
  id: string;
  node: UserTaskNode | null;
  instances: Instance[];
  queue: QueuedDecision[];
  timedOut: BoundaryTimerNode | null;
  approvals: number;
  rejections: number;
  closed: boolean;
  /** For the applicant's supplement task: the node whose decision returned the case. */
  returningNodeId?: string;
}

interface Generation {
  id: number;
  scope: CancellationScope;
  tokens: number;
  cancelled: boolean;
}

/** Thrown by a fiber that cannot go on: the case stops with status "incident". */
class Incident extends Error {}

export class CaseEngine {
  private status: CaseStatus = 'running';
  private result: string | null = null;
  private incident: string | null = null;
  private finished = false;
  private vars: Record<string, unknown>;
  private readonly root = CancellationScope.current();
  private gen!: Generation;
  private generations = 0;
  private fibers = 0;
  private readonly positions = new Map<number, string>();
  private readonly waiting = new Map<number, Waiting>();
  private readonly completed = new Set<string>();
  private readonly completedUserTasks: string[] = [];
  private readonly visits: Record<string, number> = {};
  private joins: Record<string, Record<string, number>> = {};
  private readonly activations: Activation[] = [];
  private readonly mailbox: Array<{ name: string; variables: Record<string, unknown>; consumed: boolean }> = [];
  private reviewerDecided = false;
  private lastEndResult: string | null = null;
  private supplements = 0;
  private readonly persister: Persister;

  constructor(private readonly input: CaseWorkflowInput) {
    this.vars = { ...input.variables };
    this.persister = new Persister(input.caseId, input.scope, () => this.rowSnapshot());
  }

  // ---------------------------------------------------------------- running

  async run(): Promise<CaseSnapshot> {
    await this.persist({ history: [this.entry('started', { nodeId: this.input.graph.startNodeId, actorId: this.input.applicant.userId, actorName: this.input.applicant.username, data: { processVersion: this.input.processVersion } })] });
    this.newGeneration();
    this.spawn(this.input.graph.startNodeId, null);
    await condition(() => this.finished);
    // Let update handlers still settling answer their callers before the run closes.
    await condition(allHandlersFinished);
    return this.snapshot();
  }

  private get graph() {
    return this.input.graph;
  }

  private newGeneration(): Generation {
    this.gen = { id: ++this.generations, scope: new CancellationScope({ cancellable: true, parent: this.root }), tokens: 0, cancelled: false };
    this.joins = {};
    return this.gen;
  }

  private cancelGeneration(): void {
    this.gen.cancelled = true;
    this.gen.scope.cancel();
    this.positions.clear();
    this.waiting.clear();
  }

  /** Starts a token at a node (reached over `viaFlow`), or with a custom body. */
  private spawn(nodeId: string, viaFlow: string | null, body?: (fiber: number) => Promise<void>): void {
    const gen = this.gen;
    if (gen.cancelled || this.finished) return;
    const fiber = ++this.fibers;
    gen.tokens++;
    gen.scope
      .run(() => (body ? body(fiber) : this.walk(fiber, nodeId, viaFlow)))
      .then(
        () => this.tokenDone(gen, fiber),
        async (err: unknown) => {
          this.positions.delete(fiber);
          this.waiting.delete(fiber);
          if (isCancellation(err) || gen.cancelled) return;
          await this.raiseIncident(err);
        },
      );
  }

  private tokenDone(gen: Generation, fiber: number): void {
    this.positions.delete(fiber);
    this.waiting.delete(fiber);
    gen.tokens--;
    if (gen === this.gen && !gen.cancelled && gen.tokens === 0 && !this.finished && this.status !== 'incident') {
      void this.finish('completed', this.lastEndResult ?? 'approved', this.entry('completed', { outcome: this.lastEndResult ?? 'approved' }));
    }
  }

  /** Moves one token through the graph until it ends, joins or its generation is cancelled. */
  private async walk(fiber: number, startId: string, startVia: string | null): Promise<void> {
    let nodeId = startId;
    let via = startVia;
    for (;;) {
      const node = this.graph.nodes[nodeId];
      if (!node) throw new Incident(`the graph has no node ${nodeId}`);
      this.positions.set(fiber, nodeId);
      const next = await this.execute(fiber, node, via);
      if (this.gen.cancelled && next.length) return;
      if (next.length === 0) return;
      for (const flow of next.slice(1)) this.spawn(this.graph.flows[flow].target, flow);
      via = next[0];
      nodeId = this.graph.flows[via].target;
    }
  }

  /** Runs one node; answers the flows to leave it by (none: the token ends here). */
  private async execute(fiber: number, node: GraphNode, via: string | null): Promise<string[]> {
    switch (node.kind) {
      case 'start':
        this.pass(node, 'node_passed');
        return node.outgoing;
      case 'end':
        return this.end(node);
      case 'userTask':
        return this.userTask(node);
      case 'serviceTask':
        return this.serviceTask(node);
      case 'exclusiveGateway':
        return [this.chooseBranch(node)];
      case 'parallelGateway':
        return this.parallel(node, via);
      case 'timerEvent':
        return this.timerEvent(fiber, node);
      case 'messageEvent':
        return this.messageEvent(fiber, node);
      case 'boundaryTimer':
        // Reached only through the attached task's timers; a token arriving here just leaves.
        return node.outgoing;
    }
  }

  private pass(node: GraphNode, kind: string, extra: Partial<HistoryEntry> = {}): void {
    this.completed.add(node.id);
    this.persister.buffer(this.entry(kind, { nodeId: node.id, ...extra }));
  }

  private async end(node: Extract<GraphNode, { kind: 'end' }>): Promise<string[]> {
    this.completed.add(node.id);
    this.lastEndResult = node.result;
    if (node.terminate) {
      await this.finish('completed', node.result, this.entry('terminated_by_end', { nodeId: node.id, outcome: node.result }));
    } else {
      this.persister.buffer(this.entry('end_reached', { nodeId: node.id, outcome: node.result }));
    }
    return [];
  }

  private chooseBranch(node: Extract<GraphNode, { kind: 'exclusiveGateway' }>): string {
    const context = this.feelContext();
    for (const flowId of node.outgoing) {
      const flow = this.graph.flows[flowId];
      if (flowId === node.defaultFlow) continue;
      if (flow.condition === null && node.outgoing.length === 1) {
        this.pass(node, 'node_passed', { data: { flow: flowId } });
        return flowId;
      }
      if (flow.condition !== null && feelCondition(flow.condition, context)) {
        this.pass(node, 'node_passed', { data: { flow: flowId } });
        return flowId;
      }
    }
    if (node.defaultFlow) {
      this.pass(node, 'node_passed', { data: { flow: node.defaultFlow, default: true } });
      return node.defaultFlow;
    }
    throw new Incident(`no branch of gateway ${node.id} matched and it has no default flow`);
  }

  private parallel(node: Extract<GraphNode, { kind: 'parallelGateway' }>, via: string | null): string[] {
    if (node.incoming.length > 1) {
      const arrived = (this.joins[node.id] ??= {});
      if (via) arrived[via] = (arrived[via] ?? 0) + 1;
      if (!node.incoming.every((f) => (arrived[f] ?? 0) > 0)) return [];
      for (const f of node.incoming) arrived[f] -= 1;
    }
    this.pass(node, 'node_passed');
    return node.outgoing;
  }

  private async timerEvent(fiber: number, node: TimerEventNode): Promise<string[]> {
    const ms = this.timerDelay(node.timer);
    const until = new Date(Date.now() + ms).toISOString();
    this.waiting.set(fiber, { nodeId: node.id, kind: 'timer', detail: until });
    await this.persist({ history: [this.entry('timer_started', { nodeId: node.id, data: { until } })] });
    await sleep(ms);
    this.waiting.delete(fiber);
    this.completed.add(node.id);
    await this.persist({ history: [this.entry('timer_fired', { nodeId: node.id })] });
    return node.outgoing;
  }

  private async messageEvent(fiber: number, node: MessageEventNode): Promise<string[]> {
    const key = String(node.correlationKey ? evaluateFeel(node.correlationKey, this.feelContext()) : this.input.caseNumber);
    this.waiting.set(fiber, { nodeId: node.id, kind: 'message', detail: node.messageName });
    await this.persist({
      history: [this.entry('message_awaited', { nodeId: node.id, data: { message: node.messageName, correlationKey: key } })],
      subscriptions: [{ nodeId: node.id, messageName: node.messageName, correlationKey: key, open: true }],
    });
    await condition(() => this.mailbox.some((m) => m.name === node.messageName && !m.consumed));
    const message = this.mailbox.find((m) => m.name === node.messageName && !m.consumed)!;
    message.consumed = true;
    Object.assign(this.vars, message.variables);
    this.waiting.delete(fiber);
    this.completed.add(node.id);
    await this.persist({
      history: [this.entry('message_consumed', { nodeId: node.id, data: { message: node.messageName, variables: message.variables } })],
      subscriptions: [{ nodeId: node.id, messageName: node.messageName, correlationKey: key, open: false }],
    });
    return node.outgoing;
  }

  private async serviceTask(node: ServiceTaskNode): Promise<string[]> {
    const type = SERVICE_TASK_TYPES[node.taskType];
    if (!type) throw new Incident(`service task type ${node.taskType} is not registered in this worker build`);
    const visit = (this.visits[node.id] = (this.visits[node.id] ?? 0) + 1);
    const activities = proxyActivities<Record<string, (input: unknown) => Promise<ServiceTaskResult>>>({
      startToCloseTimeout: SERVICE_TIMEOUT,
      retry: { maximumAttempts: 5 },
      ...(type.taskQueue ? { taskQueue: type.taskQueue } : {}),
    });
    const result = await this.persister.whileBusy(() =>
      activities[type.activity]({
        caseId: this.input.caseId,
        caseNumber: this.input.caseNumber,
        workflowId: workflowInfo().workflowId,
        nodeId: node.id,
        idempotencyKey: `${workflowInfo().workflowId}/${node.id}#${visit}`,
        taskType: node.taskType,
        headers: node.headers,
        variables: this.feelContext(),
        applicantUserId: this.input.applicant.userId,
      }),
    );
    if (result?.variables) Object.assign(this.vars, result.variables);
    // Messages the step asked for go out through the SMS seam; only activities that answer
    // `sms` take this path, so histories recorded before it replay unchanged.
    const texts: HistoryEntry[] = [];
    for (const [i, m] of (result?.sms ?? []).entries()) {
      const sent = await this.persister.whileBusy(() =>
        sendCaseSms({ caseId: this.input.caseId, userIds: m.userIds, text: m.text, idempotencyKey: `${workflowInfo().workflowId}/${node.id}#${visit}/sms${i}` }, this.input.smsTaskQueue),
      );
      texts.push(this.entry('sms_sent', { nodeId: node.id, comment: m.text, data: { ...sent } }));
    }
    this.completed.add(node.id);
    await this.persist({ history: [...texts, this.entry(node.send ? 'message_sent' : 'service_completed', { nodeId: node.id, comment: result?.note ?? null, data: { type: node.taskType, variables: result?.variables ?? {} } })] });
    return node.outgoing;
  }

  // ---------------------------------------------------------------- user tasks

  private async userTask(node: UserTaskNode): Promise<string[]> {
    const visit = (this.visits[node.id] = (this.visits[node.id] ?? 0) + 1);
    const activation: Activation = { id: `${node.id}#${visit}`, node, instances: [], queue: [], timedOut: null, approvals: 0, rejections: 0, closed: false };
    const context = this.feelContext();
    const dueAt = node.dueDate ? this.instant(literalOrFeel(node.dueDate, context), node.id) : null;
    if (node.multiInstance) {
      const collection = evaluateFeel(node.multiInstance.inputCollection, context);
      if (!Array.isArray(collection)) throw new Incident(`inputCollection of ${node.id} is not a list`);
      collection.forEach((element, i) => {
        const local = { ...context, [node.multiInstance!.inputElement]: element };
        activation.instances.push(this.newInstance(activation, node, i + 1, local, dueAt));
      });
    } else {
      activation.instances.push(this.newInstance(activation, node, 1, context, dueAt));
    }
    this.activations.push(activation);
    if (activation.instances.length === 0) {
      // An empty countersign list has nobody to object: it passes, as in Zeebe.
      this.vars.outcome = OUTCOME_APPROVE;
      this.pass(node, 'countersign_empty');
      activation.closed = true;
      return node.outgoing;
    }
    await this.openTasks(activation.instances, 'task_created');

    const timers = new CancellationScope({ cancellable: true });
    const gen = this.gen;
    void timers
      .run(() => this.boundaryTimers(activation))
      .catch(async (err: unknown) => {
        // Only the task ending first (its timers cancelled) is expected. A timer that cannot be
        // computed or a reminder that fails stops the case with an incident; before this patch
        // every failure was swallowed and the task waited for ever (recorded cases replay so).
        if (isCancellation(err) || gen.cancelled || this.finished) return;
        if (!patched(PATCH_BOUNDARY_TIMER_INCIDENT)) return;
        timers.cancel();
        await this.raiseIncident(err);
      });
    try {
      for (;;) {
        await condition(() => activation.queue.length > 0 || activation.timedOut !== null);
        if (activation.queue.length > 0) {
          const decision = activation.queue.shift()!;
          const leave = await this.applyDecision(activation, decision);
          decision.processed = true;
          if (leave) return leave;
          continue;
        }
        return await this.timeOut(activation, activation.timedOut!);
      }
    } finally {
      timers.cancel();
    }
  }

  private newInstance(activation: Activation, node: UserTaskNode, index: number, context: Record<string, unknown>, dueAt: string | null): Instance {
    const assignee = node.assignee ? literalOrFeel(node.assignee, context) : null;
    const users = node.candidateUsers.flatMap((u) => {
      const v = literalOrFeel(u, context);
      return Array.isArray(v) ? v.map(String) : v === null || v === undefined ? [] : [String(v)];
    });
    return {
      key: `${activation.id}.${index}`,
      nodeId: node.id,
      name: node.name,
      kind: 'user',
      index,
      candidateGroups: [...node.candidateGroups],
      candidateUsernames: users,
      candidateUserIds: [],
      assigneeUsername: assignee === null || assignee === undefined ? null : String(assignee),
      assigneeId: null,
      ownerId: null,
      outcomes: [...node.outcomes],
      dueAt,
      status: 'open',
      persisted: false,
      deciding: false,
      activation,
    };
  }

  /** Writes task rows and learns the user ids their usernames resolve to. */
  private async openTasks(instances: Instance[], kind: string, extra: Partial<HistoryEntry> = {}, more: Changes = {}): Promise<void> {
    const now = new Date().toISOString();
    const rows: NewTaskRow[] = instances.map((i) => ({
      key: i.key,
      nodeId: i.nodeId,
      name: i.name,
      kind: i.kind,
      assigneeUsername: i.assigneeUsername,
      assigneeId: i.assigneeId,
      candidateGroups: i.candidateGroups,
      candidateUsernames: i.candidateUsernames,
      outcomes: i.outcomes,
      dueAt: i.dueAt,
      createdAt: now,
    }));
    const history = instances.map((i) => this.entry(kind, { nodeId: i.nodeId, taskKey: i.key, ...extra, data: { assignee: i.assigneeUsername, candidateGroups: i.candidateGroups, candidateUsers: i.candidateUsernames, dueAt: i.dueAt } }));
    const result = await this.persist({ ...more, newTasks: rows, history: [...(more.history ?? []), ...history] });
    for (const i of instances) {
      if (i.assigneeId === null) i.assigneeId = result.assignees[i.key] ?? null;
      i.candidateUserIds = result.candidateUserIds[i.key] ?? [];
      i.persisted = true;
    }
  }

  /** Applies one queued decision; answers the flows to leave by once the task is done. */
  private async applyDecision(activation: Activation, d: QueuedDecision): Promise<string[] | null> {
    const inst = d.instance;
    inst.status = 'completed';
    inst.deciding = false;
    if (d.formData) Object.assign(this.vars, d.formData);
    const now = new Date().toISOString();
    const patch: TaskRowPatch = { key: inst.key, status: 'completed', completedAt: now, completedBy: d.actor.userId, outcome: d.outcome, comment: d.comment ?? null };
    const decided = this.entry('task_completed', {
      nodeId: inst.nodeId,
      taskKey: inst.key,
      actorId: d.actor.userId,
      actorName: d.actor.displayName,
      outcome: d.outcome,
      comment: d.comment ?? null,
      data: { ...(d.returnTo ? { returnTo: d.returnTo } : {}), ...(d.attachments?.length ? { attachments: d.attachments } : {}), ...(d.formData ? { formData: d.formData } : {}) },
    });

    if (inst.kind === 'supplement') {
      activation.closed = true;
      this.status = 'running';
      await this.persist({ taskPatches: [patch], history: [decided] });
      return [];
    }
    this.reviewerDecided = true;

    if (d.outcome === OUTCOME_RETURN) {
      await this.returnCase(activation, d, [patch], [decided]);
      return [];
    }
    if (d.outcome === OUTCOME_REJECT) activation.rejections++;
    else activation.approvals++;
    const node = activation.node!;
    const open = activation.instances.filter((i) => i.status === 'open');
    const mi = node.multiInstance;

    let verdict: 'approve' | 'reject' | 'pending' = 'pending';
    if (mi?.completionCondition) {
      const counters = {
        nrOfInstances: activation.instances.length,
        nrOfCompletedInstances: activation.instances.length - open.length,
        nrOfActiveInstances: open.length,
        nrOfApprovals: activation.approvals,
        nrOfRejections: activation.rejections,
      };
      if (feelCondition(mi.completionCondition, { ...this.feelContext(), ...counters })) verdict = 'approve';
      else if (open.length === 0) verdict = 'reject';
    } else if (d.outcome === OUTCOME_REJECT) {
      verdict = 'reject';
    } else if (open.length === 0) {
      verdict = 'approve';
    }
    if (verdict === 'pending') {
      await this.persist({ taskPatches: [patch], history: [decided] });
      return null;
    }

    // The task is decided: close what is still open (countersigners no longer needed).
    activation.closed = true;
    const cancelled = open.map((i) => this.closeInstance(i, 'cancelled'));
    const outcome = verdict === 'reject' ? OUTCOME_REJECT : mi ? OUTCOME_APPROVE : d.outcome;
    this.vars.outcome = outcome;
    this.completed.add(node.id);
    this.completedUserTasks.push(node.id);
    const summary = mi ? [this.entry('countersign_completed', { nodeId: node.id, outcome, data: { approvals: activation.approvals, rejections: activation.rejections, instances: activation.instances.length } })] : [];
    if (outcome === OUTCOME_REJECT) {
      // Added after cases had run: older histories replay without the SMS (patch id below).
      if (patched(PATCH_SMS_APPLICANT_ON_REJECT)) {
        const reason = d.comment ? `，理由：${d.comment}` : '';
        await this.notifyApplicant(`【物业监管平台】您的申请（案件${this.input.caseNumber}）经“${node.name}”审查不予通过${reason}。`, `${activation.id}/rejected`, node.id);
      }
      await this.finish('completed', 'rejected', this.entry('rejected', { nodeId: node.id, actorId: d.actor.userId, actorName: d.actor.displayName }), {
        taskPatches: [patch, ...cancelled],
        history: [decided, ...summary],
      });
      return [];
    }
    await this.persist({ taskPatches: [patch, ...cancelled], history: [decided, ...summary] });
    return node.outgoing;
  }

  private closeInstance(inst: Instance, status: TaskStatus): TaskRowPatch {
    inst.status = status;
    inst.activation.closed = inst.activation.instances.every((i) => i.status !== 'open');
    return { key: inst.key, status, completedAt: new Date().toISOString() };
  }

  private openInstances(): Instance[] {
    return this.activations.flatMap((a) => a.instances.filter((i) => i.status === 'open'));
  }

  /** 退回: every open task closes; a new generation starts at the target (or the applicant's 补正). */
  private async returnCase(activation: Activation, d: QueuedDecision, patches: TaskRowPatch[], history: HistoryEntry[]): Promise<void> {
    const target = d.returnTo!;
    const others = this.openInstances().map((i) => this.closeInstance(i, 'cancelled'));
    activation.closed = true;
    this.cancelGeneration();
    const returned = this.entry('returned', { nodeId: activation.node!.id, actorId: d.actor.userId, actorName: d.actor.displayName, comment: d.comment ?? null, data: { to: target } });
    this.newGeneration();
    if (target === RETURN_TO_APPLICANT) {
      this.status = 'supplement';
      const returningNodeId = activation.node!.id;
      this.spawn(returningNodeId, null, async (fiber) => {
        await this.supplement(fiber, returningNodeId);
        await this.walk(fiber, returningNodeId, null);
      });
    } else {
      this.spawn(target, null);
    }
    await this.persist({ taskPatches: [...patches, ...others], history: [...history, returned] });
    if (target === RETURN_TO_APPLICANT && patched(PATCH_SMS_APPLICANT_ON_RETURN)) {
      const reason = d.comment ? `：${d.comment}` : '';
      await this.notifyApplicant(`【物业监管平台】您的申请（案件${this.input.caseNumber}）已退回补正${reason}。请登录平台补充材料后重新提交。`, `${activation.id}/returned`, activation.node!.id);
    }
  }

  /** The applicant's supplement (补正) task; resolves when they supply the materials. */
  private async supplement(fiber: number, returningNodeId: string): Promise<void> {
    this.positions.set(fiber, returningNodeId);
    const n = ++this.supplements;
    const activation: Activation = { id: `supplement#${n}`, node: null, instances: [], queue: [], timedOut: null, approvals: 0, rejections: 0, closed: false, returningNodeId };
    activation.instances.push({
      key: `supplement#${n}.1`,
      nodeId: returningNodeId,
      name: '补正材料',
      kind: 'supplement',
      index: 1,
      candidateGroups: [],
      candidateUsernames: [],
      candidateUserIds: [],
      assigneeUsername: null,
      assigneeId: this.input.applicant.userId,
      ownerId: null,
      outcomes: ['supply'],
      dueAt: null,
      status: 'open',
      persisted: false,
      deciding: false,
      activation,
    });
    this.activations.push(activation);
    await this.openTasks(activation.instances, 'supplement_requested');
    await condition(() => activation.queue.length > 0);
    const decision = activation.queue.shift()!;
    await this.applyDecision(activation, decision);
    decision.processed = true;
  }

  /** Interrupting and non-interrupting timers attached to an active user task. */
  private async boundaryTimers(activation: Activation): Promise<void> {
    const node = activation.node!;
    const timers = node.boundaryIds.map((id) => this.graph.nodes[id]).filter((n): n is BoundaryTimerNode => n?.kind === 'boundaryTimer');
    await Promise.all(
      timers.map(async (timer) => {
        try {
          if (timer.interrupting) {
            await sleep(this.timerDelay(timer.timer));
            if (!activation.closed) activation.timedOut = timer;
            return;
          }
          const repeat = this.repetitions(timer.timer);
          for (let i = 0; (repeat.count === null || i < repeat.count) && !activation.closed; i++) {
            await sleep(repeat.intervalMs);
            if (activation.closed) return;
            await this.remind(activation, timer, i + 1);
          }
        } catch (err) {
          if (isCancellation(err)) throw err;
          // Names the timer for the incident (the caller decides whether it is raised).
          throw new Incident(`boundary timer ${timer.id} of ${node.id}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }),
    );
  }

  private async remind(activation: Activation, timer: BoundaryTimerNode, firing: number): Promise<void> {
    const open = activation.instances.filter((i) => i.status === 'open');
    const fired = this.entry('timer_fired', { nodeId: timer.id, data: { action: 'remind', attachedTo: activation.node!.id, firing } });
    const sms = await this.sms(open.map((i) => i.key), `【物业监管平台】案件${this.input.caseNumber}的“${activation.node!.name}”待您办理，请及时处理。`, `${timer.id}/${activation.id}/${firing}`);
    await this.persist({ history: [fired, this.entry('sms_sent', { nodeId: activation.node!.id, data: { ...sms } })] });
    // A reminder with outgoing flows also starts a parallel path (e.g. notify a supervisor).
    for (const flow of timer.outgoing) this.spawn(this.graph.flows[flow].target, flow);
  }

  private async timeOut(activation: Activation, timer: BoundaryTimerNode): Promise<string[]> {
    const node = activation.node!;
    activation.closed = true;
    const patches = activation.instances.filter((i) => i.status === 'open').map((i) => this.closeInstance(i, 'timed_out'));
    const fired = this.entry('timer_fired', { nodeId: timer.id, outcome: timer.autoOutcome, data: { action: timer.autoOutcome ? 'auto-decide' : 'escalate', attachedTo: node.id } });
    this.completed.add(timer.id);
    if (timer.autoOutcome) {
      this.reviewerDecided = true;
      this.vars.outcome = timer.autoOutcome;
      this.completed.add(node.id);
      this.completedUserTasks.push(node.id);
      if (timer.autoOutcome === OUTCOME_REJECT) {
        await this.finish('completed', 'rejected', this.entry('rejected', { nodeId: node.id }), { taskPatches: patches, history: [fired] });
        return [];
      }
    }
    await this.persist({ taskPatches: patches, history: [fired] });
    return timer.outgoing.length ? timer.outgoing : node.outgoing;
  }

  // ---------------------------------------------------------------- updates

  /** Validator of "decide": the task is open and held by the actor, the outcome is offered. */
  validateDecision(d: DecideRequest): void {
    const inst = this.openInstance(d.taskKey);
    this.mustHold(inst, d.actor);
    if (inst.ownerId !== null && inst.assigneeId === d.actor.userId) fail(CASE_FAILURES.notAllowed, 'a delegated task is resolved, not decided, by its delegate');
    if (!inst.outcomes.includes(d.outcome)) {
      fail(CASE_FAILURES.invalidDecision, `outcome "${d.outcome}" is not offered by this task (offered: ${inst.outcomes.join(', ')})`);
    }
    if (d.outcome === OUTCOME_RETURN) {
      if (!d.returnTo) fail(CASE_FAILURES.invalidDecision, 'a return names returnTo: an earlier step or "applicant"');
      if (d.returnTo !== RETURN_TO_APPLICANT && !this.completedUserTasks.includes(d.returnTo)) {
        fail(CASE_FAILURES.invalidDecision, `"${d.returnTo}" is not an earlier completed step of this case (completed: ${[...new Set(this.completedUserTasks)].join(', ') || 'none'})`);
      }
    }
  }

  async decide(d: DecideRequest): Promise<CaseSnapshot> {
    const inst = this.openInstance(d.taskKey);
    await condition(() => inst.persisted);
    this.validateDecision(d);
    if (inst.deciding) fail(CASE_FAILURES.taskNotOpen, 'this task already has a decision being recorded');
    inst.deciding = true;
    const queued: QueuedDecision = { ...d, instance: inst, processed: false };
    inst.activation.queue.push(queued);
    await condition(() => queued.processed && this.persister.idle);
    return this.snapshot();
  }

  validateCommand(c: TaskCommand): void {
    const inst = this.openInstance(c.taskKey);
    switch (c.kind) {
      case 'claim':
        if (inst.assigneeId !== null) fail(CASE_FAILURES.notAllowed, 'the task is already claimed');
        if (inst.persisted && !inst.candidateGroups.includes(c.actor.role) && !inst.candidateUserIds.includes(c.actor.userId)) fail(CASE_FAILURES.notHolder, 'you are not a candidate of this task');
        return;
      case 'unclaim':
        this.mustHold(inst, c.actor);
        if (inst.candidateGroups.length === 0 && inst.candidateUserIds.length === 0) fail(CASE_FAILURES.notAllowed, 'the task has no candidates to give it back to');
        return;
      case 'resolve':
        if (inst.ownerId === null || inst.assigneeId !== c.actor.userId) fail(CASE_FAILURES.notHolder, 'only the delegate of a delegated task resolves it');
        return;
      case 'remind':
        return;
      case 'transfer':
      case 'delegate':
      case 'addSigner':
        if (c.actor.role !== 'sysadmin' || c.kind !== 'transfer') this.mustHold(inst, c.actor);
        if (c.to.userId === inst.assigneeId) fail(CASE_FAILURES.notAllowed, `${c.to.displayName} already holds this task`);
        if (c.kind === 'addSigner' && inst.kind !== 'user') fail(CASE_FAILURES.notAllowed, 'signers are added to review tasks only');
        return;
      case 'copy':
        this.mustHold(inst, c.actor);
        return;
    }
  }

  /** Who may receive a task or a copy (separation of duties); the API applies the same rule. */
  validateRecipients(c: TaskCommand): void {
    if (c.kind !== 'transfer' && c.kind !== 'delegate' && c.kind !== 'addSigner' && c.kind !== 'copy') return;
    const inst = this.openInstance(c.taskKey);
    const parties = { scope: this.input.scope, applicantUserId: this.input.applicant.userId };
    for (const to of c.kind === 'copy' ? c.to : [c.to]) {
      if (to.role === undefined || to.organisationId === undefined) fail(CASE_FAILURES.notAllowed, `${to.displayName}: the recipient's role and organisation are required`);
      const recipient = { userId: to.userId, role: to.role, organisationId: to.organisationId, districtCode: to.districtCode ?? null, streetCode: to.streetCode ?? null };
      const problem = c.kind === 'copy' ? copyRecipientProblem(recipient, parties) : taskRecipientProblem(recipient, inst, parties);
      if (problem) fail(CASE_FAILURES.invalidRecipient, `${to.displayName} ${problem}`);
    }
  }

  async command(c: TaskCommand): Promise<CaseSnapshot> {
    const inst = this.openInstance(c.taskKey);
    await condition(() => inst.persisted);
    this.validateCommand(c);
    const now = new Date().toISOString();
    const by = { nodeId: inst.nodeId, taskKey: inst.key, actorId: c.actor.userId, actorName: c.actor.displayName, comment: c.comment ?? null };
    switch (c.kind) {
      case 'claim':
        inst.assigneeId = c.actor.userId;
        await this.persist({ taskPatches: [{ key: inst.key, assigneeId: inst.assigneeId, claimedAt: now }], history: [this.entry('claimed', by)] });
        break;
      case 'unclaim':
        inst.assigneeId = null;
        await this.persist({ taskPatches: [{ key: inst.key, assigneeId: null, claimedAt: null }], history: [this.entry('unclaimed', by)] });
        break;
      case 'transfer':
        inst.assigneeId = c.to.userId;
        inst.ownerId = null;
        await this.persist({ taskPatches: [{ key: inst.key, assigneeId: c.to.userId, ownerId: null, claimedAt: now }], history: [this.entry('transferred', { ...by, data: { to: c.to } })] });
        break;
      case 'delegate':
        inst.ownerId = inst.ownerId ?? inst.assigneeId;
        inst.assigneeId = c.to.userId;
        await this.persist({ taskPatches: [{ key: inst.key, assigneeId: c.to.userId, ownerId: inst.ownerId }], history: [this.entry('delegated', { ...by, data: { to: c.to } })] });
        break;
      case 'resolve':
        inst.assigneeId = inst.ownerId;
        inst.ownerId = null;
        await this.persist({ taskPatches: [{ key: inst.key, assigneeId: inst.assigneeId, ownerId: null }], history: [this.entry('resolved', by)] });
        break;
      case 'addSigner': {
        const activation = inst.activation;
        const added = { ...inst, key: `${activation.id}.${activation.instances.length + 1}`, index: activation.instances.length + 1, assigneeId: c.to.userId, assigneeUsername: c.to.username, ownerId: null, candidateGroups: [], candidateUsernames: [], candidateUserIds: [], outcomes: inst.outcomes.filter((o) => [OUTCOME_APPROVE, OUTCOME_REJECT, OUTCOME_RETURN].includes(o)), persisted: false, deciding: false, status: 'open' as const };
        activation.instances.push(added);
        await this.openTasks([added], 'signer_added', { actorId: c.actor.userId, actorName: c.actor.displayName, comment: c.comment ?? null });
        break;
      }
      case 'copy':
        await this.persist({ copies: { userIds: c.to.map((u) => u.userId), fromUserId: c.actor.userId, taskKey: inst.key, at: now }, history: [this.entry('copied', { ...by, data: { to: c.to } })] });
        break;
      case 'remind': {
        const sms = await this.sms([inst.key], `【物业监管平台】${c.actor.displayName}催办：案件${this.input.caseNumber}的“${inst.name}”请尽快办理。`, `remind/${inst.key}/${now}`);
        await this.persist({ history: [this.entry('reminded', by), this.entry('sms_sent', { nodeId: inst.nodeId, taskKey: inst.key, data: { ...sms } })] });
        break;
      }
    }
    await condition(() => this.persister.idle);
    return this.snapshot();
  }

  validateWithdraw(): void {
    this.mustBeOpen();
    if (!this.graph.options.withdrawable) fail(CASE_FAILURES.notAllowed, 'this process does not allow withdrawing');
    if (this.reviewerDecided) fail(CASE_FAILURES.notAllowed, 'a reviewer has already decided; the case can no longer be withdrawn');
  }

  async withdraw(actor: Actor, comment?: string): Promise<CaseSnapshot> {
    this.validateWithdraw();
    await this.finish('withdrawn', null, this.entry('withdrawn', { actorId: actor.userId, actorName: actor.displayName, comment: comment ?? null }));
    return this.snapshot();
  }

  async terminate(actor: Actor, comment?: string): Promise<CaseSnapshot> {
    this.mustBeOpen(true);
    await this.finish('terminated', null, this.entry('terminated', { actorId: actor.userId, actorName: actor.displayName, comment: comment ?? null }));
    return this.snapshot();
  }

  async deliverMessage(m: MessageDelivery): Promise<CaseSnapshot> {
    this.mustBeOpen();
    this.mailbox.push({ name: m.name, variables: m.variables ?? {}, consumed: false });
    await this.persist({ history: [this.entry('message_received', { actorId: m.actor?.userId ?? null, actorName: m.actor?.displayName ?? null, data: { message: m.name, variables: m.variables ?? {} } })] });
    await condition(() => this.persister.idle);
    return this.snapshot();
  }

  mustBeOpen(allowIncident = false): void {
    if (this.finished || (this.status === 'incident' && !allowIncident)) fail(CASE_FAILURES.caseClosed, `the case is ${this.status}`);
  }

  private openInstance(key: string): Instance {
    this.mustBeOpen();
    const inst = this.activations.flatMap((a) => a.instances).find((i) => i.key === key);
    if (!inst || inst.status !== 'open') fail(CASE_FAILURES.taskNotOpen, `task ${key} is not open`);
    return inst;
  }

  /**
   * Validators run before the task row's user ids are known (the row is still being written);
   * they pass then, and the handler checks again once it is written.
   */
  private mustHold(inst: Instance, actor: Actor): void {
    if (!inst.persisted) return;
    if (inst.assigneeId === null) fail(CASE_FAILURES.notHolder, 'claim the task first');
    if (inst.assigneeId !== actor.userId) fail(CASE_FAILURES.notHolder, 'you do not hold this task');
  }

  // ---------------------------------------------------------------- ending

  /** Ends the case: open tasks close, every token stops, the final status is written. */
  private async finish(status: CaseStatus, result: string | null, entry: HistoryEntry, more: Changes = {}): Promise<void> {
    if (this.finished) return;
    const closing = this.openInstances().map((i) => this.closeInstance(i, 'cancelled'));
    for (const a of this.activations) a.closed = true;
    this.status = status;
    this.result = result;
    this.cancelGeneration();
    upsertSearchAttributes([{ key: CASE_STATUS, value: status }]);
    await this.persist({
      ...more,
      taskPatches: [...(more.taskPatches ?? []), ...closing],
      history: [...(more.history ?? []), entry],
      caseRow: { status, result, endedAt: new Date().toISOString() },
    });
    this.finished = true;
  }

  private async raiseIncident(err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    this.status = 'incident';
    this.incident = message;
    upsertSearchAttributes([{ key: CASE_STATUS, value: 'incident' }]);
    await this.persist({ history: [this.entry('incident', { comment: message.slice(0, 2000) })], caseRow: { status: 'incident' } });
  }

  // ---------------------------------------------------------------- helpers

  private async persist(changes: Changes) {
    return this.persister.write(changes);
  }

  private entry(kind: string, fields: Partial<HistoryEntry> = {}): HistoryEntry {
    return { seq: this.persister.nextSeq(), at: new Date().toISOString(), kind, ...fields };
  }

  /** Texts the applicant (the user who started the case) and records it in the history. */
  private async notifyApplicant(text: string, key: string, nodeId: string): Promise<void> {
    const sent = await this.persister.whileBusy(() =>
      sendCaseSms({ caseId: this.input.caseId, userIds: [this.input.applicant.userId], text, idempotencyKey: `${workflowInfo().workflowId}/${key}` }, this.input.smsTaskQueue),
    );
    await this.persist({ history: [this.entry('sms_sent', { nodeId, comment: text, data: { ...sent } })] });
  }

  private sms(taskKeys: string[], text: string, key: string) {
    return this.persister.whileBusy(() =>
      sendCaseSms({ caseId: this.input.caseId, userIds: [], holdersOfTaskKeys: taskKeys, text, idempotencyKey: `${workflowInfo().workflowId}/${key}` }, this.input.smsTaskQueue),
    );
  }

  private feelContext(): Record<string, unknown> {
    return {
      ...this.vars,
      caseNumber: this.input.caseNumber,
      processKey: this.input.processKey,
      districtCode: this.input.scope.districtCode,
      streetCode: this.input.scope.streetCode,
      applicantOrganisationId: this.input.scope.organisationId,
    };
  }

  private timerDelay(timer: TimerSpec): number {
    const value = literalOrFeel(timer.value, this.feelContext());
    const text = String(value ?? '');
    if (timer.kind === 'date') {
      const at = dateMs(text);
      if (at === null) throw new Incident(`timer date "${text}" is not an ISO date`);
      return Math.max(0, at - Date.now());
    }
    const ms = timer.kind === 'cycle' ? cycle(text)?.intervalMs ?? null : durationMs(text);
    if (ms === null || ms < 0) throw new Incident(`timer "${text}" is not a duration`);
    return ms;
  }

  private repetitions(timer: TimerSpec): { count: number | null; intervalMs: number } {
    if (timer.kind !== 'cycle') return { count: 1, intervalMs: this.timerDelay(timer) };
    const c = cycle(String(literalOrFeel(timer.value, this.feelContext()) ?? ''));
    if (!c) throw new Incident(`timer cycle "${timer.value}" is not an ISO repeating interval`);
    return { count: c.repetitions, intervalMs: c.intervalMs };
  }

  private instant(value: unknown, nodeId: string): string {
    const at = instantFrom(value, Date.now());
    if (at === null) throw new Incident(`due date of ${nodeId} ("${String(value)}") is neither a date nor a duration`);
    return new Date(at).toISOString();
  }

  private rowSnapshot() {
    const open = this.openInstances();
    return {
      currentSteps: [...new Set(open.map((i) => i.name))].join('、').slice(0, 255),
      activeNodes: this.activeNodes(),
      variables: this.vars,
      status: this.finished ? undefined : this.status,
    };
  }

  private activeNodes(): string[] {
    return [...new Set([...this.openInstances().map((i) => i.nodeId), ...this.positions.values()])];
  }

  snapshot(): CaseSnapshot {
    return {
      status: this.status,
      result: this.result,
      openTasks: this.openInstances().map(
        (i): LiveTask => ({
          key: i.key,
          nodeId: i.nodeId,
          name: i.name,
          kind: i.kind,
          assigneeId: i.assigneeId,
          ownerId: i.ownerId,
          candidateGroups: i.candidateGroups,
          candidateUserIds: i.candidateUserIds,
          outcomes: i.outcomes,
          dueAt: i.dueAt,
        }),
      ),
      activeNodes: this.finished ? [] : this.activeNodes(),
      completedNodes: [...this.completed],
      waiting: [...this.waiting.values()],
      variables: this.vars,
      incident: this.incident,
    };
  }
}

function fail(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}
