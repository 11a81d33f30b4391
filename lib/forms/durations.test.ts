import { durationFromWords, durationInWords } from './durations';

describe('spans of time in users’ words', () => {
  it('reads what a clerk types as the ISO-8601 duration the timers use', () => {
    expect(durationFromWords('10天')).toBe('P10D');
    expect(durationFromWords(' 10 天 ')).toBe('P10D');
    expect(durationFromWords('12小时')).toBe('PT12H');
    expect(durationFromWords('1天12小时')).toBe('P1DT12H');
    expect(durationFromWords('2周')).toBe('P2W');
    expect(durationFromWords('30分钟')).toBe('PT30M');
    expect(durationFromWords('3 days')).toBe('P3D');
    expect(durationFromWords('P10D')).toBe('P10D');
    expect(durationFromWords('pt12h')).toBe('PT12H');
  });

  it('refuses what is not a span', () => {
    for (const text of ['', '十天', '10', '天', '10天天', '10年', '10天 后', 'P', 'P10X', '1天1天']) expect(durationFromWords(text)).toBeNull();
  });

  it('says a duration back in words, in Chinese and English', () => {
    expect(durationInWords('P10D')).toBe('10 天');
    expect(durationInWords('P1DT12H')).toBe('1 天 12 小时');
    expect(durationInWords('PT30M')).toBe('30 分钟');
    expect(durationInWords('P1D', 'en')).toBe('1 day');
    expect(durationInWords('P2W', 'en')).toBe('2 weeks');
    expect(durationInWords('not one')).toBe('not one');
  });
});
