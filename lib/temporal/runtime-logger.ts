import { Runtime, type LogLevel, type LogMetadata } from '@temporalio/worker';
import type { Logger } from 'pino';

/**
 * Sends the Temporal SDK's own log lines (worker state, bundling) through the process's pino
 * logger. Its INFO chatter (webpack output at every start) goes to debug; warnings and errors
 * stay what they are. With `metricsBindAddress` (host:port) the SDK also serves its own metrics
 * (worker slots, poll and task latencies, sticky cache …) for Prometheus at http://host:port/metrics.
 */
export function installTemporalRuntimeLogger(log: Logger, metricsBindAddress?: string): void {
  const sdk = log.child({ component: 'temporal-sdk' });
  const levels: Record<LogLevel, 'trace' | 'debug' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'debug', WARN: 'warn', ERROR: 'error' };
  const emit = (level: LogLevel, message: string, meta?: LogMetadata) => sdk[levels[level]](meta ?? {}, message);
  Runtime.install({
    ...(metricsBindAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: metricsBindAddress } } } } : {}),
    logger: {
      log: emit,
      trace: (m, meta) => emit('TRACE', m, meta),
      debug: (m, meta) => emit('DEBUG', m, meta),
      info: (m, meta) => emit('INFO', m, meta),
      warn: (m, meta) => emit('WARN', m, meta),
      error: (m, meta) => emit('ERROR', m, meta),
    },
  });
}
