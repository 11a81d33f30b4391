import { CancellationScope } from '@temporalio/workflow';

/**
 * Local variable scopes, as Zeebe nests them: an embedded sub-process's input mappings, and each
 * instance of a multi-instance sub-process (its inputElement and loopCounter), hold variables
 * that the elements inside it see and that nothing outside sees.
 *
 * A scope belongs to the Temporal cancellation scope its tokens run in (sub-process.ts starts
 * them in one of their own), so every element handler finds its variables through
 * `CancellationScope.current()` — the token's own scope or one nested in it — without being told
 * which token it runs for. Cases without such sub-processes register no scope: reads and writes
 * then touch the case variables alone, exactly as before scopes existed.
 */
const LOCALS = new WeakMap<CancellationScope, Record<string, unknown>>();

/** Makes `locals` the variables of the tokens running in `scope` (and in scopes nested in it). */
export function bindLocals(scope: CancellationScope, locals: Record<string, unknown>): void {
  LOCALS.set(scope, locals);
}

/** The local scopes around the running code, innermost first. */
export function currentLocals(): Array<Record<string, unknown>> {
  const found: Array<Record<string, unknown>> = [];
  for (let scope: CancellationScope | undefined = CancellationScope.current(); scope; scope = scope.parent) {
    const locals = LOCALS.get(scope);
    if (locals) found.push(locals);
  }
  return found;
}

/** What the running code sees: the case variables, overlaid by the local scopes, innermost last. */
export function visibleVariables(vars: Record<string, unknown>): Record<string, unknown> {
  const scopes = currentLocals();
  if (scopes.length === 0) return vars;
  return Object.assign({}, vars, ...scopes.reverse());
}

/**
 * Writes variables as Zeebe propagates them: each to the innermost local scope that already
 * holds the name, else to the case variables.
 */
export function assignVariables(vars: Record<string, unknown>, values: Record<string, unknown>): void {
  const scopes = currentLocals();
  for (const [name, value] of Object.entries(values)) {
    const local = scopes.find((s) => Object.prototype.hasOwnProperty.call(s, name));
    (local ?? vars)[name] = value;
  }
}
