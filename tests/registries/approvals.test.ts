import type { Knex } from 'knex';
import { applyFinalCreditChange, recordFiledContract, recordTenderAward, saveCommitteeFromApproval, setEnterpriseQualification } from '../../db/registries/approvals';
import { freshTestDatabase } from '../helpers/db';

/** The model-layer writes the approvals will call: each applies once per case, however often it is retried. */
describe('registry writes for approvals', () => {
  let db: Knex;
  const orgId = async (code: string) => ((await db('organisations').where('code', code).first('id')) as { id: number }).id;
  const changesOf = (caseRef: string) => db('registry_changes').where('case_ref', caseRef).select('entity', 'entity_id', 'action', 'changed_fields');
  let shishan: number;

  beforeAll(async () => {
    ({ db } = await freshTestDatabase());
    shishan = await orgId('ENT-91320505MA1SHISHAN');
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('sets an enterprise’s qualification once, approved, with history naming the case', async () => {
    const input = { caseRef: 'QUAL-2026-000001', enterpriseId: shishan, level: 'level_1' as const, certificateNo: '苏物资2026A001', validUntil: '2031-06-30' };
    await db('enterprises').where('id', shishan).update({ approved: 0 });
    const first = await setEnterpriseQualification(db, input);
    const again = await setEnterpriseQualification(db, input);
    expect(first).toEqual({ applied: true, entityId: shishan });
    expect(again).toEqual({ applied: false, entityId: shishan });
    const row = await db('enterprises').where('id', shishan).first();
    expect(row).toMatchObject({ qualification_level: 'level_1', qualification_certificate_no: '苏物资2026A001', approved: 1 });
    expect(row.qualification_valid_until.toISOString().slice(0, 10)).toBe('2031-06-30');
    const changes = await changesOf(input.caseRef);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ entity: 'enterprise', entity_id: shishan, action: 'approval' });
    expect(JSON.parse(changes[0].changed_fields)).toEqual(expect.arrayContaining(['qualification_level', 'qualification_valid_until', 'approved']));
  });

  it('records a filed contract against a project, makes the enterprise its manager and applies verified corrections, once', async () => {
    const project = (await db('property_projects').where('code', 'XM3205050010').first()) as { id: number; households: number };
    const input = {
      caseRef: 'HT-2026-000007',
      projectId: project.id,
      enterpriseId: shishan,
      kind: 'service' as const,
      contractNo: 'WYHT-2026-007',
      startsOn: '2026-01-01',
      endsOn: '2028-12-31',
      feePerSqm: 1.8,
      filingNo: 'BA-2026-007',
      filedOn: '2026-01-15',
      projectCorrections: { households: project.households + 2 },
    };
    const first = await recordFiledContract(db, input);
    const again = await recordFiledContract(db, input);
    expect(first.applied).toBe(true);
    expect(again).toEqual({ applied: false, entityId: first.entityId });
    expect(await db('property_contracts').where('case_ref', input.caseRef).count({ n: '*' }).first()).toEqual({ n: 1 });
    const after = await db('property_projects').where('id', project.id).first();
    expect(after).toMatchObject({ enterprise_id: shishan, management_mode: 'entrusted', households: project.households + 2, approved: 1 });
    const fields = (await changesOf(input.caseRef)).flatMap((c) => JSON.parse(c.changed_fields));
    expect(fields).toEqual(expect.arrayContaining(['households', 'contracts']));
  });

  it('creates a committee on formation and updates it on re-election, each case once', async () => {
    const project = (await db('property_projects').where('code', 'XM3205080010').first()) as { id: number; district_code: string };
    await db('owners_committees')
      .where('project_id', project.id)
      .delete()
      .catch(() => undefined);
    const formation = {
      caseRef: 'YWH-2026-000003',
      committee: {
        name: '测试小区业主委员会',
        project_id: project.id,
        office_address: '10幢101',
        phone_24h: '0512-66661234',
        established_on: '2026-02-01',
        term_starts_on: '2026-02-01',
        term_ends_on: '2031-01-31',
        filing_no: 'YWHBA-2026-3',
      },
      members: [
        { name: '甲主任', position: 'director' as const, officer: true },
        { name: '乙委员', position: 'member' as const },
      ],
    };
    const created = await saveCommitteeFromApproval(db, formation);
    expect(await saveCommitteeFromApproval(db, formation)).toEqual({ applied: false, entityId: created.entityId });
    const committee = await db('owners_committees').where('id', created.entityId).first();
    expect(committee).toMatchObject({ name: '测试小区业主委员会', district_code: project.district_code, approved: 1 });
    expect(await db('organisations').where('id', created.entityId).first()).toMatchObject({ kind: 'owners_committee' });
    expect(await db('committee_members').where('committee_id', created.entityId).count({ n: '*' }).first()).toEqual({ n: 2 });

    const reelection = {
      caseRef: 'YWH-2026-000009',
      committeeId: created.entityId,
      committee: { ...formation.committee, term_starts_on: '2031-02-01', term_ends_on: '2036-01-31' },
      members: [{ name: '丙主任', position: 'director' as const, officer: true }],
    };
    await saveCommitteeFromApproval(db, reelection);
    await saveCommitteeFromApproval(db, reelection);
    const members = await db('committee_members').where('committee_id', created.entityId).pluck('name');
    expect(members).toEqual(['丙主任']);
    expect(await changesOf(reelection.caseRef)).toHaveLength(1);
  });

  it('makes a pre-deduction final after appeal, or cancels it, and the score follows once', async () => {
    const year = new Date().getUTCFullYear();
    const today = new Date().toISOString().slice(0, 10);
    const score = async () => Number(((await db('credit_scores').where({ subject_type: 'enterprise', subject_id: shishan, year }).first()) as { score: string } | undefined)?.score ?? 100);
    const [eventId] = await db('credit_events').insert({ enterprise_id: shishan, district_code: '320505', category: 'complaint', points: -3, source: 'manual', occurred_on: today, description: '预扣分', status: 'pending' });
    const before = await score();
    const input = { caseRef: 'XYSS-2026-000001', eventId, finalPoints: -1 };
    expect((await applyFinalCreditChange(db, input)).applied).toBe(true);
    expect((await applyFinalCreditChange(db, input)).applied).toBe(false);
    expect(await db('credit_events').where('id', eventId).first()).toMatchObject({ status: 'final', points: '-1.00', case_ref: input.caseRef });
    expect(await score()).toBeCloseTo(before - 1);

    const [other] = await db('credit_events').insert({ enterprise_id: shishan, district_code: '320505', category: 'petition', points: -4, source: 'manual', occurred_on: today, description: '预扣分2', status: 'pending' });
    await applyFinalCreditChange(db, { caseRef: 'XYSS-2026-000002', eventId: other, finalPoints: null });
    expect((await db('credit_events').where('id', other).first()).status).toBe('cancelled');
    expect(await score()).toBeCloseTo(before - 1);

    const direct = { caseRef: 'XYSS-2026-000003', event: { enterprise_id: shishan, category: 'honour' as const, points: 5, occurred_on: today, description: '获评市级优秀' } };
    await applyFinalCreditChange(db, direct);
    await applyFinalCreditChange(db, direct);
    expect(await db('credit_events').where('case_ref', direct.caseRef).count({ n: '*' }).first()).toEqual({ n: 1 });
    expect(await score()).toBeCloseTo(before + 4);
  });

  it('records a tender award once, leaving the project’s manager to the contract filing', async () => {
    const project = (await db('property_projects').where('code', 'XM3205080020').first()) as { id: number; enterprise_id: number | null };
    const input = { caseRef: 'ZB-2026-000004', projectId: project.id, enterpriseId: shishan, tenderer: 'owners_assembly' as const, awardedOn: '2026-03-01', termMonths: 36, feePerSqm: 2.2, announcementNo: 'ZBGG-2026-4' };
    const first = await recordTenderAward(db, input);
    expect(await recordTenderAward(db, input)).toEqual({ applied: false, entityId: first.entityId });
    expect(await db('tender_awards').where('project_id', project.id).count({ n: '*' }).first()).toEqual({ n: 1 });
    expect((await db('property_projects').where('id', project.id).first()).enterprise_id).toBe(project.enterprise_id);
  });

  it('refuses approval data the API would refuse, writing nothing', async () => {
    const project = (await db('property_projects').where('code', 'XM3205080030').first()) as { id: number };
    const input = { caseRef: 'HT-2026-000099', projectId: project.id, enterpriseId: shishan, kind: 'service' as const, contractNo: 'X-1', filedOn: '2026-02-01', projectCorrections: { postcode: 'ABC' } };
    await expect(recordFiledContract(db, input)).rejects.toMatchObject({ field: 'postcode' });
    expect(await db('property_contracts').where('case_ref', input.caseRef).first()).toBeUndefined();
    expect(await db('registry_case_writes').where('case_ref', input.caseRef).first()).toBeUndefined();
  });

  it('rolls a failed approval write back entirely, so the retry can apply it', async () => {
    const input = { caseRef: 'QUAL-2026-000099', enterpriseId: 999999, level: 'level_2' as const, certificateNo: 'X', validUntil: '2030-01-01' };
    await expect(setEnterpriseQualification(db, input)).rejects.toThrow(/not found/);
    expect(await db('registry_case_writes').where('case_ref', input.caseRef).first()).toBeUndefined();
  });
});
