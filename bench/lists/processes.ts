/**
 * How the generated cases use the shipped processes: the number pattern each process's coding rule
 * renders (processes/coding-rules.json), which processes each kind of applicant starts, and the
 * five task rows a case has — node, visit and countersign instance as the engine keys them
 * ("divisionReview#1.2"), with the candidate group, so city.staff ends up with ~360,000 done tasks.
 */
export type Group = 'district_staff' | 'street_office' | 'admin_centre' | 'city_staff' | 'city_leader' | 'enterprise' | '';

export interface Step {
  node: string;
  visit: number;
  instance: number;
  name: string;
  kind: 'user' | 'supplement';
  group: Group;
  /** Recorded when the task completed. */
  outcome: string;
}

export interface BenchProcess {
  key: string;
  /** The rendered rule without year and sequence: "ZZ" → ZZ-2026-000123; district ones add the code. */
  prefix: string;
  withDistrict: boolean;
  width: number;
  /** Five steps of a case that has ended. */
  done: Step[];
  /** The open fifth step of a running case: back at a district review (the city's for tenders). */
  running: Step;
}

const s = (node: string, visit: number, instance: number, name: string, group: Group, outcome = 'approve'): Step => ({ node, visit, instance, name, kind: 'user', group, outcome });
const supplement = (visit: number): Step => ({ node: 'supplement', visit, instance: 1, name: '申请人补正', kind: 'supplement', group: '', outcome: 'supplied' });

export const PROCESSES: BenchProcess[] = [
  {
    key: 'qualification',
    prefix: 'ZZ',
    withDistrict: false,
    width: 6,
    done: [
      s('districtReview', 1, 1, '区局初审', 'district_staff'),
      s('centreAcceptance', 1, 1, '行政中心受理', 'admin_centre'),
      s('divisionReview', 1, 1, '物业处审核', 'city_staff'),
      s('divisionReview', 1, 2, '物业处审核', 'city_staff'),
      s('leaderApproval', 1, 1, '局领导审批', 'city_leader'),
    ],
    running: s('districtReview', 2, 1, '区局初审', 'district_staff'),
  },
  {
    key: 'sample-approval',
    prefix: 'SP',
    withDistrict: false,
    width: 6,
    done: [
      s('districtReview', 1, 1, '区局初审', 'district_staff'),
      s('cityReview', 1, 1, '市局审核', 'city_staff'),
      s('cityReview', 1, 2, '市局审核', 'city_staff'),
      s('cityReview', 1, 3, '市局审核', 'city_staff'),
      s('leaderApproval', 1, 1, '局领导审批', 'city_leader'),
    ],
    running: s('districtReview', 2, 1, '区局初审', 'district_staff'),
  },
  {
    key: 'contract-filing',
    prefix: 'HTBA',
    withDistrict: true,
    width: 5,
    done: [
      s('districtReview', 1, 1, '区局核对原件', 'district_staff', 'return'),
      supplement(1),
      s('districtReview', 2, 1, '区局核对原件', 'district_staff', 'return'),
      supplement(2),
      s('districtReview', 3, 1, '区局核对原件', 'district_staff'),
    ],
    running: s('districtReview', 3, 1, '区局核对原件', 'district_staff'),
  },
  {
    key: 'credit-appeal',
    prefix: 'XYSS',
    withDistrict: false,
    width: 5,
    done: [
      s('submitAppeal', 1, 1, '企业申诉', 'enterprise'),
      s('districtReview', 1, 1, '区局复核', 'district_staff'),
      s('cityReview', 1, 1, '市局审核', 'city_staff'),
      s('cityReview', 1, 2, '市局审核', 'city_staff'),
      s('cityReview', 1, 3, '市局审核', 'city_staff'),
    ],
    running: s('districtReview', 2, 1, '区局复核', 'district_staff'),
  },
  {
    key: 'committee-filing',
    prefix: 'YWH',
    withDistrict: true,
    width: 4,
    done: [
      s('streetReview', 1, 1, '街道办审核', 'street_office'),
      s('districtFiling', 1, 1, '区局备案', 'district_staff', 'return'),
      supplement(1),
      s('streetReview', 2, 1, '街道办审核', 'street_office'),
      s('districtFiling', 2, 1, '区局备案', 'district_staff'),
    ],
    running: s('districtFiling', 2, 1, '区局备案', 'district_staff'),
  },
  {
    key: 'tender',
    prefix: 'ZB',
    withDistrict: false,
    width: 5,
    done: [
      s('cityFiling', 1, 1, '招标备案审核', 'city_staff'),
      s('negotiation', 1, 1, '协议选聘', 'city_staff'),
      s('negotiation', 1, 2, '协议选聘', 'city_staff'),
      s('awardFiling', 1, 1, '中标备案', 'city_staff'),
      s('awardFiling', 1, 2, '中标备案', 'city_staff'),
    ],
    running: s('cityFiling', 2, 1, '招标备案审核', 'city_staff'),
  },
];

/** Plan A: dongwu's own applications (16 slots); plan B: everybody else's (20 slots). */
export const PLANS: Record<'A' | 'B', Array<[string, number]>> = {
  A: [
    ['qualification', 10],
    ['contract-filing', 4],
    ['sample-approval', 2],
  ],
  B: [
    ['qualification', 7],
    ['contract-filing', 5],
    ['sample-approval', 2],
    ['tender', 3],
    ['credit-appeal', 2],
    ['committee-filing', 1],
  ],
};

export const taskKey = (step: Step) => `${step.node === 'supplement' ? 'supplement' : step.node}#${step.visit}.${step.instance}`;
