/**
 * Suzhou's districts, county-level cities and a selection of their streets and towns, with
 * the national administrative division codes where the district has one. Street codes are the
 * district code plus a three-digit sequence, as in the civil-affairs coding scheme.
 */
export interface DistrictSeed {
  code: string;
  name: string;
  /** Name of the district's housing authority, the organisation its staff belong to. */
  bureau: string;
  streets: string[];
}

export const CITY = { code: '320500', name: '苏州市' };

export const DISTRICTS: DistrictSeed[] = [
  {
    code: '320508',
    name: '姑苏区',
    bureau: '苏州市姑苏区住房和建设局',
    streets: ['平江街道', '沧浪街道', '双塔街道', '金阊街道', '虎丘街道', '白洋湾街道', '吴门桥街道', '苏锦街道'],
  },
  {
    code: '320505',
    name: '虎丘区',
    bureau: '苏州高新区（虎丘区）住房和建设局',
    streets: ['狮山街道', '枫桥街道', '横塘街道', '浒墅关镇', '通安镇', '东渚街道'],
  },
  {
    code: '320506',
    name: '吴中区',
    bureau: '苏州市吴中区住房和城乡建设局',
    streets: ['长桥街道', '郭巷街道', '越溪街道', '横泾街道', '香山街道', '木渎镇', '甪直镇'],
  },
  {
    code: '320507',
    name: '相城区',
    bureau: '苏州市相城区住房和城乡建设局',
    streets: ['元和街道', '太平街道', '黄桥街道', '北河泾街道', '漕湖街道', '渭塘镇'],
  },
  {
    code: '320509',
    name: '吴江区',
    bureau: '苏州市吴江区住房和城乡建设局',
    streets: ['松陵街道', '江陵街道', '横扇街道', '八坼街道', '同里镇', '盛泽镇'],
  },
  {
    code: '320576',
    name: '苏州工业园区',
    bureau: '苏州工业园区规划建设委员会',
    streets: ['娄葑街道', '斜塘街道', '唯亭街道', '胜浦街道'],
  },
  {
    code: '320581',
    name: '常熟市',
    bureau: '常熟市住房和城乡建设局',
    streets: ['虞山街道', '常福街道', '琴川街道', '莫城街道', '碧溪街道'],
  },
  {
    code: '320582',
    name: '张家港市',
    bureau: '张家港市住房和城乡建设局',
    streets: ['杨舍镇', '金港街道', '塘桥镇', '锦丰镇', '乐余镇'],
  },
  {
    code: '320583',
    name: '昆山市',
    bureau: '昆山市住房和城乡建设局',
    streets: ['玉山镇', '亭林街道', '周市镇', '陆家镇', '花桥镇', '张浦镇'],
  },
  {
    code: '320585',
    name: '太仓市',
    bureau: '太仓市住房和城乡建设局',
    streets: ['娄东街道', '陆渡街道', '城厢镇', '沙溪镇', '浏河镇'],
  },
];

export function streetCode(districtCode: string, index: number): string {
  return `${districtCode}${String(index + 1).padStart(3, '0')}`;
}
