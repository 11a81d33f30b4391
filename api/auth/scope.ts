// The scope clause is built where the SQL lives (db/scope.ts); routes that still build their own
// queries (cases, tasks) import it from here.
export { whereInScope, type ScopeColumns } from '../../db/scope';
