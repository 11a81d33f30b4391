import { addDays, beijingDate } from '../../activities/approvals/support';
import { waitFor } from '../helpers/wait';
import { recordHistory, caseOf, decide, historyOf, startCase, startPlatform, waitForEnd, waitForSms, type Platform } from './harness';
import { readPdf } from './pdf-text';

/**
 * Contract filing (契约备案): the filing compared with the project registry (new data stored,
 * conflicts shown to the district reviewer who keeps or corrects each), the 15-day deadline,
 * the filing certificate; a return and a rejection; an incomplete filing refused.
 */
describe('contract filing approval', () => {
  let p: Platform;
  let project: { id: number; name: string; district_code: string; street_code: string; floor_area: string; households: number };
  let dongwu: number;
  let scan: string;

  beforeAll(async () => {
    p = await startPlatform('contract');
    dongwu = (await p.db('organisations').where('code', 'ENT-91320508MA1DONGWU').first('id')).id;
    project = await p.db('property_projects').where('district_code', '320508').whereNotNull('street_code').whereNotNull('floor_area').whereNotNull('households').orderBy('id').first();
    // A project whose registry lacks its elevator count: the filing supplies it.
    await p.db('property_projects').where('id', project.id).update({ elevators: null });
    // The contract scan the form requires for every kind of filing.
    const upload = await (await p.as('dongwu.ent')).post('/api/files').query({ name: '合同扫描件.pdf' }).set('content-type', 'application/pdf').send(Buffer.from('%PDF-1.4 contract scan'));
    expect(upload.status).toBe(201);
    scan = upload.body.id as string;
  });
  afterAll(async () => {
    await p?.stop();
  });

  const filing = (overrides: Record<string, unknown> = {}) => ({
    kind: 'service',
    projectId: project.id,
    contractNo: 'DW-HT-2026-018',
    signedOn: addDays(beijingDate(), -20),
    startsOn: beijingDate(),
    endsOn: addDays(beijingDate(), 3 * 365),
    feePerSqm: 2.35,
    floorArea: Number(project.floor_area) + 1200,
    households: project.households + 8,
    elevators: 24,
    materials: { contract_scan: [{ name: '合同扫描件.pdf', fileId: scan }] },
    ...overrides,
  });
  const scope = () => ({ districtCode: project.district_code, streetCode: project.street_code });

  it('stores new data, shows conflicts, applies the reviewer’s choice, flags late filing and issues the certificate', async () => {
    const started = await startCase(p, 'dongwu.ent', 'contract-filing', filing(), scope());
    expect(started.number).toMatch(/^HTBA-320508-\d{4}-\d{5}$/);
    await waitFor('the comparison', async () => (await caseOf(p.db, started.id)).variables.conflicts);
    const v = (await caseOf(p.db, started.id)).variables;
    expect(v.lateFiling).toBe(true);
    expect(v.daysLate).toBe(5);
    expect(v.newData).toEqual({ elevators: 24 });
    expect((v.conflicts as Array<{ field: string }>).map((c) => c.field).sort()).toEqual(['floor_area', 'households']);

    // The district keeps the registry's household count (the contract was wrong) and corrects the area.
    await decide(p, started.id, 'districtReview', 'gusu.staff', { outcome: 'approve', comment: '已核对原件', formData: { keepRegistryValues: ['households'] } });
    const done = await waitForEnd(p.db, started.id);
    expect(done.result).toBe('approved');
    const filingNo = done.variables.filingNo as string;
    expect(filingNo).toMatch(/^WYBA-320508-\d{4}-\d{5}$/);

    const after = await p.db('property_projects').where('id', project.id).first('floor_area', 'households', 'elevators', 'enterprise_id', 'management_mode');
    expect(Number(after.floor_area)).toBeCloseTo(Number(project.floor_area) + 1200);
    expect(after.households).toBe(project.households);
    expect(after.elevators).toBe(24);
    expect(after).toMatchObject({ enterprise_id: dongwu, management_mode: 'entrusted' });
    const contract = await p.db('property_contracts').where('case_ref', started.number).first();
    expect(contract).toMatchObject({ project_id: project.id, enterprise_id: dongwu, kind: 'service', contract_no: 'DW-HT-2026-018', filing_no: filingNo });

    const doc = await p.db('approval_documents').where({ case_id: started.id, kind: 'contract_filing' }).first('number', 'file_id');
    // Stored encrypted: read through the one reader, which decrypts and checks it.
    const { readFileBytes } = await import('../../db/files');
    const pdf = readPdf((await readFileBytes(p.db, p.filesDir, doc.file_id))!);
    expect(pdf.unmappedCodes).toBe(0);
    expect(pdf.text).toContain('物业服务合同备案证明');
    expect(pdf.text).toContain(filingNo);
    expect(pdf.text).toContain('逾期5天');

    await waitForSms(p.db, started.workflowId, '13800000009', filingNo);
    const history = await historyOf(p.db, started.id);
    expect(history.find((h) => h.node_id === 'compare')?.comment).toContain('逾期备案5天');
    await recordHistory(p, 'contract-filing', started.workflowId, 'approve');
  });

  it('goes back to the applicant for supplement, then is rejected: nothing is filed', async () => {
    const started = await startCase(p, 'dongwu.ent', 'contract-filing', filing({ contractNo: 'DW-HT-2026-019', signedOn: beijingDate() }), scope());
    await decide(p, started.id, 'districtReview', 'gusu.staff', { outcome: 'return', returnTo: 'applicant', comment: '请上传合同扫描件' });
    await waitFor('the supplement step', async () => (await caseOf(p.db, started.id)).status === 'supplement');
    expect((await (await p.as('dongwu.ent')).post(`/api/cases/${started.id}/supply`).send({ comment: '已上传' })).status).toBe(200);
    await decide(p, started.id, 'districtReview', 'gusu.staff', { outcome: 'reject', comment: '合同主体与项目不符' });
    const done = await waitForEnd(p.db, started.id);
    expect(done.result).toBe('rejected');
    expect(done.variables.lateFiling).toBe(false);
    expect(await p.db('property_contracts').where('case_ref', started.number)).toEqual([]);
    expect(await p.db('approval_documents').where('case_id', started.id)).toEqual([]);
  });

  it('refuses a filing whose project is not in the registry at the start, and one filed in the wrong district after the comparison, telling the applicant', async () => {
    const cases = async () => Number((await p.db('cases').count({ n: '*' }).first())!.n);
    const before = await cases();
    const unknown = await (await p.as('dongwu.ent')).post('/api/cases').send({ processKey: 'contract-filing', formData: filing({ projectId: 999999 }), ...scope() });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details).toEqual([{ field: 'body.formData.projectId', reason: 'no such record in projects' }]);
    expect(await cases()).toBe(before);

    const other = (await p.db('regions').where('level', 'district').whereNot('code', project.district_code).orderBy('code').first('code')) as { code: string };
    const started = await startCase(p, 'dongwu.ent', 'contract-filing', filing({ contractNo: 'DW-HT-2026-020' }), { districtCode: other.code });
    const done = await waitForEnd(p.db, started.id);
    expect(done.result).toBe('rejected');
    expect(done.variables.filingProblems).toEqual(['案件所属区与项目所在区不一致']);
    await waitForSms(p.db, started.workflowId, '13800000009', '不予备案');
  });
});
