import { CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { CaseActivities } from '../../activities/cases';
import type { CaseRowPatch, CaseScope, ChangeBatch, ChangeBatchResult, HistoryEntry } from '../../lib/cases/changes';

const { applyCaseChanges } = proxyActivities<CaseActivities>({
  // A batch takes milliseconds; a worker that died mid-batch is noticed after this long.
  startToCloseTimeout: '15 seconds',
  // A database outage must not lose a case: retry until MySQL is back.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

export type Changes = Omit<ChangeBatch, 'caseId' | 'scope'>;

/**
 * The workflow's single writer to MySQL. Batches are applied one after another (so the case row
 * always ends with the latest state and history rows arrive in order), never cancelled half way
 * (a return or a withdrawal must not leave a write undone), and counted, so that an update can
 * answer only once the case has settled (`idle`).
 */
export class Persister {
  private seq = 0;
  private busy = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private buffered: HistoryEntry[] = [];

  constructor(
    private readonly caseId: number,
    private readonly scope: CaseScope,
    private readonly snapshot: () => CaseRowPatch,
  ) {}

  /** The next history sequence number: the idempotency key of a history row. */
  nextSeq(): number {
    return ++this.seq;
  }

  get idle(): boolean {
    return this.busy === 0;
  }

  /** History of a step with no write of its own (a gateway passed), sent with the next batch. */
  buffer(entry: HistoryEntry): void {
    this.buffered.push(entry);
  }

  async write(changes: Changes): Promise<ChangeBatchResult> {
    const run = () => {
      const history = [...this.buffered, ...(changes.history ?? [])];
      this.buffered = [];
      const batch: ChangeBatch = { caseId: this.caseId, scope: this.scope, ...changes, history, caseRow: { ...this.snapshot(), ...changes.caseRow } };
      return CancellationScope.nonCancellable(() => applyCaseChanges(batch));
    };
    const pending = this.chain.then(run);
    this.chain = pending.catch(() => undefined);
    return this.whileBusy(() => pending);
  }

  async whileBusy<T>(work: () => Promise<T>): Promise<T> {
    this.busy++;
    try {
      return await work();
    } finally {
      this.busy--;
    }
  }
}
