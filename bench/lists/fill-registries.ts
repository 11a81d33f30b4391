import type { Knex } from 'knex';
import { rotateRegistryFields } from '../../db/registries/pii-rotation';
import type { Refs } from './fill-organisations';
import { personName } from './fill-organisations';
import { insertChunked, maxId, pick } from './sql';
import type { Volume } from './volume';
import { ESTATE_A, ESTATE_B, PHASES, ROADS } from './words';

/**
 * The base registries at volume: property projects spread over every district and street, managed
 * by the generated companies (dongwu manages one in fifty, across the city), and their staff.
 * The generated enterprises themselves are written with their organisations (fill-organisations).
 */
export async function fillRegistries(db: Knex, volume: Volume, refs: Refs): Promise<void> {
  const D = refs.districts;
  const entId = (expr: string, count: number, offset = 0) => `${refs.orgBase} + ${offset} + MOD(${expr}, ${count}) + 1`;
  const projectBase = await maxId(db, 'property_projects');
  await insertChunked(
    db,
    volume.projects,
    100_000,
    (lo, hi) => `INSERT INTO property_projects
      (id, code, name, address, district_code, street_code, postcode, land_area, floor_area, build_year, nature, management_mode, enterprise_id, developer_id,
       buildings_count, floors_max, households, elevators, parking_total, manager_name, manager_mobile, approved, approved_at)
    SELECT ${projectBase} + n.n + 1, CONCAT('BP', LPAD(n.n, 7, '0')),
      CONCAT(${pick('n.n', ESTATE_A)}, ${pick(`FLOOR(n.n / ${ESTATE_A.length})`, ESTATE_B)}, ${pick(`FLOOR(n.n / ${ESTATE_A.length * ESTATE_B.length})`, PHASES)}),
      CONCAT('苏州市', d.name, s.name, ${pick('n.n * 7', ROADS)}, MOD(n.n, 999) + 1, '号'), d.code, s.code, '215000',
      5000 + MOD(n.n * 7919, 200000), 10000 + MOD(n.n * 104729, 600000), 1985 + MOD(n.n * 31, 40),
      ${pick('n.n * 11', ['residential_high_rise', 'residential_multi_storey', 'residential_multi_storey', 'residential_high_rise', 'terraced_villa', 'commercial_office', 'public_utility', 'detached_villa'])},
      IF(MOD(n.n, 20) = 7, 'self_managed', 'entrusted'),
      IF(MOD(n.n, 20) = 7, NULL, IF(MOD(n.n, 50) = 0, ${refs.ids.dongwuOrg}, ${entId('n.n', refs.firstDeveloper)})),
      ${entId('n.n', refs.enterprises - refs.firstDeveloper, refs.firstDeveloper)},
      2 + MOD(n.n, 40), 6 + MOD(n.n * 3, 28), 100 + MOD(n.n * 13, 3000), MOD(n.n * 7, 60), 100 + MOD(n.n * 17, 2500),
      ${personName('n.n * 19')}, CONCAT('138', LPAD(MOD(n.n * 7919, 100000000), 8, '0')), 1, UTC_TIMESTAMP(3)
    FROM bench_numbers n JOIN bench_districts d ON d.idx = MOD(n.n, ${D}) JOIN bench_streets s ON s.district_code = d.code AND s.idx = MOD(FLOOR(n.n / ${D}), d.streets)
    WHERE n.n >= ${lo} AND n.n < ${hi}`,
  );

  // Staff: one in a hundred at dongwu, the rest spread over the generated companies; project
  // managers are linked to a project; ID numbers are unique (no double registration at volume).
  const staffBase = await maxId(db, 'enterprise_staff');
  await insertChunked(
    db,
    volume.staff,
    100_000,
    (lo, hi) => `INSERT INTO enterprise_staff
      (id, enterprise_id, name, id_number, id_number_bidx, mobile, role, title, certificate_type, certificate_no, certificate_valid_until, project_id, active, registered_on, approved, approved_at)
    SELECT ${staffBase} + n.n + 1, IF(MOD(n.n, 100) = 0, ${refs.ids.dongwuOrg}, ${entId('n.n', refs.enterprises)}), ${personName('n.n * 23')},
      CONCAT('3205', LPAD(MOD(n.n, 100), 2, '0'), DATE_FORMAT(DATE_ADD('1960-01-01', INTERVAL MOD(n.n * 7919, 15000) DAY), '%Y%m%d'), LPAD(FLOOR(n.n / 100), 3, '0'), ${pick('n.n', ['1', '3', '5', '7', '9', 'X'])}),
      SHA2(CONCAT('bench-placeholder-', n.n), 256),
      CONCAT('135', LPAD(MOD(n.n * 104729, 100000000), 8, '0')),
      ${pick('n.n', ['project_manager', 'professional', 'technical', 'repair_duty', 'certified_operator', 'technical', 'professional', 'repair_duty', 'principal', 'technical'])},
      ${pick('n.n * 3', ['助理工程师', '工程师', '高级工程师', '', '技师', '高级技师'])},
      ${pick('n.n', ['物业管理师', '物业管理员', '特种作业操作证', '电工证', '消防设施操作员', '物业管理员', '物业管理员', '电梯安全管理员', '', '特种作业操作证'])},
      CONCAT('ZS', LPAD(n.n, 9, '0')), DATE_ADD('2025-01-01', INTERVAL MOD(n.n * 31, 1500) DAY),
      IF(MOD(n.n, 10) = 0, ${projectBase} + MOD(n.n * 7, ${volume.projects}) + 1, NULL), 1, DATE_ADD('2015-01-01', INTERVAL MOD(n.n * 13, 3900) DAY), 1, UTC_TIMESTAMP(3)
    FROM bench_numbers n WHERE n.n >= ${lo} AND n.n < ${hi}`,
  );
  // SQL cannot encrypt: the rows go in clear with a placeholder index, and the rotation routine
  // encrypts them and computes their blind indexes (docs/personal-data.md).
  await rotateRegistryFields(db);
}
