import { Client, Connection } from '@temporalio/client';

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
      pending ??= Connection.connect({ address, connectTimeout: 2_000 })
        .then((connection) => new Client({ connection, namespace }))
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
