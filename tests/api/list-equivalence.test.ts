import type { Express } from 'express';
import type { Knex } from 'knex';
import type { Response } from 'supertest';
import ExcelJS from 'exceljs';
import { planCopiedCases, planStartedCases, planTaskBox, planVisibleCases, walkPlan, type ListPlan } from '../../db/cases/lists';
import { applyCaseChanges } from '../../db/cases/writer';
import type { ChangeBatch, CaseScope } from '../../lib/cases/changes';
import { scopeOf, type Role, type Scope } from '../../lib/roles';
import { signIn, testApp } from '../helpers/api';
import { freshTestDatabase } from '../helpers/db';

/**
 * The case and task lists are unions of indexed branches over derived access rows (db/cases/).
 * This checks them against the rule as it was written before, as plain SQL over the base tables
 * (an OR of the scope with EXISTS over tasks and copies): for every demo user, every box and the
 * case list return exactly the same rows in the same order, on cases spread across districts,
 * streets and organisations, with tasks claimed, given back, transferred and completed, and copies.
 */
interface UserRow {
  id: number;
  username: string;
  role: Role;
  organisation_id: number;
  district_code: string | null;
  street_code: string | null;
}

/** Collects a binary response body (an .xlsx export; supertest leaves unknown types unparsed). */
const binary = (res: Response, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  return { next, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)], chance: (p: number) => next() < p };
}

const ROLES_OFFERED: Role[] = ['district_staff', 'street_office', 'city_staff', 'admin_centre', 'enterprise', 'project_manager', 'expert'];

async function buildCases(db: Knex, users: UserRow[]): Promise<void> {
  const r = random(20261202);
  const orgs = (await db('organisations').select('id', 'district_code', 'street_code')) as Array<{ id: number; district_code: string | null; street_code: string | null }>;
  const districts = (await db('regions').where('level', 'district').pluck('code')) as string[];
  const t0 = Date.UTC(2026, 0, 1);
  for (let i = 0; i < 240; i++) {
    const org = r.pick(orgs);
    const crossDistrict = r.chance(0.15);
    const scope: CaseScope = { organisationId: org.id, districtCode: crossDistrict ? r.pick(districts) : org.district_code, streetCode: crossDistrict ? null : org.street_code };
    // Some start times repeat, so the id tie-breaker is exercised too.
    const startedAt = new Date(t0 + Math.floor(r.next() * 60) * 3_600_000);
    const [caseId] = await db('cases').insert({
      number: `EQ-${String(i).padStart(4, '0')}`,
      workflow_id: `eq-${i}`,
      process_key: r.pick(['sample-approval', 'qualification', 'contract-filing']),
      process_version: 1,
      title: r.pick(['物业服务企业资质核定', '前期物业服务合同备案', '业主委员会备案']) + `（${i}）`,
      status: r.pick(['running', 'running', 'completed', 'withdrawn']),
      applicant_organisation_id: org.id,
      district_code: scope.districtCode,
      street_code: scope.streetCode,
      started_by: r.pick(users).id,
      check_code: 'ABCDEF',
      started_at: startedAt,
      updated_at: startedAt,
    });
    const tasks = Array.from({ length: 1 + Math.floor(r.next() * 4) }, (_, k) => ({
      key: `step${k}`,
      nodeId: `step${k}`,
      name: `审核第${k + 1}步`,
      kind: (r.chance(0.1) ? 'supplement' : 'user') as 'user' | 'supplement',
      assigneeUsername: r.chance(0.2) ? r.pick(users).username : null,
      assigneeId: null,
      candidateGroups: r.chance(0.8) ? [r.pick(ROLES_OFFERED)] : [],
      candidateUsernames: r.chance(0.3) ? [r.pick(users).username] : [],
      outcomes: ['approve', 'reject'],
      dueAt: null,
      createdAt: new Date(startedAt.getTime() + k * 60_000).toISOString(),
    }));
    const batch: ChangeBatch = { caseId: caseId as number, scope, newTasks: tasks };
    await applyCaseChanges(db, batch);
    // Then what people do with them, each in its own batch as the workflow writes it.
    for (const t of tasks) {
      const steps = Math.floor(r.next() * 4);
      for (let s = 0; s < steps; s++) {
        const who = r.pick(users).id;
        const move = r.pick(['claim', 'unclaim', 'transfer', 'complete'] as const);
        const patch =
          move === 'claim' || move === 'transfer'
            ? { key: t.key, assigneeId: who }
            : move === 'unclaim'
              ? { key: t.key, assigneeId: null }
              : { key: t.key, status: 'completed' as const, completedBy: who, completedAt: new Date(startedAt.getTime() + 3_600_000).toISOString() };
        await applyCaseChanges(db, { caseId: caseId as number, scope, taskPatches: [patch] });
        if (move === 'complete') break;
      }
    }
    if (r.chance(0.2)) {
      const to = [...new Set([r.pick(users).id, r.pick(users).id])];
      await applyCaseChanges(db, { caseId: caseId as number, scope, copies: { userIds: to, fromUserId: r.pick(users).id, taskKey: 'step0', at: startedAt.toISOString() } });
    }
  }
}

/** The rule as plain SQL over the base tables — the reference the new lists must match. */
function oracle(db: Knex, user: UserRow, scope: Scope) {
  const caseVisible = (q: Knex.QueryBuilder) => {
    if (scope.kind === 'city') return q;
    return q.where((w) => {
      w.where((s) => {
        if (scope.kind === 'district') s.where('c.district_code', scope.districtCode);
        else if (scope.kind === 'street') s.where('c.street_code', scope.streetCode);
        else if (scope.kind === 'organisation') s.where('c.applicant_organisation_id', scope.organisationId);
        else s.whereRaw('1 = 0');
      })
        .orWhere('c.started_by', user.id)
        .orWhereExists(
          db('case_tasks as vt')
            .select(db.raw('1'))
            .whereRaw('vt.case_id = c.id')
            .where((h) => h.where('vt.assignee_id', user.id).orWhere('vt.completed_by', user.id)),
        )
        .orWhereExists(db('case_copies as vc').select(db.raw('1')).whereRaw('vc.case_id = c.id').where('vc.user_id', user.id));
    });
  };
  const candidate = (q: Knex.QueryBuilder) =>
    q.whereExists(
      db('case_task_candidates as tc')
        .select(db.raw('1'))
        .whereRaw('tc.task_id = t.id')
        .where((w) => {
          w.where((u) => u.where('tc.kind', 'user').where('tc.value', String(user.id))).orWhere((g) => {
            g.where('tc.kind', 'group')
              .where('tc.value', user.role)
              .where((d) => d.whereNull('tc.district_code').orWhere('tc.district_code', user.district_code ?? ''))
              .where((s) => s.whereNull('tc.street_code').orWhere('tc.street_code', user.street_code ?? ''))
              .where((o) => o.whereNull('tc.organisation_id').orWhere('tc.organisation_id', user.organisation_id));
          });
        }),
    );
  const ids = async (q: Knex.QueryBuilder) => ((await q) as Array<{ id: number }>).map((x) => Number(x.id));
  return {
    cases: () => ids(caseVisible(db('cases as c').select('c.id')).orderBy('c.started_at', 'desc').orderBy('c.id', 'desc')),
    started: () => ids(db('cases as c').select('c.id').where('c.started_by', user.id).orderBy('c.started_at', 'desc').orderBy('c.id', 'desc')),
    copied: () => ids(db('cases as c').join('case_copies as cc', 'cc.case_id', 'c.id').where('cc.user_id', user.id).select('c.id').orderBy('c.started_at', 'desc').orderBy('c.id', 'desc')),
    todo: () => ids(db('case_tasks as t').select('t.id').where('t.status', 'open').where('t.assignee_id', user.id).orderBy('t.created_at', 'desc').orderBy('t.id', 'desc')),
    done: () => ids(db('case_tasks as t').select('t.id').where('t.completed_by', user.id).orderBy('t.completed_at', 'desc').orderBy('t.id', 'desc')),
    claimable: () => ids(candidate(db('case_tasks as t').select('t.id').where('t.status', 'open').whereNull('t.assignee_id').where('t.kind', 'user')).orderBy('t.created_at', 'desc').orderBy('t.id', 'desc')),
  };
}

describe('case and task lists against the visibility rule', () => {
  let db: Knex;
  let app: Express;
  let temporal: { close(): Promise<void> } | undefined;
  let users: UserRow[];

  beforeAll(async () => {
    ({ db } = await freshTestDatabase());
    ({ app, temporal } = testApp(db));
    users = (await db('users as u').join('organisations as o', 'o.id', 'u.organisation_id').where('u.active', true).select('u.id', 'u.username', 'u.role', 'u.organisation_id', 'o.district_code', 'o.street_code')) as UserRow[];
    await buildCases(db, users);
  }, 300_000);

  afterAll(async () => {
    await temporal?.close();
    await db?.destroy();
  });

  /** Every page of a list, small pages so paging itself is exercised, with the first page's total. */
  async function allPages(agent: Awaited<ReturnType<typeof signIn>>, path: string, sort: [string, string]) {
    const ids: number[] = [];
    let firstTotal: string | undefined;
    for (let offset = 0; ; offset += 7) {
      const res = await agent.get(path).query({ sort: JSON.stringify(sort), range: JSON.stringify([offset, offset + 6]) });
      expect(res.status).toBe(200);
      firstTotal ??= String(res.headers['content-range']).split('/')[1];
      const rows = res.body as Array<{ id: number }>;
      ids.push(...rows.map((x) => Number(x.id)));
      if (res.headers['x-has-more'] !== 'true') break;
    }
    return { ids, firstTotal };
  }

  it('gives each demo user exactly the cases and tasks the rule allows, in order', async () => {
    const demo = users.filter((u) => !u.username.startsWith('admin') || u.username === 'admin');
    let compared = 0;
    for (const user of demo) {
      const expected = oracle(db, user, scopeOf({ role: user.role, organisationId: user.organisation_id, districtCode: user.district_code, streetCode: user.street_code }));
      const agent = await signIn(app, user.username).catch(() => null);
      if (!agent) continue; // accounts that must change their password first cannot list
      const lists: Array<[string, () => Promise<number[]>, [string, string]]> = [
        ['/api/cases', expected.cases, ['started_at', 'DESC']],
        ['/api/inbox/started', expected.started, ['started_at', 'DESC']],
        ['/api/inbox/copied', expected.copied, ['started_at', 'DESC']],
        ['/api/inbox/todo', expected.todo, ['created_at', 'DESC']],
        ['/api/inbox/done', expected.done, ['completed_at', 'DESC']],
        ['/api/inbox/claimable', expected.claimable, ['created_at', 'DESC']],
      ];
      for (const [path, want, sort] of lists) {
        const wanted = await want();
        const got = await allPages(agent, path, sort);
        expect({ user: user.username, path, ids: got.ids }).toEqual({ user: user.username, path, ids: wanted });
        expect({ user: user.username, path, total: got.firstTotal }).toEqual({ user: user.username, path, total: String(wanted.length) });
        compared += wanted.length;
      }
    }
    // The data must actually exercise the lists: many rows compared, not empty boxes.
    expect(compared).toBeGreaterThan(1000);
  }, 600_000);

  /** Every id a plan walks, in chunks of 7 so the cursor crosses repeated keys. */
  async function walked(plan: ListPlan<unknown>): Promise<number[]> {
    const ids: number[] = [];
    for await (const rows of walkPlan(db, plan, { chunk: 7, max: 100_000 })) ids.push(...(rows as Array<{ id: number }>).map((r) => Number(r.id)));
    return ids;
  }

  it('walks each list in full for its export with a keyset cursor: the same rows in the same order, NULL keys included', async () => {
    let compared = 0;
    for (const user of users.filter((u) => ['gusu.staff', 'city.staff', 'dongwu.ent', 'admin'].includes(u.username))) {
      const scope = scopeOf({ role: user.role, organisationId: user.organisation_id, districtCode: user.district_code, streetCode: user.street_code });
      const viewer = { id: user.id, role: user.role, scope, organisationId: user.organisation_id, districtCode: user.district_code, streetCode: user.street_code };
      const expected = oracle(db, user, scope);
      const desc: ['started_at', 'DESC'] = ['started_at', 'DESC'];
      const cases: Array<[string, ListPlan<unknown>, number[]]> = [
        ['cases', await planVisibleCases(db, viewer, {}, desc), await expected.cases()],
        ['started', await planStartedCases(db, viewer, {}, desc), await expected.started()],
        ['copied', await planCopiedCases(db, viewer, {}, desc), await expected.copied()],
        ['todo', await planTaskBox(db, 'todo', viewer, {}, ['created_at', 'DESC']), await expected.todo()],
        ['done', await planTaskBox(db, 'done', viewer, {}, ['completed_at', 'DESC']), await expected.done()],
        ['claimable', await planTaskBox(db, 'claimable', viewer, {}, ['created_at', 'DESC']), await expected.claimable()],
      ];
      for (const [name, plan, want] of cases) {
        expect({ user: user.username, name, ids: await walked(plan) }).toEqual({ user: user.username, name, ids: want });
        compared += want.length;
      }
      // Ascending, and by a key that is NULL on most rows (no deadline): nothing lost, nothing twice.
      for (const direction of ['ASC', 'DESC'] as const) {
        const ids = await walked(await planTaskBox(db, 'claimable', viewer, {}, ['due_at', direction]));
        const want = await expected.claimable();
        expect([...ids].sort((a, b) => a - b)).toEqual([...want].sort((a, b) => a - b));
      }
      const asc = await walked(await planVisibleCases(db, viewer, {}, ['started_at', 'ASC']));
      expect(asc).toEqual(((await db('cases as c').whereIn('c.id', asc).orderBy('c.started_at', 'asc').orderBy('c.id', 'asc').select('c.id')) as Array<{ id: number }>).map((r) => Number(r.id)));
      expect(asc.length).toBe((await expected.cases()).length);
      // Sorted by the id itself (the cursor's one-column form), both ways.
      const want = [...(await expected.cases())].sort((a, b) => a - b);
      expect(await walked(await planVisibleCases(db, viewer, {}, ['id', 'ASC']))).toEqual(want);
      expect(await walked(await planVisibleCases(db, viewer, {}, ['id', 'DESC']))).toEqual([...want].reverse());
    }
    expect(compared).toBeGreaterThan(200);
  }, 300_000);

  it('filters the task boxes by the day a step arrived, as Beijing calendar days', async () => {
    // 2 January in Beijing: from 1 January 16:00 to 2 January 16:00 UTC.
    const from = new Date('2026-01-01T16:00:00Z');
    const to = new Date('2026-01-02T16:00:00Z');
    let compared = 0;
    for (const user of users.filter((u) => ['gusu.staff', 'city.staff', 'dongwu.ent', 'pingjiang.street'].includes(u.username))) {
      const agent = await signIn(app, user.username);
      const scope = scopeOf({ role: user.role, organisationId: user.organisation_id, districtCode: user.district_code, streetCode: user.street_code });
      const expected = oracle(db, user, scope);
      for (const [box, want, sort] of [
        ['todo', expected.todo, 'created_at'],
        ['done', expected.done, 'completed_at'],
        ['claimable', expected.claimable, 'created_at'],
      ] as const) {
        const all = await want();
        const arrived = new Map(
          (
            (await db('case_tasks')
              .whereIn('id', all.length ? all : [0])
              .select('id', 'created_at')) as Array<{ id: number; created_at: Date }>
          ).map((r) => [Number(r.id), r.created_at.getTime()]),
        );
        const wanted = all.filter((id) => arrived.get(id)! >= from.getTime() && arrived.get(id)! < to.getTime());
        const res = await agent.get(`/api/inbox/${box}`).query({ sort: JSON.stringify([sort, 'DESC']), range: JSON.stringify([0, 499]), filter: JSON.stringify({ arrived_from: '2026-01-02', arrived_to: '2026-01-02' }) });
        expect(res.status).toBe(200);
        expect({ user: user.username, box, ids: (res.body as Array<{ id: number }>).map((r) => Number(r.id)) }).toEqual({ user: user.username, box, ids: wanted });
        compared += wanted.length;
      }
    }
    expect(compared).toBeGreaterThan(10);
  });

  it('exports the case list and a box as Excel ledgers with Chinese headers, names for codes, and the rows the list shows', async () => {
    const gusu = users.find((u) => u.username === 'gusu.staff')!;
    const agent = await signIn(app, gusu.username);
    const filter = { status: 'running' };
    const res = await agent
      .get('/api/cases/export')
      .query({ filter: JSON.stringify(filter) })
      .buffer(true)
      .parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toContain(encodeURIComponent('办件台账'));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    const headers = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
    expect(headers).toEqual(['办件编号', '事项', '标题', '申请单位', '区县', '状态', '结果', '当前环节', '申请人', '申请时间', '办结时间', '最近更新']);
    const scope = scopeOf({ role: gusu.role, organisationId: gusu.organisation_id, districtCode: gusu.district_code, streetCode: gusu.street_code });
    const wanted = (await oracle(db, gusu, scope).cases()).length;
    const running = (await db('cases').where('status', 'running').pluck('id')) as number[];
    const visibleRunning = (await oracle(db, gusu, scope).cases()).filter((id) => running.includes(id)).length;
    expect(wanted).toBeGreaterThan(visibleRunning);
    expect(sheet.rowCount - 1).toBe(visibleRunning);
    const first = sheet.getRow(2);
    expect(first.getCell(6).value).toBe('办理中');
    // A district by its name, never its code; an instant as a date cell.
    expect(String(first.getCell(5).value)).not.toMatch(/^\d+$/);
    expect(first.getCell(10).value).toBeInstanceOf(Date);
    // Logged with its filter and row count.
    const logged = await db('operation_log').where('action', 'cases.export').orderBy('id', 'desc').first();
    expect(logged.result).toBe('ok');
    expect(typeof logged.detail === 'string' ? JSON.parse(logged.detail) : logged.detail).toMatchObject({ filter, rows: visibleRunning });

    const done = await agent.get('/api/inbox/done/export').buffer(true).parse(binary);
    expect(done.status).toBe(200);
    const box = new ExcelJS.Workbook();
    await box.xlsx.load(done.body as ArrayBuffer);
    expect(box.worksheets[0]!.rowCount - 1).toBe((await oracle(db, gusu, scope).done()).length);
    expect((box.worksheets[0]!.getRow(1).values as unknown[]).slice(1)).toContain('办理结果');
    // 待分配 is for administrators only, its export too.
    expect((await agent.get('/api/inbox/unassigned/export')).status).toBe(403);
  }, 120_000);
});
