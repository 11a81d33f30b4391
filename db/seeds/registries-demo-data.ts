import { creditCodeCheckChar, idNumberCheckChar } from '../registries/identifiers';

/**
 * Word pools and a seeded random generator for the registries' demo data. Everything is
 * derived from a fixed seed, so every run produces the same records (no network, no clock).
 */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** mulberry32: small, fast, good enough for plausible demo data. */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export const COMMUNITY_WORDS = [
  '新村',
  '东港',
  '西园',
  '北苑',
  '南环',
  '文昌',
  '锦绣',
  '桂花',
  '凤凰',
  '阳光',
  '莲花',
  '青松',
  '枫香',
  '竹辉',
  '盘门',
  '桃坞',
  '运河',
  '白莲',
  '荷花',
  '紫藤',
  '金星',
  '银杏',
  '友谊',
  '团结',
  '长青',
  '春申',
  '湖滨',
  '滨河',
  '双桥',
  '梅巷',
];

/** Place words for estate names, by district code (with a shared pool for the rest). */
export const ESTATE_PREFIXES: Record<string, string[]> = {
  '320508': ['平江', '沧浪', '双塔', '金阊', '虎丘', '桐泾', '彩香', '三香', '南环', '胥江', '石路', '山塘', '盘溪', '觅渡', '吴门'],
  '320505': ['狮山', '枫桥', '横塘', '浒关', '通安', '东渚', '何山', '玉山', '金山', '塔园', '长江', '滨河', '竹园'],
  '320506': ['长桥', '郭巷', '越溪', '横泾', '香山', '木渎', '甪直', '石湖', '宝带', '东山', '旺山', '尹山'],
  '320507': ['元和', '太平', '黄桥', '北河泾', '漕湖', '渭塘', '阳澄', '御窑', '嘉元', '相城'],
  '320509': ['松陵', '江陵', '横扇', '八坼', '同里', '盛泽', '鲈乡', '垂虹', '流虹', '笠泽'],
  '320576': ['金鸡湖', '独墅湖', '星湖', '斜塘', '唯亭', '胜浦', '湖东', '湖西', '星海', '东沙湖', '翰林', '玲珑'],
  '320581': ['虞山', '常福', '琴川', '莫城', '碧溪', '尚湖', '海虞', '方塔'],
  '320582': ['杨舍', '金港', '塘桥', '锦丰', '乐余', '暨阳', '沙洲', '东湖'],
  '320583': ['玉山', '亭林', '周市', '陆家', '花桥', '张浦', '柏庐', '娄江', '马鞍山'],
  '320585': ['娄东', '陆渡', '城厢', '沙溪', '浏河', '弇山', '南洋', '郑和'],
};

export const ESTATE_SUFFIXES = ['新村', '花园', '家园', '苑', '雅苑', '公寓', '小区', '名邸', '华庭', '佳园', '府', '湾', '嘉园', '大厦', '广场'];
export const ESTATE_PHASES = ['', '', '', '一期', '二期', '三期', '东区', '西区', '南区', '北区'];

export const ENTERPRISE_BRANDS = [
  '金枫',
  '新港',
  '中环',
  '东环',
  '吴越',
  '太湖',
  '姑胥',
  '德润',
  '华晟',
  '嘉和',
  '恒安',
  '瑞丰',
  '永盛',
  '宏达',
  '佳禾',
  '锦程',
  '绿洲',
  '安居',
  '润泽',
  '鑫源',
  '广厦',
  '明德',
  '天诚',
  '汇邦',
  '正荣',
  '信诚',
  '启航',
  '兴业',
  '同创',
  '星辰',
  '和悦',
  '景瑞',
  '思源',
  '博雅',
  '馨苑',
  '致远',
  '长风',
  '承泽',
  '怡和',
  '仁和',
  '蓝湾',
  '金桥',
  '宜家',
  '顺达',
  '安泰',
  '海棠',
  '琴台',
  '沧州',
  '枫华',
  '平泰',
  '伟业',
  '融信',
  '苏城',
  '金阊',
  '吴都',
  '新纪元',
  '城南',
  '湖畔',
  '万和',
  '盛世',
  '泰和',
  '丰源',
  '常青',
  '东方',
  '弘毅',
  '晟和',
  '秋实',
  '春晖',
  '雅居',
  '汇鑫',
  '乐居',
  '华府',
  '丽景',
  '银河',
  '金地',
  '一诺',
  '诚信',
  '众安',
  '文星',
  '御园',
];

export const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '朱', '马', '胡', '郭', '沈', '陆', '顾', '钱', '蒋', '姚', '俞', '邹', '潘', '范', '金', '许', '唐', '韩'];
export const GIVEN_NAMES = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀英',
  '霞',
  '平',
  '刚',
  '建华',
  '志强',
  '晓燕',
  '丽华',
  '国平',
  '春梅',
  '海燕',
  '建国',
  '文杰',
  '红梅',
  '永明',
  '雪芳',
  '俊',
  '斌',
  '佳',
  '琳',
  '浩',
  '婷',
  '宇',
  '鑫',
];

export const FACILITY_KINDS: Array<[string, string]> = [
  ['water_pump', '生活水泵房'],
  ['substation', '配电房'],
  ['fire_control', '消防控制室'],
  ['elevator_room', '电梯机房'],
  ['cctv_centre', '监控中心'],
  ['refuse', '垃圾房'],
  ['secondary_water', '二次供水设施'],
  ['charging', '电动车充电棚'],
];

export const CERTIFICATES = ['物业管理员证', '项目经理岗位证书', '电工证', '消防设施操作员证', '电梯安全管理员证', '特种设备作业证', '保安员证'];
export const TITLES = ['助理工程师', '工程师', '高级工程师', '经济师', '助理经济师', '技师', '高级技师'];
export const POLITICAL = ['中共党员', '群众', '群众', '群众', '民盟盟员', '共青团员'];

/** Home-region codes of ID numbers: mostly Suzhou and Jiangsu, some from elsewhere. */
export const HOME_AREAS = ['320502', '320503', '320504', '320505', '320506', '320581', '320582', '320583', '320585', '321081', '320882', '340102', '410102', '360102', '330402'];

const USCC_BODY = '0123456789ABCDEFGHJKLMNPQRTUWXY';

export function creditCode(rng: Prng, areaCode: string): string {
  let body = `91${areaCode}`;
  // The organisation-code part begins with MA for enterprises registered after 2015.
  body += 'MA';
  while (body.length < 17) body += rng.pick(USCC_BODY.split(''));
  return body + creditCodeCheckChar(body);
}

export function idNumber(rng: Prng): string {
  const year = rng.int(1962, 1998);
  const month = String(rng.int(1, 12)).padStart(2, '0');
  const day = String(rng.int(1, 28)).padStart(2, '0');
  const body = `${rng.pick(HOME_AREAS)}${year}${month}${day}${String(rng.int(0, 999)).padStart(3, '0')}`;
  return body + idNumberCheckChar(body);
}

export function personName(rng: Prng): string {
  return rng.pick(SURNAMES) + rng.pick(GIVEN_NAMES);
}

export function mobile(rng: Prng): string {
  return `1${rng.pick(['3', '5', '8', '9'])}${String(rng.int(0, 999_999_999)).padStart(9, '0')}`;
}

export function landline(rng: Prng): string {
  return `0512-${rng.int(5, 6)}${String(rng.int(0, 9_999_999)).padStart(7, '0')}`;
}
