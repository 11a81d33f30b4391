import { TASK_QUEUES } from '../../lib/config';
import { normalisePhone, isSendablePhone } from '../../lib/sms/phone';
import { parseReply, topicText } from '../../lib/sms/topics';
import { SMS_TASK_QUEUE } from '../../workflows/sms/ask';

/** Reply parsing and phone spelling: the pure rules behind matching replies to topics. */
describe('reply rules', () => {
  const options = { '1': '同意', '2': '不同意', '3': '了解详情' };

  it('reads the option a reply names, in the ways people type it', () => {
    expect(parseReply('1', options)).toBe('1');
    expect(parseReply(' 2。', options)).toBe('2');
    expect(parseReply('１', options)).toBe('1'); // full-width digit from a Chinese keyboard
    expect(parseReply('3 请打电话给我', options)).toBe('3');
    expect(parseReply('不同意', options)).toBe('2'); // the label itself
    expect(parseReply('“1”', options)).toBe('1');
    expect(parseReply('12', options)).toBeNull();
    expect(parseReply('好的', options)).toBeNull();
    expect(parseReply('', options)).toBeNull();
  });

  it('writes the question with its numbered answers', () => {
    expect(topicText('是否同意？', options)).toBe('是否同意？（回复1同意，回复2不同意，回复3了解详情）');
  });

  it('spells a phone one way whatever the prefix and separators', () => {
    for (const spelling of ['13800000001', '+8613800000001', '008613800000001', '8613800000001', '138 0000 0001', '138-0000-0001']) {
      expect(normalisePhone(spelling)).toBe('13800000001');
    }
    expect(normalisePhone('+4915112345678')).toBe('+4915112345678');
    expect(isSendablePhone('0512-67270005')).toBe(true);
    expect(isSendablePhone('abc')).toBe(false);
  });

  it('uses the configured SMS queue name in workflow code, which cannot import the config', () => {
    expect(SMS_TASK_QUEUE).toBe(TASK_QUEUES.sms);
  });
});
