import type { Knex } from 'knex';

/**
 * What the approvals' automatic checks and documents read from the base registries (tables
 * enterprises, enterprise_staff, property_projects, owners_committees, credit_events): is the
 * applicant registered, does the project lie in the case's street, is the event a pending
 * deduction. Read-only and unscoped (a worker acts for the bureau); every write into these
 * tables goes through the registry model layer (db/registries/approvals.ts), once per case.
 */
type Db = Knex | Knex.Transaction;

export interface EnterpriseRow {
  id: number;
  name: string;
  credit_code: string;
  kind: string;
  legal_representative: string;
  address: string | null;
  out_of_town: number | boolean;
  qualification_level: string;
  qualification_certificate_no: string | null;
  qualification_valid_until: Date | string | null;
  registered_capital: string | null;
  district_code: string;
  employees: number | null;
}

export async function enterpriseOf(db: Db, id: number): Promise<EnterpriseRow | undefined> {
  return (await db('enterprises').where('id', id).first()) as EnterpriseRow | undefined;
}

/**
 * The enterprise's active staff flagged as registered at another enterprise too (人员重复挂职).
 * `person` is the blind index of the ID number (db/registries/pii.ts): the number itself is
 * encrypted and a case needs only to know who is the same person.
 */
export async function doublyRegisteredStaff(db: Db, enterpriseId: number): Promise<Array<{ name: string; role: string; person: string }>> {
  return (await db('enterprise_staff as s').where({ 's.enterprise_id': enterpriseId, 's.active': true, 's.duplicate_registration': true }).select('s.name', 's.role', 's.id_number_bidx as person').orderBy('s.id')) as Array<{
    name: string;
    role: string;
    person: string;
  }>;
}

/** Names of the other enterprises where a person (by the blind index of the ID number) is active staff. */
export async function otherEmployersOf(db: Db, person: string, exceptEnterpriseId: number): Promise<string[]> {
  return (await db('enterprise_staff as s').join('enterprises as e', 'e.id', 's.enterprise_id').where({ 's.id_number_bidx': person, 's.active': true }).whereNot('s.enterprise_id', exceptEnterpriseId).pluck('e.name')) as string[];
}

/** The project's registry row (every column: contract filing compares several of them). */
export async function projectOf(db: Db, id: number): Promise<Record<string, unknown> | undefined> {
  return (await db('property_projects').where('id', id).first()) as Record<string, unknown> | undefined;
}

/** Whether the enterprise manages a project in a district (a tender's district condition). */
export async function managesProjectIn(db: Db, enterpriseId: number, districtCode: string): Promise<boolean> {
  return Boolean(await db('property_projects').where({ enterprise_id: enterpriseId, district_code: districtCode }).first('id'));
}

export async function committeeOf(db: Db, id: number): Promise<Record<string, unknown> | undefined> {
  return (await db('owners_committees').where('id', id).first()) as Record<string, unknown> | undefined;
}

/** Whether the project already has a committee that is not dissolved (one per project). */
export async function projectHasLiveCommittee(db: Db, projectId: number): Promise<boolean> {
  return Boolean(await db('owners_committees').where('project_id', projectId).whereNot('status', 'dissolved').first('id'));
}

export interface CreditEventRow {
  id: number;
  enterprise_id: number;
  status: string;
  points: string | number;
  category: string;
  description: string;
  occurred_on: Date | string;
}

export async function creditEventOf(db: Db, id: number): Promise<CreditEventRow | undefined> {
  return (await db('credit_events').where('id', id).first()) as CreditEventRow | undefined;
}
