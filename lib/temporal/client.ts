import { Client, Connection, defaultGrpcRetryOptions, isGrpcServiceError, makeGrpcRetryInterceptor, ServiceError } from '@temporalio/client';
import { dataConverter } from './codec';
import { temporalTls } from './tls';

/**
 * A Temporal client connected on first use and reconnected after a failed attempt, so the API
 * starts (and reports "not ready") while Temporal is still down instead of refusing to boot.
 */
export interface LazyTemporalClient {
  get(): Promise<Client>;
  close(): Promise<void>;
}

export function lazyTemporalClient(address: string, namespace: string): LazyTemporalClient {
  let pending: Promise<Client> | null = null;
  return {
    get() {
      pending ??= Connection.connect({
        address,
        tls: temporalTls(),
        // Short, so a command while Temporal is down answers 503 within 2 s, not after a wait.
        connectTimeout: 1_500,
        interceptors: [makeGrpcRetryInterceptor(FAIL_FAST_RETRY)],
        // grpc-js backs reconnection off up to 2 minutes; a restarted dev server is found within 5 s.
        channelArgs: { 'grpc.max_reconnect_backoff_ms': 5_000, 'grpc.initial_reconnect_backoff_ms': 500 },
      })
        .then((connection) => temporalClient(connection, namespace))
        .catch((err) => {
          pending = null;
          throw err;
        });
      return pending;
    },
    async close() {
      if (!pending) return;
      const client = await pending.catch(() => null);
      await client?.connection.close();
      pending = null;
    },
  };
}

/**
 * Every Temporal Client of the platform is made here (or by `lazyTemporalClient`), with the
 * encrypting data converter (lib/temporal/codec.ts): nothing reaches Temporal in clear.
 */
export function temporalClient(connection: Connection, namespace: string): Client {
  return new Client({ connection, namespace, dataConverter: dataConverter() });
}

/**
 * The SDK's default retry policy retries UNAVAILABLE ten times over about 20 s, which is how a
 * decision used to hang for 20 s and end in a 500 while the server was down. Here UNAVAILABLE is
 * retried twice within about 300 ms (enough for a connection that was just reset), then the call
 * fails and the API answers 503 temporal_unavailable; other retryable codes keep the default.
 */
const UNAVAILABLE = 14; // the gRPC status code
const defaults = defaultGrpcRetryOptions();
export const FAIL_FAST_RETRY: ReturnType<typeof defaultGrpcRetryOptions> = {
  delayFunction: (attempt, status) => (status.code === UNAVAILABLE ? 100 * attempt : defaults.delayFunction(attempt, status)),
  retryableDecider: (attempt, status) => (status.code === UNAVAILABLE ? attempt < 3 : defaults.retryableDecider(attempt, status)),
};

/**
 * True when an error says the Temporal server could not be reached (gRPC UNAVAILABLE, a first
 * connection that did not come up within its connect timeout), looking through the SDK's wrappers.
 */
export function isTemporalUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(e) && e.code === UNAVAILABLE) return true;
    if (e instanceof ServiceError && /^Failed to connect to Temporal server/.test(e.message)) return true;
    // grpc-js's waitForReady, when the first connection does not come up within connectTimeout.
    if (e instanceof Error && /^Failed to connect before the deadline/.test(e.message)) return true;
  }
  return false;
}
