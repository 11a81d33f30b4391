import type { Knex } from 'knex';
import { seedDemo } from '../../db/seeds/demo';
import { freshTestDatabase } from '../helpers/db';

const TABLES = [
  'regions',
  'organisations',
  'enterprises',
  'property_projects',
  'project_buildings',
  'project_facilities',
  'enterprise_staff',
  'owners_committees',
  'committee_members',
  'committee_providers',
  'credit_events',
  'credit_trainings',
  'credit_scores',
  'users',
];

/** The registries' demo data: plausible sizes, consistent with the foundation's demo users, and a second run changes nothing. */
describe('registries demo seed', () => {
  let db: Knex;
  const count = async (table: string) => Number(((await db(table).count({ n: '*' }).first()) as { n: number | string }).n);

  beforeAll(async () => {
    ({ db } = await freshTestDatabase());
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('has Suzhou-sized registries', async () => {
    expect(await count('property_projects')).toBe(400);
    expect(await count('enterprises')).toBeGreaterThanOrEqual(100);
    expect(await count('enterprise_staff')).toBeGreaterThan(800);
    expect(await count('owners_committees')).toBeGreaterThan(80);
    expect(await count('credit_events')).toBeGreaterThanOrEqual(1500);
    expect(Number(((await db('regions').where('level', 'community').count({ n: '*' }).first()) as { n: number }).n)).toBeGreaterThan(150);
    const duplicated = (await db('enterprise_staff').where('duplicate_registration', 1).distinct('id_number')) as unknown[];
    expect(duplicated.length).toBeGreaterThanOrEqual(5);
  });

  it('keeps the foundation’s demo organisations valid: dongwu manages projects in 姑苏区, 平江新村 has its committee', async () => {
    const dongwu = await db('organisations').where('code', 'ENT-91320508MA1DONGWU').first('id');
    const ent = await db('enterprises').where('id', dongwu.id).first();
    expect(ent).toMatchObject({ kind: 'property_service', district_code: '320508', name: '苏州东吴物业管理有限公司' });
    expect(Number(((await db('property_projects').where({ enterprise_id: dongwu.id, district_code: '320508' }).count({ n: '*' }).first()) as { n: number }).n)).toBeGreaterThanOrEqual(5);
    const oc = await db('organisations').where('code', 'OC-320508001-PJXC').first('id');
    const committee = await db('owners_committees as c').join('property_projects as p', 'p.id', 'c.project_id').where('c.id', oc.id).first('p.name', 'c.street_code');
    expect(committee).toEqual({ name: '平江新村', street_code: '320508001' });
    const pm = await db('enterprise_staff').where({ enterprise_id: dongwu.id, name: '赵磊', role: 'project_manager' }).first();
    expect(pm).toBeDefined();
  });

  it('changes nothing on a second run', async () => {
    const checksums = async () => {
      const out: Record<string, unknown> = {};
      for (const t of TABLES) {
        const [rows] = (await db.raw(`CHECKSUM TABLE \`${t}\``)) as [Array<{ Checksum: number }>];
        out[t] = rows[0].Checksum;
      }
      return out;
    };
    const before = await checksums();
    await seedDemo(db);
    expect(await checksums()).toEqual(before);
  });
});
