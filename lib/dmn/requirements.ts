/**
 * Cycles among decisions' information requirements, as the decision ids along each (a decision
 * requiring itself is a cycle of one); decisions that require each other show in at least one cycle.
 * Camunda refuses such a file: no decision in a cycle could ever be evaluated. Requirements naming
 * unknown decisions are ignored here (the reader reports them apart).
 */
export function findCycles(decisions: Array<{ id: string; requiredDecisions: string[] }>): string[][] {
  const required = new Map(decisions.map((d) => [d.id, d.requiredDecisions]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const cycles: string[][] = [];
  const seen = new Set<string>();

  const visit = (id: string): void => {
    state.set(id, 'visiting');
    path.push(id);
    for (const next of required.get(id) ?? []) {
      if (!required.has(next)) continue;
      if (state.get(next) === 'visiting') {
        const cycle = path.slice(path.indexOf(next));
        // A cycle reached again along another path is reported once.
        const key = [...cycle].sort().join('\u0000');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    path.pop();
    state.set(id, 'done');
  };

  for (const d of decisions) if (!state.has(d.id)) visit(d.id);
  return cycles;
}
