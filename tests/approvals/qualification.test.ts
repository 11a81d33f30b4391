import fs from 'node:fs';
import { contentPath } from '../../lib/files/store';
import { waitFor } from '../helpers/wait';
import { recordHistory, caseOf, decide, historyOf, startCase, startPlatform, waitForEnd, waitForSms, type Platform } from './harness';
import { readPdf } from './pdf-text';

/**
 * Qualification (资质) through the API on the real Temporal server, approvals worker and SMS
 * worker: the approve path to the certificate and the registry, a return for supplement, a
 * rejection, and who may start it.
 */
describe('qualification approval', () => {
  let p: Platform;
  const orgId = async (code: string) => (await p.db('organisations').where('code', code).first('id')).id as number;
  const upload = async (username: string, name: string) => {
    const res = await (
      await p.as(username)
    )
      .post('/api/files')
      .query({ name })
      .set('content-type', 'application/pdf')
      .send(Buffer.from(`%PDF-1.4 ${name}`));
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  beforeAll(async () => {
    p = await startPlatform('qualification');
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('goes from the application through four reviews to a certificate, the registry, publicity and an SMS', async () => {
    const dongwu = await orgId('ENT-91320508MA1DONGWU');
    const materials = {
      business_licence: [{ name: '营业执照.pdf', fileId: await upload('dongwu.ent', '营业执照.pdf') }],
      application_form: [{ name: '资质申请表.pdf', fileId: await upload('dongwu.ent', '资质申请表.pdf') }],
      staff_certificates: [{ name: '职称证书.pdf', fileId: await upload('dongwu.ent', '职称证书.pdf') }],
    };
    const started = await startCase(p, 'dongwu.ent', 'qualification', { kind: 'application', level: 'level_2', materials });
    expect(started.number).toMatch(/^ZZ-\d{4}-\d{6}$/);

    // The automatic checks: their results are case variables the district reviewer sees.
    await decide(p, started.id, 'districtReview', 'gusu.staff', { outcome: 'approve', comment: '初审通过' });
    const checked = (await caseOf(p.db, started.id)).variables;
    const checks = checked.checks as Array<{ code: string; ok: boolean }>;
    expect(checks.find((c) => c.code === 'materials')?.ok).toBe(true);
    const duplicates = (await p.db('enterprise_staff').where({ enterprise_id: dongwu, active: true, duplicate_registration: true }).count({ n: '*' }))[0].n;
    expect((checked.duplicateStaff as unknown[]).length).toBe(Number(duplicates));
    expect(checks.find((c) => c.code === 'double_registration')?.ok).toBe(Number(duplicates) === 0);

    await decide(p, started.id, 'centreAcceptance', 'centre', { outcome: 'approve' });
    await decide(p, started.id, 'divisionReview', 'city.staff', { outcome: 'approve' });
    await decide(p, started.id, 'leaderApproval', 'city.leader', { outcome: 'approve', comment: '同意' });
    const done = await waitForEnd(p.db, started.id);
    expect(done.result).toBe('approved');

    // Certificate number by the process's rule, and the registry written through the model layer.
    const certificateNo = done.variables.certificateNo as string;
    expect(certificateNo).toMatch(/^SZWYZZ-\d{4}-\d{5}$/);
    const ent = await p.db('enterprises').where('id', dongwu).first('qualification_level', 'qualification_certificate_no', 'qualification_valid_until', 'approved');
    expect(ent).toMatchObject({ qualification_level: 'level_2', qualification_certificate_no: certificateNo });
    expect(Boolean(ent.approved)).toBe(true);
    expect(String(done.variables.validUntil)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const change = await p.db('registry_changes').where({ entity: 'enterprise', entity_id: dongwu, case_ref: started.number, action: 'approval' }).first('changed_fields');
    expect(String(change.changed_fields)).toContain('qualification_level');

    // The PDF: stored, downloadable, with the Chinese text drawn in an embedded CJK font.
    const docs = (await (await p.as('dongwu.ent')).get(`/api/cases/${started.id}/documents`)).body as Array<{ kind: string; number: string; file_id: string }>;
    expect(docs).toEqual([expect.objectContaining({ kind: 'qualification_certificate', number: certificateNo })]);
    const download = await (
      await p.as('dongwu.ent')
    )
      .get(`/api/files/${docs[0].file_id}`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(download.status).toBe(200);
    // Stored encrypted, under the name of its encrypted bytes.
    const file = await p.db('files').where('id', docs[0].file_id).first('blob', 'key_id');
    expect(file.key_id).toBeTruthy();
    expect(fs.existsSync(contentPath(p.filesDir, file.blob))).toBe(true);
    const pdf = readPdf(download.body as Buffer);
    expect(pdf.fonts.some((f) => /CJK/.test(f))).toBe(true);
    expect(pdf.embeddedFontPrograms).toBeGreaterThan(0);
    expect(pdf.unmappedCodes).toBe(0);
    expect(pdf.text).toContain('物业服务企业资质证书');
    expect(pdf.text).toContain('苏州东吴物业管理有限公司');
    expect(pdf.text).toContain(certificateNo);
    expect(pdf.text).toContain('二级');

    // Publicised for the portal, and the enterprise texted through the SMS worker.
    const publicity = (await (await p.as('public.zhang')).get('/api/public/publicity').query({ filter: JSON.stringify({ kind: 'qualification' }) })).body as Array<{ title: string; body: string }>;
    expect(publicity).toEqual([expect.objectContaining({ title: '物业服务企业资质核准公示：苏州东吴物业管理有限公司' })]);
    expect(publicity[0].body).toContain(certificateNo);
    const sms = await waitForSms(p.db, started.workflowId, '13800000009', certificateNo);
    expect(sms.text).toContain('已核准');

    const history = await historyOf(p.db, started.id);
    expect(history.filter((h) => h.kind === 'task_completed').map((h) => h.node_id)).toEqual(['districtReview', 'centreAcceptance', 'divisionReview', 'leaderApproval']);
    expect(history.filter((h) => h.kind === 'service_completed').map((h) => h.node_id)).toEqual(['autoChecks', 'certificate', 'register', 'publicity']);
    expect(history.some((h) => h.kind === 'sms_sent' && h.node_id === 'notifyIssued')).toBe(true);
    await recordHistory(p, 'qualification', started.workflowId, 'approve');
  });

  it('refuses a start without the materials its kind requires, goes back to the applicant for supplement, and ends rejected without touching the registry', async () => {
    const hengtai = await orgId('ENT-91320576MA1HENGTAI');
    const before = await p.db('enterprises').where('id', hengtai).first('name', 'qualification_level', 'qualification_certificate_no');
    const licence = { name: '营业执照.pdf', fileId: await upload('hengtai.ent', '营业执照.pdf') };
    // The start form (pinned with the version) names what a change needs: without it, nothing starts.
    const incomplete = await (await p.as('hengtai.ent')).post('/api/cases').send({ processKey: 'qualification', formData: { kind: 'change', level: 'level_3', materials: { business_licence: [licence] } } });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.error.details).toEqual([
      { field: 'body.formData.materials.original_certificate', reason: 'is required' },
      { field: 'body.formData.materials.change_proof', reason: 'is required' },
    ]);
    const started = await startCase(p, 'hengtai.ent', 'qualification', {
      kind: 'change',
      level: 'level_3',
      newName: '苏州恒泰物业服务集团有限公司',
      materials: {
        business_licence: [licence],
        original_certificate: [{ name: '原资质证书.pdf', fileId: await upload('hengtai.ent', '原资质证书-扫描不清.pdf') }],
        change_proof: [{ name: '变更登记.pdf', fileId: await upload('hengtai.ent', '变更登记-缺页.pdf') }],
      },
    });
    await waitFor('the automatic checks', async () => (await caseOf(p.db, started.id)).variables.checks);
    const checks = (await caseOf(p.db, started.id)).variables.checks as Array<{ code: string; ok: boolean; detail: string }>;
    expect(checks.find((c) => c.code === 'materials')).toMatchObject({ ok: true, detail: '齐全' });

    // The district reviewer (of 恒泰's district) returns it; the enterprise supplies the materials.
    await decide(p, started.id, 'districtReview', 'sip.staff', { outcome: 'return', returnTo: 'applicant', comment: '请补充原资质证书和变更证明' });
    await waitFor('the case to wait for the applicant', async () => (await caseOf(p.db, started.id)).status === 'supplement');
    const supplied = await (await p.as('hengtai.ent')).post(`/api/cases/${started.id}/supply`).send({
      comment: '已补充',
      formData: {
        materials: {
          business_licence: [{ name: '营业执照.pdf', fileId: await upload('hengtai.ent', '营业执照2.pdf') }],
          original_certificate: [{ name: '原资质证书.pdf', fileId: await upload('hengtai.ent', '原资质证书.pdf') }],
          change_proof: [{ name: '变更登记.pdf', fileId: await upload('hengtai.ent', '变更登记.pdf') }],
        },
      },
    });
    expect(supplied.status).toBe(200);
    await decide(p, started.id, 'districtReview', 'sip.staff', { outcome: 'approve' });
    await decide(p, started.id, 'centreAcceptance', 'centre', { outcome: 'reject', comment: '变更事项与工商登记不符' });
    const done = await waitForEnd(p.db, started.id);
    expect(done.result).toBe('rejected');

    expect(await p.db('enterprises').where('id', hengtai).first('name', 'qualification_level', 'qualification_certificate_no')).toEqual(before);
    expect(await p.db('approval_documents').where('case_id', started.id)).toEqual([]);
    expect(await p.db('approval_publicity').where('case_id', started.id)).toEqual([]);
    const kinds = (await historyOf(p.db, started.id)).map((h) => h.kind);
    expect(kinds).toEqual(expect.arrayContaining(['returned', 'supplement_requested', 'rejected']));
    await recordHistory(p, 'qualification', started.workflowId, 'return-then-reject');
  });

  it('lets only its starter roles start it, and lists it with its form for them', async () => {
    const denied = await (await p.as('gusu.staff')).post('/api/cases').send({ processKey: 'qualification', formData: { kind: 'application' } });
    expect(denied.status).toBe(403);
    const forEnterprise = (await (await p.as('dongwu.ent')).get('/api/processes/startable')).body as Array<{ key: string; form: { id: string; components: Array<{ key?: string; path?: string; components?: unknown[] }> } | null }>;
    const q = forEnterprise.find((x) => x.key === 'qualification')!;
    expect(q.form!.id).toBe('qualification-start');
    expect(q.form!.components.map((c) => c.key ?? c.path)).toEqual(expect.arrayContaining(['kind', 'level', 'materials']));
    expect(q.form!.components.find((c) => c.path === 'materials')!.components!.length).toBeGreaterThan(0);
    expect(forEnterprise.map((x) => x.key)).not.toContain('credit-appeal');
    const forDistrict = (await (await p.as('gusu.staff')).get('/api/processes/startable')).body as Array<{ key: string }>;
    expect(forDistrict.map((x) => x.key)).toEqual(expect.arrayContaining(['sample-approval']));
    expect(forDistrict.map((x) => x.key)).not.toContain('qualification');
    // The credit processes are the platform's to start (a record taken in, a call activity): nobody's by hand.
    expect(forDistrict.map((x) => x.key)).not.toContain('credit-deduction');
    expect(forDistrict.map((x) => x.key)).not.toContain('credit-appeal');
    const byHand = await (await p.as('gusu.staff')).post('/api/cases').send({ processKey: 'credit-deduction', formData: {} });
    expect(byHand.status).toBe(409);
    expect(byHand.body.error.code).toBe('started_by_platform');
  });
});
