import { CancellationScope, isCancellation } from '@temporalio/workflow';
import type { GraphNode, ProcessGraph } from '../../lib/bpmn/graph';
import type { Waiting } from './contract';
import { BpmnError, EscalationThrown, Incident } from './errors';

/**
 * A generation is the set of tokens started together: the case's start, or the restart after a
 * return (退回). Cancelling it stops every token in one go; a new one starts at the target.
 */
interface Generation {
  id: number;
  scope: CancellationScope;
  tokens: number;
  cancelled: boolean;
}

/** The tokens inside one run of an embedded sub-process: it completes when none is left. */
export interface TokenGroup {
  live: number;
  /** The sub-process this is a run of, and the group its own token is in (none: the process level). */
  subProcessId?: string;
  parent?: TokenGroup;
  /** Its tokens run in this scope: a BPMN error nobody inside catches cancels them all. */
  scope?: CancellationScope;
  /** The error that ended the group, for the sub-process to throw on. */
  error?: BpmnError;
}

/** What the tokens need from the rest of the engine. */
export interface TokenHooks {
  /** An error event sub-process takes a BPMN error nothing else caught (it interrupts the case); false: none does. */
  catchByEventSub?(err: BpmnError): boolean;
  /** Runs one node; answers the flows to leave it by (none: the token ends here). */
  execute(fiber: number, node: GraphNode, via: string | null): Promise<string[]>;
  /** The case has ended: no token starts any more. */
  caseClosed(): boolean;
  /** The last token of the current generation ended on its own. */
  allEnded(): void;
  /** A token failed (not by cancellation): the case stops with an incident. */
  failed(err: unknown): Promise<void>;
  /**
   * Whether a token that failed at a node stays there, waiting for an operator (stoppedAt),
   * rather than ending. False on histories recorded before that (patch incident-hold).
   */
  holdAtIncident(): boolean;
  /** The token failed at `node`: raise the incident and wait until a retry asks to run it again. */
  stoppedAt(fiber: number, node: GraphNode, err: unknown): Promise<void>;
  /** The flows of the error boundary event on `node` that catches `err`, or null. */
  catchError(node: GraphNode, err: BpmnError): string[] | null;
  /** An error that left the process level: a called case ends with it (true); otherwise it is an incident. */
  endWithError(err: BpmnError): boolean;
}

/**
 * The tokens of a case. Each token is a "fiber": an async function that walks the graph from
 * node to node inside the current generation's cancellation scope. A parallel gateway forks
 * tokens and joins them here; where each token is (and what it waits for) feeds the snapshot.
 */
export class Tokens {
  private readonly root = CancellationScope.current();
  /** Sub-processes an interrupting timer boundary cancelled (activity-timers.ts): their runs' tokens ended as done. */
  private readonly interrupted = new Set<string>();
  /** Made by newGeneration() before the first token starts. */
  private gen!: Generation;
  private generations = 0;
  private fibers = 0;
  /** The node each live token is at. */
  readonly positions = new Map<number, string>();
  /** The timer or message each waiting token waits for. */
  readonly waiting = new Map<number, Waiting>();
  /** The sub-process run each live token inside one belongs to. */
  private readonly groups = new Map<number, TokenGroup>();
  /** Parallel joins of this generation: node id → incoming flow → tokens arrived. */
  private joins: Record<string, Record<string, number>> = {};
  /** Inclusive joins of this generation: how many times each has fired (a loop may reach it again). */
  private inclusiveJoins: Record<string, { fired: number }> = {};

  constructor(
    private readonly graph: ProcessGraph,
    private readonly hooks: TokenHooks,
  ) {}

  get current(): Generation {
    return this.gen;
  }

  newGeneration(): Generation {
    this.gen = { id: ++this.generations, scope: new CancellationScope({ cancellable: true, parent: this.root }), tokens: 0, cancelled: false };
    this.joins = {};
    this.inclusiveJoins = {};
    return this.gen;
  }

  cancelGeneration(): void {
    this.gen.cancelled = true;
    this.gen.scope.cancel();
    this.positions.clear();
    this.waiting.clear();
  }

  /** Tokens that arrived at a joining parallel gateway in this generation, by incoming flow. */
  arrivals(nodeId: string): Record<string, number> {
    return (this.joins[nodeId] ??= {});
  }

  /** The state of an inclusive join in this generation. */
  inclusiveJoin(nodeId: string): { fired: number } {
    return (this.inclusiveJoins[nodeId] ??= { fired: 0 });
  }

  /**
   * Starts a token at a node (reached over `viaFlow`), or with a custom body. A token inside a
   * sub-process counts in its group, and so do the tokens it forks.
   */
  spawn(nodeId: string, viaFlow: string | null, body?: (fiber: number) => Promise<void>, group?: TokenGroup): void {
    const gen = this.gen;
    if (gen.cancelled || this.hooks.caseClosed()) return;
    const fiber = ++this.fibers;
    gen.tokens++;
    if (group) {
      group.live++;
      this.groups.set(fiber, group);
    }
    (group?.scope ?? gen.scope)
      .run(() => (body ? body(fiber) : this.walk(fiber, nodeId, viaFlow, group)))
      .then(
        () => {
          if (group) group.live--;
          this.tokenDone(gen, fiber);
        },
        async (err: unknown) => {
          if (group) group.live--;
          this.groups.delete(fiber);
          // Ended by a BPMN error in its sub-process, not by the generation's end: it counts as done.
          if (group?.error && isCancellation(err) && !gen.cancelled) return this.tokenDone(gen, fiber);
          // Ended by an interrupting timer on its sub-process (or one around it): done as well.
          if (group && isCancellation(err) && !gen.cancelled && this.inInterruptedRun(group)) return this.tokenDone(gen, fiber);
          this.positions.delete(fiber);
          this.waiting.delete(fiber);
          if (isCancellation(err) || gen.cancelled) return;
          await this.hooks.failed(err);
        },
      );
  }

  /**
   * A timer boundary on `subProcessId` is about to cancel its runs. Kept for the case's life: a
   * cancellation of a run of it is only ever this, an uncaught BPMN error (group.error) or the
   * generation's end (gen.cancelled), which are told apart before it is asked.
   */
  interruptRuns(subProcessId: string): void {
    this.interrupted.add(subProcessId);
  }

  private inInterruptedRun(group: TokenGroup): boolean {
    for (let g: TokenGroup | undefined = group; g; g = g.parent) if (g.subProcessId && this.interrupted.has(g.subProcessId)) return true;
    return false;
  }

  /** The sub-process run a token is in (undefined at the process level). */
  groupOf(fiber: number): TokenGroup | undefined {
    return this.groups.get(fiber);
  }

  /**
   * Starts a token at `nodeId` beside the run of the sub-process `subProcessId` that the token
   * `fiber` is inside (in the group that run's own token is in): a non-interrupting boundary's.
   */
  spawnBeside(fiber: number, subProcessId: string, nodeId: string): void {
    let group = this.groups.get(fiber);
    while (group && group.subProcessId !== subProcessId) group = group.parent;
    if (!group) throw new Incident(`token ${fiber} is not inside the sub-process ${subProcessId}`);
    this.spawn(nodeId, null, undefined, group.parent);
  }

  private tokenDone(gen: Generation, fiber: number): void {
    this.groups.delete(fiber);
    this.positions.delete(fiber);
    this.waiting.delete(fiber);
    gen.tokens--;
    if (gen === this.gen && !gen.cancelled && gen.tokens === 0) this.hooks.allEnded();
  }

  /** Moves one token through the graph until it ends, joins or its generation is cancelled. */
  async walk(fiber: number, startId: string, startVia: string | null, group?: TokenGroup): Promise<void> {
    let nodeId = startId;
    let via = startVia;
    for (;;) {
      const node = this.graph.nodes[nodeId];
      if (!node) throw new Incident(`the graph has no node ${nodeId}`);
      this.positions.set(fiber, nodeId);
      let next: string[];
      try {
        next = await this.hooks.execute(fiber, node, via);
      } catch (err) {
        if (isCancellation(err) || this.gen.cancelled) throw err;
        // A BPMN error leaves by the error boundary that catches it; else it ends the sub-process
        // the token is in (which throws it on), or the called case (its caller catches it).
        const caught = err instanceof BpmnError ? this.hooks.catchError(node, err) : null;
        if (caught) {
          next = caught;
        } else {
          if (err instanceof BpmnError && group?.scope) {
            group.error ??= err;
            group.scope.cancel();
            return;
          }
          // An error event sub-process of the case takes it before it leaves a called case (Zeebe's order).
          if (err instanceof BpmnError && !(err instanceof EscalationThrown) && this.hooks.catchByEventSub?.(err)) return;
          if (err instanceof BpmnError && this.hooks.endWithError(err)) return;
          // A step that cannot go on keeps its token here (Camunda's incident): a retry runs the
          // node again, a move or the case's end cancels the wait. Cancellation is not a failure.
          if (!this.hooks.holdAtIncident()) throw err;
          await this.hooks.stoppedAt(fiber, node, err);
          continue;
        }
      }
      if (this.gen.cancelled && next.length) return;
      if (next.length === 0) return;
      for (const flow of next.slice(1)) this.spawn(this.graph.flows[flow].target, flow, undefined, group);
      via = next[0];
      nodeId = this.graph.flows[via].target;
    }
  }
}
