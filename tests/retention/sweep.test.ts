import type { Knex } from 'knex';
import { sweepRetention, type RetentionSettings } from '../../activities/retention';
import { daysBefore } from '../../db/retention/common';
import { freshTestDatabase } from '../helpers/db';

/**
 * The daily retention sweep against a seeded database: for every kind of personal data, rows
 * backdated past their retention change and rows within it do not; batches smaller than the
 * data prove the sweep drains in several bounded steps; a second sweep changes nothing.
 */
describe('retention sweep', () => {
  let db: Knex;
  const now = new Date();
  const settings: RetentionSettings = { staffLeftDays: 1095, disabledAccountDays: 365, committeeMemberDays: 1095, smsDays: 180, sessionDays: 30, batchSize: 2 };
  const ago = (days: number) => daysBefore(now, days);
  const dateAgo = (days: number) => ago(days).toISOString().slice(0, 10);

  const ids: Record<string, number[]> = {};
  let logRowsBefore = 0;
  let keptIdNumbers = new Map<number, string>();

  beforeAll(async () => {
    ({ db } = await freshTestDatabase());

    // Staff: three who left 4 years ago (one without a leaving date, last changed then), one who
    // left a year ago, one still employed.
    const staff = (await db('enterprise_staff').orderBy('id').limit(5).select('id', 'id_number')) as Array<{ id: number; id_number: string }>;
    keptIdNumbers = new Map(staff.map((r) => [r.id, r.id_number]));
    expect(staff).toHaveLength(5);
    const [s1, s2, s3, s4, s5] = staff;
    await db('enterprise_staff')
      .whereIn('id', [s1.id, s2.id])
      .update({ active: 0, left_on: dateAgo(1500) });
    await db('enterprise_staff')
      .where('id', s3.id)
      .update({ active: 0, left_on: null, updated_at: ago(1500) });
    await db('enterprise_staff')
      .where('id', s4.id)
      .update({ active: 0, left_on: dateAgo(365) });
    ids.staffOld = [s1.id, s2.id, s3.id];
    ids.staffKept = [s4.id, s5.id];
    // A history row that carries the ID number of a person past retention.
    await db('registry_changes').insert({
      entity: 'staff',
      entity_id: s1.id,
      action: 'update',
      changed_fields: '["mobile"]',
      before_data: JSON.stringify({ name: '旧名', id_number: s1.id_number, mobile: '13900000001' }),
      after_data: JSON.stringify({ name: '旧名', id_number: s1.id_number, mobile: '13900000002' }),
      username: 'test',
    });

    // Committees: one whose term ended 4 years ago, the others current.
    const committees = (await db('owners_committees').orderBy('id').select('id')) as Array<{ id: number }>;
    expect(committees.length).toBeGreaterThanOrEqual(2);
    await db('owners_committees')
      .where('id', committees[0].id)
      .update({ term_ends_on: dateAgo(1500) });
    await db('owners_committees')
      .whereNot('id', committees[0].id)
      .update({ term_ends_on: dateAgo(-365) });
    ids.committeeOld = [committees[0].id];
    if ((await db('committee_members').where('committee_id', committees[0].id).count({ n: '*' }))[0].n === 0) {
      await db('committee_members').insert({ committee_id: committees[0].id, name: '王委员', position: 'member', phone: '13900000003', birth_year: 1960, political_status: '群众' });
    }
    ids.membersOld = (await db('committee_members').where('committee_id', committees[0].id).pluck('id')) as number[];
    ids.membersKept = (await db('committee_members').whereNot('committee_id', committees[0].id).pluck('id')) as number[];
    expect(ids.membersKept.length).toBeGreaterThan(0);

    // Accounts: disabled 2 years ago (two), disabled 2 years ago but the starter of an open case,
    // disabled a month ago, and active ones.
    const users = (await db('users').whereIn('username', ['hengtai.ent', 'chengtou.dev', 'dongwu.pm', 'huqiu.staff', 'gusu.staff']).select('id', 'username')) as Array<{ id: number; username: string }>;
    const u = Object.fromEntries(users.map((r) => [r.username, r.id]));
    await db('users').whereIn('id', [u['hengtai.ent'], u['chengtou.dev'], u['dongwu.pm']]).update({ active: 0 });
    await db('users')
      .whereIn('id', [u['hengtai.ent'], u['chengtou.dev'], u['dongwu.pm']])
      .update({ deactivated_at: ago(730) });
    await db('users').where('id', u['huqiu.staff']).update({ active: 0 });
    ids.accountsOld = [u['hengtai.ent'], u['chengtou.dev']];
    ids.accountsKept = [u['dongwu.pm'], u['huqiu.staff']];
    const organisationId = (await db('users').where('id', u['dongwu.pm']).first('organisation_id')).organisation_id;
    await db('cases').insert({
      number: 'T-RET-1',
      workflow_id: 'retention-test-open-case',
      process_key: 'sample-approval',
      process_version: 1,
      title: '在办案件',
      status: 'running',
      started_by: u['dongwu.pm'],
      applicant_organisation_id: organisationId,
      check_code: 'TEST',
      variables: '{}',
    });
    // Sessions of an active account: one expired two months ago (deleted), one yesterday and one live (kept).
    await db('sessions').insert([
      { token_hash: 'a'.repeat(64), user_id: u['gusu.staff'], expires_at: ago(60), ip: '203.0.113.1' },
      { token_hash: 'b'.repeat(64), user_id: u['huqiu.staff'], expires_at: ago(1), ip: '203.0.113.2' },
      { token_hash: 'c'.repeat(64), user_id: u['huqiu.staff'], expires_at: ago(-1), ip: '203.0.113.3' },
    ]);

    // SMS: three delivered messages 200 days old (more than one batch), one still queued at that
    // age (never changed under the SMS worker), one 10 days old.
    const message = (key: string, phone: string, status: string, days: number) => ({ idempotency_key: key, phone, phone_normalised: phone, text: `通知${key}`, encoding: 'ucs2', part_count: 1, status, created_at: ago(days) });
    await db('sms_messages').insert([
      message('old-1', '13900000011', 'delivered', 200),
      message('old-2', '13900000012', 'delivered', 200),
      message('old-3', '13900000013', 'failed', 200),
      message('old-q', '13900000014', 'queued', 200),
      message('new-1', '13900000015', 'delivered', 10),
    ]);
    const oldId = (await db('sms_messages').where('idempotency_key', 'old-1').first('id')).id;
    await db('sms_modems').insert({ imei: '860000000000001', port: '/dev/null', status: 'ok' }).onConflict('imei').ignore();
    const [attemptId] = await db('sms_attempts').insert({ message_id: oldId, attempt_no: 1, modem_imei: '860000000000001', concat_ref: 1, status: 'succeeded' });
    await db('sms_segments').insert({ attempt_id: attemptId, message_id: oldId, part_no: 1, part_count: 1, pdu: '0011000D91683109000000F10008AA', modem_imei: '860000000000001', state: 'delivered' });
    await db('sms_inbound').insert([
      { dedupe_key: 'in-old|13900000021', modem_imei: '860000000000001', sender: '+8613900000021', sender_normalised: '13900000021', text: '收到', sent_at: ago(200), received_at: ago(200) },
      { dedupe_key: 'in-new|13900000022', modem_imei: '860000000000001', sender: '13900000022', sender_normalised: '13900000022', text: '收到', sent_at: ago(5), received_at: ago(5) },
    ]);
    await db('sms_inbound_parts').insert([
      { modem_imei: '860000000000001', sender: '13900000023', concat_ref: 7, part_count: 2, part_no: 1, text: '一半', sent_at: ago(200), created_at: ago(200) },
      { modem_imei: '860000000000001', sender: '13900000024', concat_ref: 8, part_count: 2, part_no: 1, text: '一半', sent_at: ago(1), created_at: ago(1) },
    ]);
    logRowsBefore = Number((await db('operation_log').count({ n: '*' }))[0].n);
  });

  afterAll(async () => {
    await db?.destroy();
  });

  it('anonymises and redacts only what is past its retention, in bounded batches', async () => {
    const batches: Array<[string, number]> = [];
    const counts = await sweepRetention(db, settings, now, { onBatch: async (kind, n) => void batches.push([kind, n]) });
    expect(counts).toMatchObject({ staff: 3, accounts: 2, sessions: 1, smsMessages: 3, smsInbound: 1, smsInboundParts: 1, committeeMembers: ids.membersOld.length });
    // Batches of at most 2: the three staff took two batches.
    expect(batches.filter(([k]) => k === 'staff').map(([, n]) => n)).toEqual([2, 1]);
    expect(batches.every(([, n]) => n <= settings.batchSize)).toBe(true);

    const staff = (await db('enterprise_staff')
      .whereIn('id', [...ids.staffOld, ...ids.staffKept])
      .select('*')) as Array<Record<string, unknown> & { id: number }>;
    for (const s of staff.filter((r) => ids.staffOld.includes(r.id))) {
      expect(s).toMatchObject({ name: `已离职人员#${s.id}`, id_number: `#${s.id}`, mobile: null, certificate_no: null });
      // The encrypted columns' companions (migration 090), when present: blind index and last four characters.
      if ('id_number_bidx' in s) expect(s.id_number_bidx).toBe(`#${s.id}`);
      if ('id_number_last4' in s) expect(s.id_number_last4).toBeNull();
      expect(s.anonymised_at).not.toBeNull();
    }
    for (const s of staff.filter((r) => ids.staffKept.includes(r.id))) {
      expect(String(s.name)).not.toMatch(/^已离职人员#/);
      expect(s.anonymised_at).toBeNull();
      expect(s.id_number).toBe(keptIdNumbers.get(s.id));
    }
    const history = (await db('registry_changes').where({ entity: 'staff', entity_id: ids.staffOld[0] }).select('before_data', 'after_data', 'username')) as Array<{ before_data: string | null; after_data: string | null; username: string }>;
    expect(history.map((h) => `${h.before_data}${h.after_data}`).join('')).not.toMatch(/\d{17}[\dX]|1390000000/);
    expect(history.some((h) => h.username === 'retention')).toBe(true);

    const members = (await db('committee_members').select('id', 'name', 'phone', 'anonymised_at')) as Array<{ id: number; name: string; phone: string | null; anonymised_at: Date | null }>;
    for (const m of members) {
      if (ids.membersOld.includes(m.id)) expect(m).toMatchObject({ name: `原委员#${m.id}`, phone: null });
      else expect(m.anonymised_at).toBeNull();
    }

    const accounts = (await db('users')
      .whereIn('id', [...ids.accountsOld, ...ids.accountsKept])
      .select('id', 'username', 'display_name', 'phone', 'active', 'anonymised_at')) as Array<Record<string, unknown> & { id: number }>;
    for (const a of accounts) {
      if (ids.accountsOld.includes(a.id)) expect(a).toMatchObject({ username: `anonymised#${a.id}`, display_name: `已注销用户#${a.id}`, phone: null, active: 0 });
      else expect(a).toMatchObject({ anonymised_at: null });
    }
    expect(await db('sessions').orderBy('token_hash').pluck('token_hash')).toEqual(['b'.repeat(64), 'c'.repeat(64)]);

    const sms = (await db('sms_messages').whereIn('idempotency_key', ['old-1', 'old-2', 'old-3', 'old-q', 'new-1']).orderBy('idempotency_key').select('id', 'idempotency_key', 'phone', 'phone_normalised', 'text')) as Array<{
      id: number;
      idempotency_key: string;
      phone: string;
      phone_normalised: string;
      text: string;
    }>;
    const byKey = Object.fromEntries(sms.map((m) => [m.idempotency_key, m]));
    expect(byKey['old-1']).toMatchObject({ phone: `139****0011#${byKey['old-1'].id}`, phone_normalised: '139****0011', text: '' });
    expect(byKey['old-3'].text).toBe('');
    expect(byKey['old-q']).toMatchObject({ phone: '13900000014', text: '通知old-q' });
    expect(byKey['new-1']).toMatchObject({ phone: '13900000015', text: '通知new-1' });
    expect(await db('sms_segments').where('message_id', byKey['old-1'].id).pluck('pdu')).toEqual(['']);
    expect(await db('sms_inbound').orderBy('id').select('sender', 'text')).toEqual([
      { sender: '139****0021', text: '' },
      { sender: '13900000022', text: '收到' },
    ]);
    expect(await db('sms_inbound_parts').pluck('sender')).toEqual(['13900000024']);

    // The operation log is never touched by the sweep (append-only; its own retention).
    expect(Number((await db('operation_log').count({ n: '*' }))[0].n)).toBe(logRowsBefore);
  });

  it('changes nothing the second time (idempotent)', async () => {
    const counts = await sweepRetention(db, settings, now);
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
  });

  it('keeps the name of a disabled account while it started an open case, and anonymises it once the case ended', async () => {
    const [kept] = ids.accountsKept;
    expect(await db('users').where('id', kept).first('username')).toEqual({ username: 'dongwu.pm' });
    await db('cases').where('workflow_id', 'retention-test-open-case').update({ status: 'completed' });
    const counts = await sweepRetention(db, settings, now);
    expect(counts.accounts).toBe(1);
    expect(await db('users').where('id', kept).first('username')).toEqual({ username: `anonymised#${kept}` });
  });
});
