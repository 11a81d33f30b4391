import type { Knex } from 'knex';

/**
 * The evaluation-expert pool (评标专家库) for the tender approval: demo experts with accounts
 * (role "expert", seeded with the demo users), one employed by 东吴物业 and one formerly at
 * 恒泰物业, so a draw on a tender those two bid in has someone to exclude. Idempotent.
 */
export const DEMO_EXPERTS: Array<{ username: string; name: string; speciality: string; employer?: string; conflict?: { enterprise: string; relation: string } }> = [
  { username: 'expert.li', name: '李国栋', speciality: '物业管理' },
  { username: 'expert.wang', name: '王慧敏', speciality: '工程管理' },
  { username: 'expert.zhao', name: '赵建华', speciality: '财务审计' },
  { username: 'expert.chen', name: '陈晓东', speciality: '法律' },
  { username: 'expert.xu', name: '徐静', speciality: '物业管理', employer: 'ENT-91320508MA1DONGWU' },
  { username: 'expert.gu', name: '顾明', speciality: '设施设备', conflict: { enterprise: 'ENT-91320576MA1HENGTAI', relation: '近三年曾任职于该企业' } },
  { username: 'expert.shen', name: '沈洁', speciality: '物业管理' },
];

export async function seedApprovalsDemo(db: Knex): Promise<void> {
  const orgId = async (code: string) => ((await db('organisations').where('code', code).first('id')) as { id: number } | undefined)?.id ?? null;
  for (const e of DEMO_EXPERTS) {
    const user = (await db('users').where('username', e.username).first('id')) as { id: number } | undefined;
    if (!user) continue;
    const employer = e.employer ? await orgId(e.employer) : null;
    await db('experts').insert({ user_id: user.id, name: e.name, speciality: e.speciality, employer_enterprise_id: employer }).onConflict('user_id').ignore();
    if (e.conflict) {
      const expert = (await db('experts').where('user_id', user.id).first('id')) as { id: number };
      const enterprise = await orgId(e.conflict.enterprise);
      if (enterprise) await db('expert_conflicts').insert({ expert_id: expert.id, enterprise_id: enterprise, relation: e.conflict.relation }).onConflict(['expert_id', 'enterprise_id']).ignore();
    }
  }
}
