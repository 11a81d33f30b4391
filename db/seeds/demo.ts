import type { Knex } from 'knex';
import { encryptField } from '../../lib/crypto/fields';
import { hashPassword } from '../../lib/passwords';
import { isAdminRole, type Role } from '../../lib/roles';
import { TOTP_SECRET_PURPOSE } from '../../lib/second-factor';
import { DEMO_EXPERTS, seedApprovalsDemo } from './approvals-demo';
import { seedRegistriesDemo } from './registries-demo';
import { CITY, DISTRICTS, streetCode } from './suzhou-regions';

/** Every demo account signs in with this password; `npm start` prints it. */
export const DEMO_PASSWORD = 'Demo@2026';
/**
 * The second factor of the three demo administrators (admin, security, auditor): one published
 * TOTP secret (base32), like the password. Add it to an authenticator app by hand, or print the
 * current code with `npm run demo:totp -- <username>`; the tests compute it (tests/helpers/totp.ts).
 */
export const DEMO_TOTP_SECRET = 'PROPERTYPLATFORMDEMOTOTPSECRET23';

type OrgKind = 'city_bureau' | 'admin_centre' | 'district_bureau' | 'street_office' | 'enterprise' | 'developer' | 'owners_committee' | 'public';

interface OrgSeed {
  code: string;
  name: string;
  kind: OrgKind;
  district_code: string | null;
  street_code: string | null;
  phone?: string;
  address?: string;
}

export interface DemoUser {
  username: string;
  displayName: string;
  role: Role;
  organisationCode: string;
  phone: string;
}

const GUSU = '320508';
const HUQIU = '320505';
const SIP = '320576';

function organisations(): OrgSeed[] {
  const orgs: OrgSeed[] = [
    { code: 'SZ-JSJ', name: '苏州市住房和城乡建设局', kind: 'city_bureau', district_code: null, street_code: null, phone: '0512-68616000', address: '苏州市姑苏区三香路1199号' },
    { code: 'SZ-XZFWZX', name: '苏州市政务服务中心住建窗口', kind: 'admin_centre', district_code: null, street_code: null, phone: '0512-68660000', address: '苏州市姑苏区干将西路1520号' },
    { code: 'PUBLIC', name: '社会公众', kind: 'public', district_code: null, street_code: null },
    // The tender approval's evaluation-expert pool; its members sign in with the role "expert".
    { code: 'EXPERT-POOL', name: '苏州市物业管理评标专家库', kind: 'public', district_code: null, street_code: null },
  ];
  for (const d of DISTRICTS) {
    orgs.push({ code: `DB-${d.code}`, name: d.bureau, kind: 'district_bureau', district_code: d.code, street_code: null });
    d.streets.forEach((s, i) => {
      const office = s.endsWith('镇') ? `${s}人民政府` : `${s}办事处`;
      orgs.push({ code: `ST-${streetCode(d.code, i)}`, name: `${d.name}${office}`, kind: 'street_office', district_code: d.code, street_code: streetCode(d.code, i) });
    });
  }
  orgs.push(
    { code: 'ENT-91320508MA1DONGWU', name: '苏州东吴物业管理有限公司', kind: 'enterprise', district_code: GUSU, street_code: streetCode(GUSU, 0), phone: '0512-65230001', address: '苏州市姑苏区人民路1008号' },
    { code: 'ENT-91320576MA1HENGTAI', name: '苏州工业园区恒泰物业服务有限公司', kind: 'enterprise', district_code: SIP, street_code: streetCode(SIP, 1), phone: '0512-62880002', address: '苏州工业园区星湖街328号' },
    { code: 'ENT-91320505MA1SHISHAN', name: '苏州狮山物业服务有限公司', kind: 'enterprise', district_code: HUQIU, street_code: streetCode(HUQIU, 0), phone: '0512-68250003', address: '苏州高新区狮山路88号' },
    { code: 'DEV-91320500MA1CHENGTOU', name: '苏州城投地产发展有限公司', kind: 'developer', district_code: GUSU, street_code: null, phone: '0512-65100004', address: '苏州市姑苏区十梓街1号' },
    { code: 'OC-320508001-PJXC', name: '平江新村业主委员会', kind: 'owners_committee', district_code: GUSU, street_code: streetCode(GUSU, 0), phone: '0512-67270005', address: '苏州市姑苏区平江新村32幢' },
  );
  return orgs;
}

export const DEMO_USERS: DemoUser[] = [
  { username: 'admin', displayName: '系统管理员', role: 'sysadmin', organisationCode: 'SZ-JSJ', phone: '13800000001' },
  { username: 'city.staff', displayName: '王建国（物业处）', role: 'city_staff', organisationCode: 'SZ-JSJ', phone: '13800000002' },
  { username: 'city.leader', displayName: '李明华（分管局长）', role: 'city_leader', organisationCode: 'SZ-JSJ', phone: '13800000003' },
  { username: 'centre', displayName: '周晓燕（受理窗口）', role: 'admin_centre', organisationCode: 'SZ-XZFWZX', phone: '13800000004' },
  { username: 'gusu.staff', displayName: '陈志强（姑苏区）', role: 'district_staff', organisationCode: `DB-${GUSU}`, phone: '13800000005' },
  { username: 'huqiu.staff', displayName: '张丽（高新区）', role: 'district_staff', organisationCode: `DB-${HUQIU}`, phone: '13800000006' },
  { username: 'sip.staff', displayName: '刘洋（园区）', role: 'district_staff', organisationCode: `DB-${SIP}`, phone: '13800000007' },
  { username: 'pingjiang.street', displayName: '吴芳（平江街道）', role: 'street_office', organisationCode: `ST-${streetCode(GUSU, 0)}`, phone: '13800000008' },
  { username: 'dongwu.ent', displayName: '孙伟（东吴物业）', role: 'enterprise', organisationCode: 'ENT-91320508MA1DONGWU', phone: '13800000009' },
  { username: 'hengtai.ent', displayName: '钱静（恒泰物业）', role: 'enterprise', organisationCode: 'ENT-91320576MA1HENGTAI', phone: '13800000010' },
  { username: 'dongwu.pm', displayName: '赵磊（项目经理）', role: 'project_manager', organisationCode: 'ENT-91320508MA1DONGWU', phone: '13800000011' },
  { username: 'chengtou.dev', displayName: '郑凯（城投地产）', role: 'developer', organisationCode: 'DEV-91320500MA1CHENGTOU', phone: '13800000012' },
  { username: 'pingjiang.oc', displayName: '冯秀英（业委会主任）', role: 'owners_committee', organisationCode: 'OC-320508001-PJXC', phone: '13800000013' },
  { username: 'public.zhang', displayName: '张先生', role: 'public', organisationCode: 'PUBLIC', phone: '13800000014' },
  ...DEMO_EXPERTS.map((e, i): DemoUser => ({ username: e.username, displayName: `${e.name}（评标专家）`, role: 'expert', organisationCode: 'EXPERT-POOL', phone: `1380000002${i}` })),
  // Last, so the ids of the accounts above stay what they were before these two existed.
  { username: 'security', displayName: '安全管理员', role: 'security_admin', organisationCode: 'SZ-JSJ', phone: '13800000015' },
  { username: 'auditor', displayName: '审计管理员', role: 'audit_admin', organisationCode: 'SZ-JSJ', phone: '13800000016' },
];

/**
 * Idempotent: places and organisations are upserted by code; users are inserted only when
 * missing, so a password someone changed survives a second run.
 */
/** The city's districts and streets: reference data every installation needs, demo or not. */
export async function seedRegions(db: Knex): Promise<void> {
  const regions = [
    { code: CITY.code, name: CITY.name, level: 'city', parent_code: null, sort: 0 },
    ...DISTRICTS.flatMap((d, di) => [
      { code: d.code, name: d.name, level: 'district', parent_code: CITY.code, sort: di },
      ...d.streets.map((s, si) => ({ code: streetCode(d.code, si), name: s, level: 'street', parent_code: d.code, sort: si })),
    ]),
  ];
  // Parents first: the foreign key on parent_code needs the city before the districts.
  for (const level of ['city', 'district', 'street']) {
    const rows = regions.filter((r) => r.level === level);
    await db('regions').insert(rows).onConflict('code').merge(['name', 'level', 'parent_code', 'sort']);
  }
}

/** Refuses outside development and tests: demo accounts share one published password. */
export function assertDemoAllowed(env: NodeJS.ProcessEnv = process.env): void {
  if (env.NODE_ENV === 'production') {
    throw new Error('Demo data (accounts with the published demo password) is never created in production. Create the first administrator with `npm run setup:admin` instead.');
  }
}

export async function seedDemo(db: Knex): Promise<{ users: number; organisations: number }> {
  assertDemoAllowed();
  await seedRegions(db);

  const orgs = organisations();
  await db('organisations')
    .insert(orgs.map((o) => ({ phone: null, address: null, ...o })))
    .onConflict('code')
    .merge(['name', 'kind', 'district_code', 'street_code', 'phone', 'address']);

  const orgIds = new Map<string, number>((await db('organisations').select('id', 'code')).map((r: { id: number; code: string }) => [r.code, r.id]));
  const existing = new Set<string>((await db('users').pluck('username')) as string[]);
  const missing = DEMO_USERS.filter((u) => !existing.has(u.username));
  if (missing.length > 0) {
    const hash = await hashPassword(DEMO_PASSWORD);
    await db('users')
      .insert(
        missing.map((u) => ({
          username: u.username,
          display_name: u.displayName,
          phone: u.phone,
          role: u.role,
          organisation_id: orgIds.get(u.organisationCode),
          password_hash: hash,
          // The administrators come enrolled with the published demo secret (see DEMO_TOTP_SECRET).
          ...(isAdminRole(u.role) ? { totp_secret: encryptField(TOTP_SECRET_PURPOSE, DEMO_TOTP_SECRET), totp_enabled_at: new Date() } : {}),
        })),
      )
      .onConflict('username')
      .ignore();
  }
  await seedRegistriesDemo(db);
  await seedApprovalsDemo(db);
  return { users: DEMO_USERS.length, organisations: orgs.length };
}
