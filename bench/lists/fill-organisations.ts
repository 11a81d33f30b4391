import type { Knex } from 'knex';
import { createBenchTable, maxId, one, pick } from './sql';
import type { Volume } from './volume';
import { BRAND_A, BRAND_B, GIVEN, ROADS, SURNAMES } from './words';

/**
 * The places and people the case data refers to: lookup tables of the districts and streets
 * (bench_districts, bench_streets, from the seeded regions), the generated enterprises (each an
 * organisation, a registry row and one signed-in user, as real enterprises are), and one reviewer
 * per district bureau and street office that the demo seed has none for.
 */
export interface Refs {
  districts: number;
  orgBase: number;
  userBase: number;
  enterprises: number;
  /** Enterprises with index ≥ this are developers (建设单位); the rest property-service companies. */
  firstDeveloper: number;
  ids: Record<'dongwuOrg' | 'dongwuEnt' | 'dongwuPm' | 'cityStaff' | 'cityLeader' | 'centre' | 'gusuStaff' | 'admin' | 'ocOrg' | 'ocUser' | 'pingjiangStreet', number>;
}

export const personName = (expr: string) => `CONCAT(${pick(expr, SURNAMES)}, ${pick(`FLOOR(${expr} / 7)`, GIVEN)})`;

export async function fillOrganisations(db: Knex, volume: Volume): Promise<Refs> {
  await createBenchTable(db, 'bench_districts', `idx INT NOT NULL PRIMARY KEY, code VARCHAR(16) NOT NULL, name VARCHAR(64) NOT NULL, streets INT NOT NULL`);
  await db.raw(`INSERT INTO bench_districts (idx, code, name, streets)
    SELECT ROW_NUMBER() OVER (ORDER BY d.sort, d.code) - 1, d.code, d.name, (SELECT COUNT(*) FROM regions s WHERE s.parent_code = d.code AND s.level = 'street')
    FROM regions d WHERE d.level = 'district'`);
  await createBenchTable(db, 'bench_streets', `district_code VARCHAR(16) NOT NULL, idx INT NOT NULL, code VARCHAR(16) NOT NULL, name VARCHAR(64) NOT NULL, PRIMARY KEY (district_code, idx)`);
  await db.raw(`INSERT INTO bench_streets (district_code, idx, code, name)
    SELECT s.parent_code, ROW_NUMBER() OVER (PARTITION BY s.parent_code ORDER BY s.sort, s.code) - 1, s.code, s.name FROM regions s WHERE s.level = 'street'`);
  const { districts } = await one<{ districts: number }>(db, 'SELECT COUNT(*) AS districts FROM bench_districts');
  // Gusu must be district 0: the case data puts one case in ten in each district, gusu first.
  const first = await one<{ code: string }>(db, 'SELECT code FROM bench_districts WHERE idx = 0');
  if (first.code !== '320508') throw new Error(`expected 320508 as the first district, got ${first.code}`);

  const id = async (sql: string, binding: string) => (await one<{ id: number }>(db, sql, [binding])).id;
  const user = (username: string) => id('SELECT id FROM users WHERE username = ?', username);
  const org = (code: string) => id('SELECT id FROM organisations WHERE code = ?', code);
  const ids: Refs['ids'] = {
    dongwuOrg: await org('ENT-91320508MA1DONGWU'),
    dongwuEnt: await user('dongwu.ent'),
    dongwuPm: await user('dongwu.pm'),
    cityStaff: await user('city.staff'),
    cityLeader: await user('city.leader'),
    centre: await user('centre'),
    gusuStaff: await user('gusu.staff'),
    admin: await user('admin'),
    ocOrg: await org('OC-320508001-PJXC'),
    ocUser: await user('pingjiang.oc'),
    pingjiangStreet: await user('pingjiang.street'),
  };
  const { hash } = await one<{ hash: string }>(db, 'SELECT password_hash AS hash FROM users WHERE username = ?', ['dongwu.ent']);

  const orgBase = await maxId(db, 'organisations');
  const userBase = await maxId(db, 'users');
  const E = volume.enterprises;
  const firstDeveloper = Math.round(E * 0.9);
  const brand = `CONCAT(${pick('n.n', BRAND_A)}, ${pick(`FLOOR(n.n / ${BRAND_A.length})`, BRAND_B)})`;
  const isDev = `n.n >= ${firstDeveloper}`;
  const district = `JOIN bench_districts d ON d.idx = MOD(n.n, ${districts}) JOIN bench_streets s ON s.district_code = d.code AND s.idx = MOD(FLOOR(n.n / ${districts}), d.streets)`;
  await db.raw(`INSERT INTO organisations (id, code, name, kind, district_code, street_code, phone, address)
    SELECT ${orgBase} + n.n + 1, CONCAT(IF(${isDev}, 'DEV-BENCH-', 'ENT-BENCH-'), LPAD(n.n, 5, '0')),
      CONCAT('苏州', ${brand}, IF(${isDev}, '置业有限公司', IF(MOD(n.n, 3) = 0, '物业管理有限公司', '物业服务有限公司'))),
      IF(${isDev}, 'developer', 'enterprise'), d.code, s.code, CONCAT('0512-6', LPAD(MOD(n.n * 7919, 10000000), 7, '0')),
      CONCAT('苏州市', d.name, ${pick('n.n', ROADS)}, MOD(n.n, 800) + 1, '号')
    FROM bench_numbers n ${district} WHERE n.n < ${E}`);
  await db.raw(`INSERT INTO enterprises (id, kind, name, credit_code, legal_representative, registered_capital, established_on, address, district_code, street_code, phone, service_phone, employees, qualification_level, approved, approved_at)
    SELECT o.id, IF(o.kind = 'developer', 'developer', 'property_service'), o.name,
      CONCAT('9132', SUBSTRING(o.district_code, 3, 4), 'MAB', LPAD(n.n, 6, '0'), 'Y'), ${personName('n.n * 13')},
      100 + MOD(n.n * 37, 4900), DATE_ADD('1998-01-01', INTERVAL MOD(n.n * 53, 9000) DAY), o.address, o.district_code, o.street_code, o.phone,
      CONCAT('0512-6', LPAD(MOD(n.n * 104729, 10000000), 7, '0')), 20 + MOD(n.n * 17, 2000),
      ${pick('n.n', ['level_1', 'level_2', 'level_2', 'level_3', 'level_3', 'level_3', 'provisional', 'none'])}, 1, UTC_TIMESTAMP(3)
    FROM bench_numbers n JOIN organisations o ON o.id = ${orgBase} + n.n + 1 WHERE n.n < ${E}`);
  // One user per generated enterprise (the one that applies), able to sign in with the demo password.
  await db.raw(
    `INSERT INTO users (id, username, display_name, phone, password_hash, role, organisation_id)
    SELECT ${userBase} + n.n + 1, CONCAT('bench.ent', LPAD(n.n, 5, '0')), ${personName('n.n * 29')}, CONCAT('139', LPAD(n.n, 8, '0')), ?,
      IF(${isDev}, 'developer', 'enterprise'), ${orgBase} + n.n + 1
    FROM bench_numbers n WHERE n.n < ${E}`,
    [hash],
  );

  // A reviewer for every district bureau and street office the demo seed left without one.
  await db.raw(
    `INSERT INTO users (username, display_name, phone, password_hash, role, organisation_id)
    SELECT CONCAT('bench.', o.district_code, '.staff'), CONCAT(${personName('o.id')}, '（', d.name, '）'), CONCAT('137', LPAD(o.id, 8, '0')), ?, 'district_staff', o.id
    FROM organisations o JOIN bench_districts d ON d.code = o.district_code
    WHERE o.kind = 'district_bureau' AND NOT EXISTS (SELECT 1 FROM users u WHERE u.organisation_id = o.id AND u.role = 'district_staff')`,
    [hash],
  );
  await db.raw(
    `INSERT INTO users (username, display_name, phone, password_hash, role, organisation_id)
    SELECT CONCAT('bench.', o.street_code, '.street'), CONCAT(${personName('o.id * 3')}, '（', s.name, '）'), CONCAT('136', LPAD(o.id, 8, '0')), ?, 'street_office', o.id
    FROM organisations o JOIN regions s ON s.code = o.street_code
    WHERE o.kind = 'street_office' AND NOT EXISTS (SELECT 1 FROM users u WHERE u.organisation_id = o.id AND u.role = 'street_office')`,
    [hash],
  );
  await createBenchTable(db, 'bench_district_actors', `code VARCHAR(16) NOT NULL PRIMARY KEY, user_id INT UNSIGNED NOT NULL`);
  await db.raw(`INSERT INTO bench_district_actors (code, user_id)
    SELECT o.district_code, MIN(u.id) FROM organisations o JOIN users u ON u.organisation_id = o.id AND u.role = 'district_staff' WHERE o.kind = 'district_bureau' GROUP BY o.district_code`);
  await createBenchTable(db, 'bench_street_actors', `code VARCHAR(16) NOT NULL PRIMARY KEY, user_id INT UNSIGNED NOT NULL`);
  await db.raw(`INSERT INTO bench_street_actors (code, user_id)
    SELECT o.street_code, MIN(u.id) FROM organisations o JOIN users u ON u.organisation_id = o.id AND u.role = 'street_office' WHERE o.kind = 'street_office' GROUP BY o.street_code`);
  return { districts, orgBase, userBase, enterprises: E, firstDeveloper, ids };
}
