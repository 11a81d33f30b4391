import pino from 'pino';
import { ModemPool, type PoolOptions } from '../../lib/sms/pool';

/** Shared bits of the SMS tests: a quiet logger, pool timings for a loaded machine (waiting: tests/helpers/wait.ts). */
export const quietLog = () => pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/**
 * Timeouts long enough that a busy 2-core machine never trips them by accident (the simulator
 * answers in milliseconds), short enough that tests of silent modems finish.
 */
export const TEST_POOL_OPTIONS: Omit<PoolOptions, 'log'> = {
  commandTimeoutMs: 4_000,
  sendTimeoutMs: 6_000,
  healthIntervalMs: 250,
  retryMinMs: 250,
  retryMaxMs: 1_500,
  sweepEvery: 2,
};

export function testPool(paths: string[], overrides: Partial<PoolOptions> = {}): ModemPool {
  return new ModemPool(paths, { log: quietLog(), ...TEST_POOL_OPTIONS, ...overrides });
}

/** A Chinese notice long enough for three parts. */
export const LONG_CHINESE =
  '【苏州市住房和城乡建设局】尊敬的业主：您所在的平江新村小区将于本周六上午九点至十一点进行消防设施年度检测，' +
  '检测期间消防警铃可能短暂鸣响，请勿惊慌。如有疑问请联系物业服务中心，电话0512-67270005。' +
  '感谢您对物业管理工作的理解与支持！回复1表示已知悉，回复2表示有疑问需要回电。';
