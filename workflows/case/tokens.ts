import { CancellationScope, isCancellation } from '@temporalio/workflow';
import type { GraphNode, ProcessGraph } from '../../lib/bpmn/graph';
import type { Waiting } from './contract';
import { Incident } from './errors';

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

/** What the tokens need from the rest of the engine. */
export interface TokenHooks {
  /** Runs one node; answers the flows to leave it by (none: the token ends here). */
  execute(fiber: number, node: GraphNode, via: string | null): Promise<string[]>;
  /** The case has ended: no token starts any more. */
  caseClosed(): boolean;
  /** The last token of the current generation ended on its own. */
  allEnded(): void;
  /** A token failed (not by cancellation): the case stops with an incident. */
  failed(err: unknown): Promise<void>;
}

/**
 * The tokens of a case. Each token is a "fiber": an async function that walks the graph from
 * node to node inside the current generation's cancellation scope. A parallel gateway forks
 * tokens and joins them here; where each token is (and what it waits for) feeds the snapshot.
 */
export class Tokens {
  private readonly root = CancellationScope.current();
  /** Made by newGeneration() before the first token starts. */
  private gen!: Generation;
  private generations = 0;
  private fibers = 0;
  /** The node each live token is at. */
  readonly positions = new Map<number, string>();
  /** The timer or message each waiting token waits for. */
  readonly waiting = new Map<number, Waiting>();
  /** Parallel joins of this generation: node id → incoming flow → tokens arrived. */
  private joins: Record<string, Record<string, number>> = {};

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

  /** Starts a token at a node (reached over `viaFlow`), or with a custom body. */
  spawn(nodeId: string, viaFlow: string | null, body?: (fiber: number) => Promise<void>): void {
    const gen = this.gen;
    if (gen.cancelled || this.hooks.caseClosed()) return;
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
          await this.hooks.failed(err);
        },
      );
  }

  private tokenDone(gen: Generation, fiber: number): void {
    this.positions.delete(fiber);
    this.waiting.delete(fiber);
    gen.tokens--;
    if (gen === this.gen && !gen.cancelled && gen.tokens === 0) this.hooks.allEnded();
  }

  /** Moves one token through the graph until it ends, joins or its generation is cancelled. */
  async walk(fiber: number, startId: string, startVia: string | null): Promise<void> {
    let nodeId = startId;
    let via = startVia;
    for (;;) {
      const node = this.graph.nodes[nodeId];
      if (!node) throw new Incident(`the graph has no node ${nodeId}`);
      this.positions.set(fiber, nodeId);
      const next = await this.hooks.execute(fiber, node, via);
      if (this.gen.cancelled && next.length) return;
      if (next.length === 0) return;
      for (const flow of next.slice(1)) this.spawn(this.graph.flows[flow].target, flow);
      via = next[0];
      nodeId = this.graph.flows[via].target;
    }
  }
}
