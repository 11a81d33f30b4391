import type { Knex } from 'knex';
import { approvalActor, RegistryError } from '../registries/actor';
import { enterprises } from '../registries/enterprises';
import { getRecord, saveRecord, snapshotOf } from '../registries/store';

/**
 * Qualification change (资质变更, 000 主要功能 6.2): the enterprise's name, address or legal
 * representative changed, and the approval writes the new values into the registry. Goes through
 * the registry model layer (history names the case, the record stays approved) and the same
 * ledger as db/registries/approvals.ts (registry_case_writes), so it applies once per case.
 */
export interface EnterpriseDetails {
  name?: string | null;
  address?: string | null;
  legal_representative?: string | null;
}

export async function applyEnterpriseDetailsChange(db: Knex, input: { caseRef: string; enterpriseId: number; details: EnterpriseDetails }): Promise<{ applied: boolean }> {
  const changes = Object.fromEntries(
    Object.entries(input.details)
      .filter(([, v]) => typeof v === 'string' && v.trim() !== '')
      .map(([k, v]) => [k, (v as string).trim()]),
  );
  if (Object.keys(changes).length === 0) return { applied: false };
  return db.transaction(async (trx) => {
    const action = 'enterprise.details';
    if (await trx('registry_case_writes').where({ case_ref: input.caseRef, action }).first('entity_id')) return { applied: false };
    const record = await getRecord(trx, enterprises, { kind: 'city' }, input.enterpriseId, { forUpdate: true });
    if (!record) throw new RegistryError('not_found', `enterprise ${input.enterpriseId} not found`);
    const body = snapshotOf(enterprises, record);
    delete body.approved;
    for (const f of enterprises.fields) if (f.derived) delete body[f.name];
    await saveRecord(trx, enterprises, approvalActor(input.caseRef), input.enterpriseId, { ...body, ...changes }, { action: 'approval', approve: true });
    await trx('registry_case_writes').insert({ case_ref: input.caseRef, action, entity: 'enterprise', entity_id: input.enterpriseId });
    return { applied: true };
  });
}
