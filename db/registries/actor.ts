import type { Role, Scope } from '../../lib/roles';

/**
 * Who writes a registry record: a signed-in user (through the API or an import) or an approval
 * case (through the functions in approvals.ts). The history names either.
 */
export interface Actor {
  userId: number | null;
  username: string | null;
  /** null for an approval: its right to write was decided by the process, not by a role. */
  role: Role | null;
  organisationId: number | null;
  scope: Scope;
  caseRef?: string | null;
  requestId?: string | null;
}

export function approvalActor(caseRef: string): Actor {
  return { userId: null, username: `approval:${caseRef}`.slice(0, 64), role: null, organisationId: null, scope: { kind: 'city' }, caseRef };
}

/** City-level staff (and approvals) may write any registry field anywhere. */
export const isCityWide = (actor: Actor) => actor.scope.kind === 'city';

export class RegistryError extends Error {
  constructor(
    readonly kind: 'forbidden' | 'not_found' | 'conflict' | 'invalid',
    message: string,
    readonly field?: string,
    /** For not_found: the record exists but lies outside the actor's scope (logged as denied). */
    readonly outOfScope?: { type: string; id: number },
  ) {
    super(message);
  }
}
