import type { Knex } from 'knex';
import { recomputeScores } from '../registries/credit';
import { validUntilOf } from '../../lib/credit/score';
import { seedCreditStandard } from './credit-standard-demo';
import { idNumberIndex, sealMemberRow, sealStaffRow } from '../registries/pii';
import { refreshDuplicateFlags } from '../registries/staff';
import { CERTIFICATES, COMMUNITY_WORDS, ENTERPRISE_BRANDS, ESTATE_PHASES, ESTATE_PREFIXES, ESTATE_SUFFIXES, FACILITY_KINDS, POLITICAL, Prng, TITLES, creditCode, idNumber, landline, mobile, personName } from './registries-demo-data';
import { DISTRICTS, streetCode } from './suzhou-regions';

/**
 * Demo data for the base registries: residents' committees under every street, about a hundred
 * enterprises, four hundred projects with buildings and facilities, staff (a few registered at
 * two enterprises), owners' committees and two years of credit events.
 *
 * Deterministic (a fixed-seed generator, no clock but the year) and idempotent: rows are
 * inserted with "on conflict ignore" by their natural keys, and the parts of a record (buildings,
 * members…) are written only for records this run created, so a second run writes nothing and a
 * record someone edited keeps its edit. Batch inserts keep it to a couple of seconds.
 */
const SEED = 20260517;
const GUSU = '320508';
const HUQIU = '320505';
const SIP = '320576';
const PROJECTS_PER_DISTRICT: Record<string, number> = { '320508': 60, '320505': 45, '320506': 45, '320507': 35, '320509': 35, '320576': 60, '320581': 30, '320582': 30, '320583': 40, '320585': 20 };

/** The foundation seed's organisations that are registry records too. */
const DONGWU = 'ENT-91320508MA1DONGWU';
const HENGTAI = 'ENT-91320576MA1HENGTAI';
const SHISHAN = 'ENT-91320505MA1SHISHAN';
const CHENGTOU = 'DEV-91320500MA1CHENGTOU';
const PINGJIANG_OC = 'OC-320508001-PJXC';

type Row = Record<string, unknown>;

async function insertIgnore(db: Knex, table: string, rows: Row[], conflict: string[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500)
    await db(table)
      .insert(rows.slice(i, i + 500))
      .onConflict(conflict)
      .ignore();
}

async function insertAll(db: Knex, table: string, rows: Row[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await db(table).insert(rows.slice(i, i + 500));
}

const date = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

export interface RegistriesSeedSummary {
  communities: number;
  enterprises: number;
  projects: number;
  staff: number;
  committees: number;
  creditEvents: number;
}

export async function seedRegistriesDemo(db: Knex): Promise<RegistriesSeedSummary> {
  const rng = new Prng(SEED);
  const year = new Date().getUTCFullYear();
  // Beijing's today: records of the demo never lie in the future.
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

  // Residents' committees (居委) under every street.
  const communities: Row[] = [];
  for (const d of DISTRICTS) {
    d.streets.forEach((_s, si) => {
      const street = streetCode(d.code, si);
      const n = rng.int(3, 5);
      const words = [...COMMUNITY_WORDS].sort(() => rng.next() - 0.5).slice(0, n);
      words.forEach((w, ci) => communities.push({ code: `${street}${String(ci + 1).padStart(3, '0')}`, name: `${w}社区居委会`, level: 'community', parent_code: street, sort: ci }));
    });
  }
  await insertIgnore(db, 'regions', communities, ['code']);
  const communitiesOf = new Map<string, string[]>();
  for (const c of communities) communitiesOf.set(c.parent_code as string, [...(communitiesOf.get(c.parent_code as string) ?? []), c.code as string]);

  // Enterprises: the foundation's three companies and developer, plus generated ones.
  interface EntSeed {
    orgCode: string;
    kind: 'property_service' | 'developer' | 'subcontractor';
    specialty: string | null;
    name: string;
    credit: string;
    district: string;
    streetIdx: number;
    parent?: string;
  }
  const ents: EntSeed[] = [
    { orgCode: DONGWU, kind: 'property_service', specialty: null, name: '苏州东吴物业管理有限公司', credit: creditCode(rng, GUSU), district: GUSU, streetIdx: 0 },
    { orgCode: HENGTAI, kind: 'property_service', specialty: null, name: '苏州工业园区恒泰物业服务有限公司', credit: creditCode(rng, SIP), district: SIP, streetIdx: 1 },
    { orgCode: SHISHAN, kind: 'property_service', specialty: null, name: '苏州狮山物业服务有限公司', credit: creditCode(rng, HUQIU), district: HUQIU, streetIdx: 0 },
    { orgCode: CHENGTOU, kind: 'developer', specialty: null, name: '苏州城投地产发展有限公司', credit: creditCode(rng, GUSU), district: GUSU, streetIdx: 0 },
  ];
  const brands = [...ENTERPRISE_BRANDS];
  const takeBrand = () => brands.splice(rng.int(0, brands.length - 1), 1)[0];
  const SPECIALTY_NAMES: Record<string, string> = { repair: '建筑维修工程有限公司', elevator: '电梯工程有限公司', security: '保安服务有限公司', cleaning: '保洁服务有限公司', greening: '园林绿化工程有限公司' };
  const plan: Array<['property_service' | 'developer' | 'subcontractor', number]> = [
    ['property_service', 57],
    ['developer', 12],
    ['subcontractor', 30],
  ];
  for (const [kind, n] of plan) {
    for (let i = 0; i < n; i++) {
      const d = rng.pick(DISTRICTS);
      const brand = takeBrand() ?? `${rng.pick(ESTATE_PREFIXES[d.code])}${i}`;
      const specialty = kind === 'subcontractor' ? (['repair', 'elevator', 'security', 'cleaning', 'greening'] as const)[i % 5] : null;
      const name = kind === 'property_service' ? `苏州${brand}${rng.chance(0.5) ? '物业管理有限公司' : '物业服务有限公司'}` : kind === 'developer' ? `苏州${brand}置业有限公司` : `苏州${brand}${SPECIALTY_NAMES[specialty!]}`;
      const credit = creditCode(rng, d.code);
      ents.push({ orgCode: `${kind === 'property_service' ? 'ENT' : kind === 'developer' ? 'DEV' : 'SUB'}-${credit}`, kind, specialty, name, credit, district: d.code, streetIdx: rng.int(0, d.streets.length - 1) });
    }
  }
  const propertyCompanies = ents.filter((e) => e.kind === 'property_service');
  for (const e of ents.filter((x) => x.kind === 'subcontractor')) e.parent = rng.pick(propertyCompanies).orgCode;

  const orgRows = ents.map((e) => ({
    code: e.orgCode,
    name: e.name,
    kind: e.kind === 'developer' ? 'developer' : 'enterprise',
    district_code: e.district,
    street_code: streetCode(e.district, e.streetIdx),
    phone: landline(rng),
    address: `苏州市${DISTRICTS.find((d) => d.code === e.district)!.name}${rng.pick(ESTATE_PREFIXES[e.district])}路${rng.int(1, 999)}号`,
  }));
  await insertIgnore(db, 'organisations', orgRows, ['code']);
  const orgIds = new Map(
    (
      (await db('organisations')
        .whereIn('code', [...ents.map((e) => e.orgCode), PINGJIANG_OC])
        .select('id', 'code')) as Array<{ id: number; code: string }>
    ).map((o) => [o.code, o.id]),
  );
  // The foundation's organisations keep their own phone and address; the registry copies them.
  const orgById = new Map(
    (
      (await db('organisations')
        .whereIn(
          'code',
          ents.map((e) => e.orgCode),
        )
        .select('code', 'phone', 'address', 'street_code')) as Array<{ code: string; phone: string | null; address: string | null; street_code: string | null }>
    ).map((o) => [o.code, o]),
  );
  const levels = ['level_1', 'level_2', 'level_2', 'level_3', 'level_3', 'level_3', 'provisional'];
  const enterpriseRows = ents.map((e) => {
    const org = orgById.get(e.orgCode)!;
    const qualified = e.kind === 'property_service';
    const validYear = year + rng.int(-1, 3);
    return {
      id: orgIds.get(e.orgCode),
      kind: e.kind,
      specialty: e.specialty,
      parent_enterprise_id: e.parent ? orgIds.get(e.parent) : null,
      name: e.name,
      credit_code: e.credit,
      legal_representative: personName(rng),
      registered_capital: rng.pick([50, 100, 200, 300, 500, 1000, 2000, 5000]),
      established_on: date(rng.int(1994, year - 2), rng.int(1, 12), rng.int(1, 28)),
      address: org.address,
      district_code: e.district,
      street_code: org.street_code,
      phone: org.phone,
      service_phone: qualified ? landline(rng) : null,
      email: null,
      employees: rng.int(20, 900),
      out_of_town: rng.chance(0.05),
      qualification_level: qualified ? (e.orgCode === DONGWU ? 'level_1' : rng.pick(levels)) : 'none',
      qualification_certificate_no: qualified ? `苏物资${validYear - 3}${String(rng.int(1, 9999)).padStart(4, '0')}` : null,
      qualification_valid_until: qualified ? date(validYear, rng.int(1, 12), rng.int(1, 28)) : null,
      approved: 1,
      approved_at: new Date(Date.UTC(year, 0, 2)),
    };
  });
  await insertIgnore(db, 'enterprises', enterpriseRows, ['id']);
  const entId = (code: string) => orgIds.get(code)!;
  const companiesIn = (district: string) => propertyCompanies.filter((e) => e.district === district);
  const developers = ents.filter((e) => e.kind === 'developer');

  // Projects, with their buildings and facilities.
  interface ProjectPlan {
    row: Row;
    buildings: Row[];
    facilities: Row[];
  }
  const projectPlans: ProjectPlan[] = [];
  const usedNames = new Set<string>();
  for (const d of DISTRICTS) {
    const total = PROJECTS_PER_DISTRICT[d.code] ?? 30;
    for (let i = 0; i < total; i++) {
      const streetIdx = d.code === GUSU && i < 6 ? 0 : rng.int(0, d.streets.length - 1);
      const street = streetCode(d.code, streetIdx);
      let name = '';
      if (d.code === GUSU && i === 0) name = '平江新村';
      else if (d.code === SIP && i === 0) name = '金鸡湖花园';
      for (let tries = 0; !name || usedNames.has(name); tries++) name = `${rng.pick(ESTATE_PREFIXES[d.code])}${rng.pick(ESTATE_SUFFIXES)}${tries > 3 ? rng.pick(ESTATE_PHASES.filter(Boolean)) : rng.pick(ESTATE_PHASES)}`;
      usedNames.add(name);
      const buildYear = i === 0 && d.code === GUSU ? 1986 : rng.int(1982, year - 2);
      const old = buildYear < 2000;
      const landmark = i === 0 && (d.code === GUSU || d.code === SIP);
      const drawn = rng.chance(0.85)
        ? old
          ? 'residential_multi_storey'
          : rng.pick(['residential_high_rise', 'residential_high_rise', 'residential_multi_storey', 'terraced_villa', 'detached_villa'])
        : rng.pick(['commercial_office', 'public_utility']);
      // The named estates of the foundation's demo (平江新村, 金鸡湖花园) are housing.
      const nature = landmark ? (d.code === GUSU ? 'residential_multi_storey' : 'residential_high_rise') : drawn;
      const buildings = nature === 'detached_villa' || nature === 'terraced_villa' ? rng.int(20, 60) : nature.startsWith('residential') ? rng.int(4, 36) : rng.int(1, 4);
      const floorsMax = nature === 'residential_high_rise' || nature === 'commercial_office' ? rng.int(11, 33) : nature === 'residential_multi_storey' ? rng.int(5, 7) : rng.int(2, 3);
      const stairs = buildings * (nature.endsWith('villa') ? 1 : rng.int(1, 4));
      const households = nature.startsWith('residential') ? stairs * floorsMax * (nature.endsWith('villa') ? 1 : 2) : rng.int(10, 120);
      const elevators = floorsMax > 7 ? stairs * rng.int(1, 2) : 0;
      const parkingBelow = old ? 0 : Math.round((households * rng.int(5, 12)) / 10);
      const parkingAbove = rng.int(20, 300);
      const selfManaged = nature.startsWith('residential') && rng.chance(0.08) && !(i === 0);
      const local = companiesIn(d.code);
      let manager: string | null = null;
      if (!selfManaged) {
        if (d.code === GUSU && i < 8) manager = DONGWU;
        else if (d.code === SIP && i < 6) manager = HENGTAI;
        else if (d.code === HUQIU && i < 5) manager = SHISHAN;
        else manager = (local.length && rng.chance(0.8) ? rng.pick(local) : rng.pick(propertyCompanies)).orgCode;
      }
      const developer = !old && rng.chance(0.8) ? (d.code === GUSU && rng.chance(0.4) ? CHENGTOU : rng.pick(developers).orgCode) : null;
      const floorArea = Math.round(households * rng.int(70, 140) + (nature.startsWith('residential') ? 0 : rng.int(5000, 60000)));
      const communityList = communitiesOf.get(street) ?? [];
      const road = rng.pick(ESTATE_PREFIXES[d.code]);
      const code = `XM${d.code}${String(i + 1).padStart(4, '0')}`;
      const managerName = manager ? personName(rng) : null;
      projectPlans.push({
        row: {
          code,
          name,
          address: `苏州市${d.name}${road}路${rng.int(1, 600)}号`,
          district_code: d.code,
          street_code: street,
          community_code: communityList.length ? rng.pick(communityList) : null,
          ring_road: d.code === GUSU ? rng.pick(['内环内', '内环至中环']) : rng.pick(['中环至绕城', '绕城外']),
          block: `${road}板块`,
          housing_office: `${d.name}房管所`,
          postcode: `215${String(rng.int(0, 199)).padStart(3, '0')}`,
          longitude: (120.4 + rng.next() * 0.6).toFixed(6),
          latitude: (31.1 + rng.next() * 0.5).toFixed(6),
          land_area: Math.round(floorArea / (nature === 'residential_high_rise' ? 2.5 : 1.2)),
          floor_area: floorArea,
          door_numbers: `${road}路${rng.int(1, 300)}号-${rng.int(301, 600)}号`,
          build_year: buildYear,
          nature,
          management_mode: selfManaged ? 'self_managed' : 'entrusted',
          enterprise_id: manager ? entId(manager) : null,
          developer_id: developer ? entId(developer) : null,
          buildings_count: buildings,
          floors_max: floorsMax,
          stairs_count: stairs,
          households,
          elevators,
          parking_total: parkingAbove + parkingBelow,
          parking_above: parkingAbove,
          parking_below: parkingBelow,
          entrances_24h: rng.int(1, 3),
          entrances_timed: rng.int(0, 3),
          water_tanks: rng.int(0, 6),
          reservoirs: rng.int(0, 2),
          property_rooms_area: rng.int(80, 900),
          office_rooms_area: rng.int(40, 300),
          commercial_rooms_area: rng.int(0, 500),
          fire_hydrants: buildings * rng.int(2, 6),
          fire_extinguishers: buildings * rng.int(8, 24),
          smoke_detectors: old ? 0 : stairs * floorsMax,
          heat_detectors: old ? 0 : rng.int(0, 60),
          sprinkler_pumps: floorsMax > 7 ? rng.int(2, 4) : 0,
          sprinkler_heads: floorsMax > 7 ? rng.int(200, 3000) : 0,
          fire_alarm_system: !old || rng.chance(0.3),
          perimeter_alarm: rng.chance(0.7),
          video_cameras: rng.int(8, 260),
          video_control_room: rng.chance(0.85),
          access_control: !old || rng.chance(0.5),
          indoor_alarm: rng.chance(0.3),
          physical_protection: rng.chance(0.6),
          maintenance_fund_account: `WXZJ${d.code}${String(i + 1).padStart(5, '0')}`,
          maintenance_fund_balance: rng.int(50, 3000) * 10000,
          office_name: manager ? `${name}物业服务中心` : `${name}业主委员会自管办公室`,
          office_address: `${name}${rng.int(1, buildings)}幢底层`,
          manager_name: managerName,
          manager_mobile: manager ? mobile(rng) : null,
          manager_phone: landline(rng),
          manager_certificate_no: manager ? `XMJL${String(rng.int(1, 99999)).padStart(5, '0')}` : null,
          email: null,
          day_repair_phone: landline(rng),
          night_repair_phone: mobile(rng),
          remarks: null,
          approved: rng.chance(0.85) ? 1 : 0,
          approved_at: null,
        },
        buildings: Array.from({ length: buildings }, (_, b) => ({
          number: `${b + 1}幢`,
          door_number: `${road}路${rng.int(1, 300)}号`,
          floors_above: floorsMax,
          floors_below: old ? 0 : 1,
          stairs: Math.max(1, Math.round(stairs / buildings)),
          households: Math.max(1, Math.round(households / buildings)),
          elevators: Math.round(elevators / buildings),
          structure: floorsMax > 7 ? '框架剪力墙' : '砖混',
          build_year: buildYear,
        })),
        facilities: [...FACILITY_KINDS]
          .sort(() => rng.next() - 0.5)
          .slice(0, rng.int(3, 5))
          .map(([kind, label]) => ({
            kind,
            name: label,
            quantity: rng.int(1, 4),
            location: `${rng.int(1, buildings)}幢地下室`,
            status: rng.pick(['good', 'good', 'good', 'fair', 'poor']),
            last_checked_on: date(year - rng.int(0, 1), rng.int(1, 12), rng.int(1, 28)),
          })),
      });
    }
  }
  const existingProjects = new Set((await db('property_projects').pluck('code')) as string[]);
  await insertIgnore(
    db,
    'property_projects',
    projectPlans.map((p) => p.row),
    ['code'],
  );
  const projectIds = new Map(
    (
      (await db('property_projects')
        .whereIn(
          'code',
          projectPlans.map((p) => p.row.code as string),
        )
        .select('id', 'code')) as Array<{ id: number; code: string }>
    ).map((p) => [p.code, p.id]),
  );
  const fresh = projectPlans.filter((p) => !existingProjects.has(p.row.code as string));
  await insertAll(
    db,
    'project_buildings',
    fresh.flatMap((p) => p.buildings.map((b) => ({ ...b, project_id: projectIds.get(p.row.code as string) }))),
  );
  await insertAll(
    db,
    'project_facilities',
    fresh.flatMap((p) => p.facilities.map((f) => ({ ...f, project_id: projectIds.get(p.row.code as string) }))),
  );

  // Staff: every enterprise's key people; a project manager for each managed project (up to eight).
  const staffRows: Row[] = [];
  const managedBy = new Map<number, string[]>();
  for (const p of projectPlans) if (p.row.enterprise_id) managedBy.set(p.row.enterprise_id as number, [...(managedBy.get(p.row.enterprise_id as number) ?? []), p.row.code as string]);
  const person = (enterpriseId: number, role: string, extra: Row = {}) => {
    const certified = role !== 'legal_representative' && role !== 'principal';
    const row: Row = {
      enterprise_id: enterpriseId,
      name: personName(rng),
      id_number: idNumber(rng),
      mobile: mobile(rng),
      role,
      title: rng.chance(0.4) ? rng.pick(TITLES) : null,
      certificate_type: certified ? (role === 'project_manager' ? '项目经理岗位证书' : rng.pick(CERTIFICATES)) : null,
      certificate_no: certified ? `ZS${String(rng.int(1, 999999)).padStart(6, '0')}` : null,
      certificate_valid_until: certified ? date(year + rng.int(0, 4), rng.int(1, 12), rng.int(1, 28)) : null,
      project_id: null,
      active: 1,
      registered_on: date(rng.int(2012, year - 1), rng.int(1, 12), rng.int(1, 28)),
      left_on: null,
      approved: 1,
      ...extra,
    };
    staffRows.push(row);
    return row;
  };
  for (const e of ents) {
    const id = entId(e.orgCode);
    const legal = enterpriseRows.find((r) => r.id === id)!;
    person(id, 'legal_representative', { name: legal.legal_representative });
    if (e.kind === 'developer') continue;
    if (e.kind === 'subcontractor') {
      for (let k = 0; k < 3; k++) person(id, k ? 'certified_operator' : 'technical');
      continue;
    }
    person(id, 'principal');
    const projectsOf = (managedBy.get(id) ?? []).slice(0, 8);
    projectsOf.forEach((code, k) => {
      if (e.orgCode === DONGWU && k === 0) person(id, 'project_manager', { name: '赵磊', mobile: '13800000011', project_id: projectIds.get(code) });
      else person(id, 'project_manager', { project_id: projectIds.get(code) });
    });
    for (let k = 0, n = rng.int(2, 4); k < n; k++) person(id, 'professional');
    for (let k = 0; k < 2; k++) person(id, 'technical');
    for (let k = 0; k < 2; k++) person(id, 'repair_duty');
    for (let k = 0; k < 2; k++) person(id, 'certified_operator');
  }
  // Double registrations (重复挂职): some professionals also appear, by ID number, at a second company.
  const professionals = staffRows.filter((s) => s.role === 'professional' || s.role === 'project_manager');
  for (let k = 0; k < 12; k++) {
    const who = professionals[(k * 37) % professionals.length];
    const other = propertyCompanies[(k * 11 + 5) % propertyCompanies.length];
    if (entId(other.orgCode) === who.enterprise_id) continue;
    staffRows.push({ ...who, enterprise_id: entId(other.orgCode), role: 'professional', project_id: null, registered_on: date(year - 1, rng.int(1, 12), rng.int(1, 28)) });
  }
  // ID numbers and phones are stored encrypted, a person found by the blind index (db/registries/pii.ts).
  await insertIgnore(db, 'enterprise_staff', staffRows.map(sealStaffRow), ['enterprise_id', 'id_number_bidx']);
  const registrations = new Map<string, number>();
  for (const s of staffRows) registrations.set(s.id_number as string, (registrations.get(s.id_number as string) ?? 0) + 1);
  await refreshDuplicateFlags(
    db,
    [...registrations].filter(([, n]) => n > 1).map(([id]) => id),
  );
  const staffIds = new Map(
    (
      (await db('enterprise_staff')
        .whereIn('enterprise_id', [...new Set(staffRows.map((s) => s.enterprise_id as number))])
        .select('id', 'enterprise_id', 'id_number_bidx')) as Array<{ id: number; enterprise_id: number; id_number_bidx: string }>
    ).map((s) => [`${s.enterprise_id}|${s.id_number_bidx}`, s.id]),
  );
  const managers = staffRows.filter((s) => s.role === 'project_manager');

  // Owners' committees: about one residential estate in three, and 平江新村's (a foundation organisation).
  interface CommitteePlan {
    orgCode: string;
    row: Row;
    members: Row[];
    providers: Row[];
  }
  const committees: CommitteePlan[] = [];
  projectPlans.forEach((p, idx) => {
    const isPingjiang = p.row.name === '平江新村';
    if (!isPingjiang && !(String(p.row.nature).startsWith('residential') && (p.row.management_mode === 'self_managed' || idx % 3 === 1))) return;
    const established = rng.int(2008, year - 1);
    const termStart = Math.max(established, year - rng.int(0, 4));
    const name = `${p.row.name}业主委员会`;
    const directors = rng.int(5, 9);
    const members = Array.from({ length: directors }, (_, k) => ({
      name: k === 0 && isPingjiang ? '冯秀英' : personName(rng),
      position: k === 0 ? 'director' : k <= (directors > 6 ? 2 : 1) ? 'deputy_director' : 'member',
      officer: k <= 1,
      responsibility: k === 0 ? '全面工作' : rng.pick(['财务', '维修资金', '物业监督', '环境绿化', '安全保卫', '宣传联络']),
      phone: k === 0 && isPingjiang ? '13800000013' : mobile(rng),
      birth_year: rng.int(1950, 1990),
      political_status: rng.pick(POLITICAL),
    }));
    const providers: Row[] = [];
    if (p.row.enterprise_id) {
      const e = ents.find((x) => entId(x.orgCode) === p.row.enterprise_id)!;
      providers.push({
        service: 'property_service',
        enterprise_id: p.row.enterprise_id,
        provider_name: e.name,
        qualification: '物业服务企业',
        contact_person: p.row.manager_name,
        phone: p.row.manager_mobile,
        contract_starts_on: date(termStart, 1, 1),
        contract_ends_on: date(termStart + 3, 12, 31),
      });
    }
    for (const service of ['security', 'cleaning', 'greening', 'elevator', 'repair'] as const) {
      if (!rng.chance(p.row.management_mode === 'self_managed' ? 0.8 : 0.25)) continue;
      const sub = rng.pick(ents.filter((x) => x.specialty === service) as EntSeed[]);
      providers.push({
        service,
        enterprise_id: entId(sub.orgCode),
        provider_name: sub.name,
        qualification: null,
        contact_person: personName(rng),
        phone: landline(rng),
        contract_starts_on: date(termStart, rng.int(1, 12), 1),
        contract_ends_on: date(termStart + 2, 12, 31),
      });
    }
    committees.push({
      orgCode: isPingjiang ? PINGJIANG_OC : `OC-${p.row.code as string}`,
      row: {
        name,
        project_id: projectIds.get(p.row.code as string),
        district_code: p.row.district_code,
        street_code: p.row.street_code,
        office_address: `${p.row.name}${rng.int(1, 30)}幢`,
        phone_24h: isPingjiang ? '0512-67270005' : landline(rng),
        established_on: date(established, rng.int(1, 12), rng.int(1, 28)),
        term_starts_on: date(termStart, rng.int(1, 12), 1),
        term_ends_on: date(termStart + 5, 12, 31),
        filing_no: `YWH${p.row.district_code as string}${String(idx + 1).padStart(4, '0')}`,
        status: termStart + 5 < year ? 'expired' : 'active',
        approved: 1,
      },
      members,
      providers,
    });
  });
  await insertIgnore(
    db,
    'organisations',
    committees
      .filter((c) => c.orgCode !== PINGJIANG_OC)
      .map((c) => ({ code: c.orgCode, name: c.row.name, kind: 'owners_committee', district_code: c.row.district_code, street_code: c.row.street_code, phone: c.row.phone_24h, address: c.row.office_address })),
    ['code'],
  );
  const committeeOrgIds = new Map(
    (
      (await db('organisations')
        .whereIn(
          'code',
          committees.map((c) => c.orgCode),
        )
        .select('id', 'code')) as Array<{ id: number; code: string }>
    ).map((o) => [o.code, o.id]),
  );
  const existingCommittees = new Set(((await db('owners_committees').pluck('id')) as number[]).map(Number));
  await insertIgnore(
    db,
    'owners_committees',
    committees.map((c) => ({ id: committeeOrgIds.get(c.orgCode), ...c.row })),
    ['id'],
  );
  const freshCommittees = committees.filter((c) => !existingCommittees.has(committeeOrgIds.get(c.orgCode)!));
  await insertAll(
    db,
    'committee_members',
    freshCommittees.flatMap((c) => c.members.map((m) => sealMemberRow({ ...m, committee_id: committeeOrgIds.get(c.orgCode) }))),
  );
  await insertAll(
    db,
    'committee_providers',
    freshCommittees.flatMap((c) => c.providers.map((p) => ({ ...p, committee_id: committeeOrgIds.get(c.orgCode) }))),
  );

  // Credit events over last year and this one, with the points their category usually carries.
  const CATEGORY_POINTS: Array<[string, string, number, number]> = [
    ['complaint', 'complaint_system', -3, -1],
    ['complaint', 'complaint_system', -3, -1],
    ['petition', 'petition_system', -5, -2],
    ['daily_service', 'inspection', -2, 2],
    ['overdue_rectification', 'inspection', -4, -2],
    ['penalty', 'inspection', -10, -5],
    ['media', 'media', -3, -1],
    ['maintenance_fund', 'maintenance_fund_system', -6, -2],
    ['late_update', 'manual', -2, -1],
    ['reward', 'manual', 2, 5],
    ['honour', 'manual', 3, 8],
    ['praise', 'manual', 1, 2],
  ];
  const DESCRIPTIONS: Record<string, string[]> = {
    complaint: ['业主投诉电梯故障维修不及时', '业主投诉楼道保洁不到位', '业主投诉夜间噪音管理不力', '业主投诉停车管理混乱'],
    petition: ['业主集体信访反映公共收益未公示', '信访反映小区围墙破损未修复'],
    daily_service: ['日常检查：消防通道畅通，台账齐全', '日常检查：垃圾分类投放点管理不规范', '日常检查：绿化养护良好'],
    overdue_rectification: ['消防设施整改逾期未完成', '二次供水水箱清洗整改逾期'],
    penalty: ['违规占用公共部位被行政处罚', '消防设施长期停用被责令整改并处罚'],
    media: ['媒体报道小区积水处置迟缓', '网络舆情反映物业收费不透明'],
    maintenance_fund: ['维修资金使用未按规定公示', '维修工程规避审价'],
    late_update: ['项目基础信息更新不及时', '项目经理变更未及时报备'],
    reward: ['防汛抢险工作表现突出', '疫情防控工作获街道通报表扬'],
    honour: ['获评市级物业管理优秀住宅小区', '获评区级文明物业服务企业'],
    praise: ['业主赠送锦旗表扬维修及时', '住建部门书面表扬'],
  };
  const eventRows: Row[] = [];
  const projectList = projectPlans.filter((p) => p.row.enterprise_id);
  for (let k = 0; k < 1600; k++) {
    const p = projectList[Math.floor(rng.next() * projectList.length)];
    const [category, source, lo, hi] = rng.pick(CATEGORY_POINTS);
    const enterpriseId = p.row.enterprise_id as number;
    const pm = managers.find((m) => m.project_id === projectIds.get(p.row.code as string));
    const personal = pm && rng.chance(0.3);
    // Four years of records, a quarter in each, so the ranking has trends and this year's scores spread over the grades.
    const back = k % 4;
    const drawn = back === 0 ? date(year, rng.int(1, Math.max(1, new Date().getUTCMonth() + 1)), rng.int(1, 28)) : date(year - back, rng.int(1, 12), rng.int(1, 28));
    // Nothing recorded has yet to happen: this month's draws stop at today.
    const when = drawn > today ? today : drawn;
    const status = rng.chance(0.85) ? 'final' : rng.chance(0.7) ? 'pending' : 'cancelled';
    eventRows.push({
      enterprise_id: enterpriseId,
      staff_id: personal ? (staffIds.get(`${enterpriseId}|${idNumberIndex(pm.id_number as string)}`) ?? null) : null,
      project_id: projectIds.get(p.row.code as string),
      district_code: p.row.district_code,
      category,
      points: rng.int(lo * 2, hi * 2) / 2,
      source,
      source_ref: `DEMO-${String(k + 1).padStart(5, '0')}`,
      occurred_on: when,
      valid_until: validUntilOf(when, 12),
      description: `${p.row.name}：${rng.pick(DESCRIPTIONS[category] ?? ['日常记录'])}`,
      status,
    });
  }
  // The standard the records are scored under (records predating it keep their own points, docs/credit.md).
  await seedCreditStandard(db, year);
  const eventsBefore = Number(((await db('credit_events').count({ n: '*' }).first()) as { n: number | string }).n);
  await insertIgnore(db, 'credit_events', eventRows, ['source', 'source_ref']);
  const eventsAfter = Number(((await db('credit_events').count({ n: '*' }).first()) as { n: number | string }).n);

  // Trainings and exams of project managers, for managers this run registered.
  const freshManagers = managers.map((m) => staffIds.get(`${m.enterprise_id as number}|${idNumberIndex(m.id_number as string)}`)).filter((id): id is number => id !== undefined);
  const trainedAlready = new Set(((await db('credit_trainings').distinct('staff_id').pluck('staff_id')) as number[]).map(Number));
  const trainingRows: Row[] = [];
  for (const id of freshManagers.filter((s) => !trainedAlready.has(s))) {
    trainingRows.push({
      staff_id: id,
      kind: 'training',
      title: `${year - 1}年度物业项目经理继续教育`,
      held_on: date(year - 1, rng.int(3, 11), rng.int(1, 28)),
      hours: rng.pick([8, 16, 24]),
      score: null,
      result: 'attended',
      certificate_no: null,
    });
    const score = rng.int(52, 98);
    trainingRows.push({
      staff_id: id,
      kind: 'exam',
      title: `${year - 1}年度项目经理岗位考核`,
      held_on: date(year - 1, 12, rng.int(1, 20)),
      hours: null,
      score,
      result: score >= 60 ? 'passed' : 'failed',
      certificate_no: score >= 60 ? `KH${year - 1}${String(id).padStart(5, '0')}` : null,
    });
  }
  await insertAll(db, 'credit_trainings', trainingRows);

  if (eventsAfter !== eventsBefore) {
    const enterpriseIds = [...new Set(eventRows.map((e) => e.enterprise_id as number))];
    const staffSubjects = [...new Set(eventRows.map((e) => e.staff_id).filter((s): s is number => typeof s === 'number'))];
    for (const y of [year - 3, year - 2, year - 1, year]) await recomputeScores(db, { enterpriseIds, staffIds: staffSubjects }, y);
  }

  return {
    communities: communities.length,
    enterprises: ents.length,
    projects: projectPlans.length,
    staff: staffRows.length,
    committees: committees.length,
    creditEvents: eventRows.length,
  };
}
