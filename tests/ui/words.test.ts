import zh from '../../admin-ui/src/i18n/app-zh-CN';
import en from '../../admin-ui/src/i18n/app-en';
import { beijingTime } from '../../admin-ui/src/beijing-time';
import { spanInWords } from '../../admin-ui/src/duration';

/** The words the UI shows for times and spans, and the two message catalogues staying in step. */
// The same polyglot provider the UI uses (admin-ui/src/i18n), over one catalogue. Loaded untyped:
// its types pull the DOM's into the server's type check.
type Provider = (get: () => object, locale: string) => { translate: (key: string, options?: Record<string, unknown>) => string };
const polyglotI18nProvider = jest.requireActual<Provider>('ra-i18n-polyglot');
const translator = (phrases: object, locale: string) => polyglotI18nProvider(() => phrases, locale).translate;

describe('Beijing time', () => {
  it('is YYYY-MM-DD HH:mm in UTC+8 whatever the zone of the machine', () => {
    expect(beijingTime('2026-12-03T16:05:00Z')).toBe('2026-12-04 00:05');
    expect(beijingTime(new Date('2026-01-01T03:00:59.999Z'))).toBe('2026-01-01 11:00');
    expect(beijingTime(null)).toBe('—');
    expect(beijingTime('not a date')).toBe('—');
  });
});

describe('a span of time in words', () => {
  const t = translator(zh, 'zh-CN');
  const tEn = translator(en, 'en');
  it('says the two largest units, in Chinese and English', () => {
    expect(spanInWords(30_000, t)).toBe('不足 1 分钟');
    expect(spanInWords(45 * 60_000, t)).toBe('45 分钟');
    expect(spanInWords((2 * 24 + 3) * 3_600_000 + 17 * 60_000, t)).toBe('2 天 3 小时');
    expect(spanInWords(10 * 86_400_000, t)).toBe('10 天');
    expect(spanInWords(3_600_000 + 60_000, tEn)).toBe('1 hour 1 minute');
    expect(spanInWords(2 * 86_400_000 + 5 * 60_000, tEn)).toBe('2 days');
    expect(spanInWords(-1, t)).toBe('—');
  });
});

describe('the message catalogues', () => {
  const keys = (o: object, prefix = ''): string[] => Object.entries(o).flatMap(([k, v]) => (v !== null && typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]));
  it('have the same keys in Chinese and English, so no page shows a raw key in either', () => {
    const zhKeys = new Set(keys(zh));
    const enKeys = new Set(keys(en));
    expect([...zhKeys].filter((k) => !enKeys.has(k))).toEqual([]);
    expect([...enKeys].filter((k) => !zhKeys.has(k))).toEqual([]);
  });
});
