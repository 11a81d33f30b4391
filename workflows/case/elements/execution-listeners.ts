import type { GraphNode } from '../../../lib/bpmn/graph';
import type { CaseContext } from '../context';
import { serviceTask } from './service-task';

/**
 * Execution listeners, as Zeebe runs them: each listener's job (a platform activity, or an
 * external job for a job worker) is done in order — the start listeners before the element's
 * own work, the end listeners after it has completed (not when it is interrupted). A listener
 * job's variables reach the case like a service task's; one that fails stops the case at an
 * incident on the element.
 */
export async function withListeners(ctx: CaseContext, node: GraphNode, fiber: number, run: () => Promise<string[]> | string[]): Promise<string[]> {
  const listeners = node.listeners ?? [];
  for (const l of listeners) if (l.eventType === 'start') await serviceTask(ctx, l.job, fiber);
  const flows = await run();
  for (const l of listeners) if (l.eventType === 'end') await serviceTask(ctx, l.job, fiber);
  return flows;
}
