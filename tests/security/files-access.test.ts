import request from 'supertest';
import { decide, openTaskAt, startCase, startPlatform, waitForEnd, type Platform } from '../approvals/harness';

/**
 * Who may read a file (docs/security-files.md), on the real API, database, Temporal server and
 * approvals worker: for a file of each kind of owner — an upload not attached to anything, a
 * case's attachment, a start-form material (formData.materials.<code>[].fileId), a reviewer's decision
 * attachment, and a generated certificate — a download by every demo role, with the status
 * expected; the denied row a refused read leaves in the operation log; and the refused attach of
 * a file id the caller did not upload, with nothing half-written.
 */
const USERS = [
  'admin',
  'city.staff',
  'city.leader',
  'centre',
  'gusu.staff', // district staff of the case's district (姑苏区)
  'sip.staff', // district staff of another district
  'huqiu.staff',
  'pingjiang.street', // street office of the case's street
  'dongwu.ent', // the applicant enterprise
  'dongwu.pm', // a colleague at the applicant enterprise
  'hengtai.ent', // another enterprise
  'chengtou.dev',
  'pingjiang.oc',
  'public.zhang',
  'expert.li',
  'anonymous',
] as const;
type User = (typeof USERS)[number];

/** Those who see a 东吴 (姑苏区, 平江街道) qualification case: city roles, its district and street, the applicant side. */
const SEES_THE_CASE: User[] = ['admin', 'city.staff', 'city.leader', 'centre', 'gusu.staff', 'pingjiang.street', 'dongwu.ent', 'dongwu.pm'];

const expected = (readers: User[]) => Object.fromEntries(USERS.map((u) => [u, u === 'anonymous' ? 401 : readers.includes(u) ? 200 : 404])) as Record<User, number>;

describe('who may read a file', () => {
  let p: Platform;
  const upload = async (username: string, name: string) => {
    const res = await (
      await p.as(username)
    )
      .post('/api/files')
      .query({ name })
      .set('content-type', 'application/pdf')
      .send(Buffer.from(`%PDF-1.4 ${name} ${Math.random()}`));
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const download = async (user: User, fileId: string) => (user === 'anonymous' ? request(p.app).get(`/api/files/${fileId}`) : (await p.as(user)).get(`/api/files/${fileId}`)).then((r) => r.status);
  const statusesOf = async (fileId: string) => {
    const out = {} as Record<User, number>;
    for (const u of USERS) out[u] = await download(u, fileId);
    return out;
  };
  const linksOf = (fileId: string) => p.db('file_links').where('file_id', fileId).select('owner_type', 'owner_id', 'purpose');

  const files: Record<string, string> = {};
  const matrix: Record<string, { expected: Record<User, number>; actual: Record<User, number> }> = {};
  let caseId = 0;

  beforeAll(async () => {
    p = await startPlatform('files-access');
  });
  afterAll(async () => {
    const kinds = Object.keys(matrix);
    if (kinds.length) {
      const rows = USERS.map((u) => ({ user: u, ...Object.fromEntries(kinds.map((k) => [k, matrix[k].actual[u] === matrix[k].expected[u] ? String(matrix[k].actual[u]) : `${matrix[k].actual[u]} (want ${matrix[k].expected[u]})`])) }));
      console.log(`GET /api/files/:id — status per role and kind of owner\n${table(['user', ...kinds], rows)}`);
    }
    await p?.stop();
  });

  it('refuses to attach a file the caller did not upload, writing nothing', async () => {
    files.unattached = await upload('dongwu.ent', '未附的营业执照.pdf');
    const before = await p.db('cases').count({ n: '*' }).first();
    // The other materials the form requires for an application are hengtai's own uploads.
    const own = {
      application_form: [{ name: '资质申请表.pdf', fileId: await upload('hengtai.ent', '资质申请表.pdf') }],
      staff_certificates: [{ name: '职称证书.pdf', fileId: await upload('hengtai.ent', '职称证书.pdf') }],
    };
    const res = await (await p.as('hengtai.ent')).post('/api/cases').send({
      processKey: 'qualification',
      formData: { kind: 'application', level: 'level_2', materials: { business_licence: [{ name: '营业执照.pdf', fileId: files.unattached }], ...own } },
      attachments: [
        { name: 'x.pdf', fileId: files.unattached },
        { name: 'y.pdf', fileId: '00000000-0000-4000-8000-000000000000' },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([
      { field: 'body.attachments.0.fileId', reason: 'is not a file you uploaded' },
      { field: 'body.attachments.1.fileId', reason: 'is not a file you uploaded' },
      { field: 'body.formData.materials.business_licence.0.fileId', reason: 'is not a file you uploaded' },
    ]);
    expect(await p.db('cases').count({ n: '*' }).first()).toEqual(before);
    expect(await linksOf(files.unattached)).toEqual([]);
    // Only http(s) links; a file id is a UUID.
    const js = await (await p.as('dongwu.ent')).post('/api/cases').send({ processKey: 'qualification', formData: { kind: 'application', level: 'level_2' }, attachments: [{ name: 'x', url: 'javascript:alert(1)' }] });
    expect(js.status).toBe(400);
    expect(js.body.error.details).toEqual([expect.objectContaining({ field: 'body.attachments.0.url' })]);
    const notUuid = await (await p.as('dongwu.ent')).post('/api/cases').send({ processKey: 'qualification', formData: {}, attachments: [{ name: 'x', fileId: 'f1' }] });
    expect(notUuid.status).toBe(400);
    expect(await p.db('cases').count({ n: '*' }).first()).toEqual(before);
  });

  it('reads each kind of file exactly as its owner is read', async () => {
    files.attachment = await upload('dongwu.ent', '附件-说明.pdf');
    files.material = await upload('dongwu.ent', '营业执照.pdf');
    const others = [await upload('dongwu.ent', '资质申请表.pdf'), await upload('dongwu.ent', '职称证书.pdf')];
    // Before it is attached, an upload is its uploader's alone.
    expect(await statusesOf(files.material)).toEqual(expected(['dongwu.ent']));

    const started = await startCase(
      p,
      'dongwu.ent',
      'qualification',
      {
        kind: 'application',
        level: 'level_2',
        materials: {
          business_licence: [{ name: '营业执照.pdf', fileId: files.material }],
          application_form: [{ name: '资质申请表.pdf', fileId: others[0] }],
          staff_certificates: [{ name: '职称证书.pdf', fileId: others[1] }],
        },
      },
      {
        attachments: [
          { name: '附件-说明.pdf', fileId: files.attachment },
          { name: '官网', url: 'https://www.example.org/' },
        ],
      },
    );
    caseId = started.id;
    expect(await linksOf(files.attachment)).toEqual([{ owner_type: 'case', owner_id: caseId, purpose: 'attachment' }]);
    expect(await linksOf(files.material)).toEqual([{ owner_type: 'case', owner_id: caseId, purpose: 'form' }]);

    // The district reviewer: someone else's unattached upload is refused (task still open, nothing
    // linked); a decision the workflow refuses takes its new links back; then a real decision.
    files.decision = await upload('gusu.staff', '初审意见.pdf');
    const [task] = await openTaskAt(p.db, caseId, 'districtReview');
    const gusu = await p.as('gusu.staff');
    expect((await gusu.post(`/api/tasks/${task.id}/claim`).send({})).status).toBe(200);
    const foreign = await gusu.post(`/api/tasks/${task.id}/decide`).send({ outcome: 'approve', attachments: [{ name: 'x.pdf', fileId: files.unattached }] });
    expect(foreign.status).toBe(422);
    expect(foreign.body.error.details).toEqual([{ field: 'body.attachments.0.fileId', reason: 'is not a file you uploaded' }]);
    const refused = await gusu.post(`/api/tasks/${task.id}/decide`).send({ outcome: 'publish', attachments: [{ name: '初审意见.pdf', fileId: files.decision }] });
    expect(refused.status).toBe(422);
    expect(await linksOf(files.decision)).toEqual([]);
    expect((await p.db('case_tasks').where('id', task.id).first('status')).status).toBe('open');
    await decide(p, caseId, 'districtReview', 'gusu.staff', { outcome: 'approve', attachments: [{ name: '初审意见.pdf', fileId: files.decision }] });
    expect(await linksOf(files.decision)).toEqual([{ owner_type: 'case', owner_id: caseId, purpose: 'decision' }]);

    // A file the case already has may be named again by anyone acting on it.
    await decide(p, caseId, 'centreAcceptance', 'centre', { outcome: 'approve', attachments: [{ name: '附件-说明.pdf', fileId: files.attachment }] });
    await decide(p, caseId, 'divisionReview', 'city.staff', { outcome: 'approve' });
    await decide(p, caseId, 'leaderApproval', 'city.leader', { outcome: 'approve' });
    const done = await waitForEnd(p.db, caseId);
    expect(done.result).toBe('approved');
    const [doc] = (await (await p.as('dongwu.ent')).get(`/api/cases/${caseId}/documents`)).body as Array<{ id: number; kind: string; file_id: string }>;
    expect(doc.kind).toBe('qualification_certificate');
    files.certificate = doc.file_id;
    expect(await linksOf(files.certificate)).toEqual([{ owner_type: 'approval_document', owner_id: doc.id, purpose: 'document' }]);

    // Another enterprise cannot take a file of this case into its own.
    const own = {
      application_form: [{ name: '资质申请表.pdf', fileId: await upload('hengtai.ent', '资质申请表.pdf') }],
      staff_certificates: [{ name: '职称证书.pdf', fileId: await upload('hengtai.ent', '职称证书.pdf') }],
    };
    const steal = await (await p.as('hengtai.ent')).post('/api/cases').send({
      processKey: 'qualification',
      formData: { kind: 'application', level: 'level_3', materials: { business_licence: [{ name: 'a.pdf', fileId: files.certificate }], ...own } },
    });
    expect(steal.status).toBe(422);
    expect(steal.body.error.details).toEqual([{ field: 'body.formData.materials.business_licence.0.fileId', reason: 'is not a file you uploaded' }]);

    const cases: Array<[string, string, User[]]> = [
      ['unattached upload', files.unattached, ['dongwu.ent']],
      ['case attachment', files.attachment, SEES_THE_CASE],
      ['formData material', files.material, SEES_THE_CASE],
      ['decision attachment', files.decision, SEES_THE_CASE],
      ['certificate', files.certificate, SEES_THE_CASE],
    ];
    for (const [kind, fileId, readers] of cases) matrix[kind] = { expected: expected(readers), actual: await statusesOf(fileId) };
    for (const kind of Object.keys(matrix)) expect({ kind, statuses: matrix[kind].actual }).toEqual({ kind, statuses: matrix[kind].expected });

    // The public lookup by number and check code offers no documents, so there is no public path to the certificate.
    const lookup = await request(p.app)
      .get(`/api/public/cases/${started.number}`)
      .query({ checkCode: (await p.db('cases').where('id', caseId).first('check_code')).check_code });
    expect(lookup.status).toBe(200);
    expect(JSON.stringify(lookup.body)).not.toContain(files.certificate);
  });

  it('logs a refused read as denied, with user, address and target, and answers as for no such file', async () => {
    expect(files.certificate).toBeDefined();
    const hengtai = await p.as('hengtai.ent');
    const refused = await hengtai.get(`/api/files/${files.certificate}`);
    const missing = await hengtai.get('/api/files/00000000-0000-4000-8000-000000000000');
    expect(refused.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(refused.body.error).toEqual(missing.body.error);
    const rows = await p.db('operation_log').where({ username: 'hengtai.ent', target_type: 'file', target_id: files.certificate }).select('action', 'result', 'status', 'ip', 'role', 'path');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[rows.length - 1]).toMatchObject({ action: 'files.download', result: 'denied', status: 404, role: 'enterprise', path: `/api/files/${files.certificate}` });
    expect(rows[rows.length - 1].ip).toMatch(/127\.0\.0\.1|::1/);
    // A file that does not exist is simply not found; reads that succeed are not logged as denied.
    expect(await p.db('operation_log').where({ target_type: 'file', target_id: '00000000-0000-4000-8000-000000000000' })).toEqual([]);
    expect(await p.db('operation_log').where({ username: 'dongwu.ent', target_type: 'file', result: 'denied' })).toEqual([]);
  });
});

function table(columns: string[], rows: Array<Record<string, string>>): string {
  const width = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(width[i])).join(' | ')} |`;
  return [line(columns), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map((c) => String(r[c] ?? ''))))].join('\n');
}
