import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { provisionTemporal } from '../../lib/temporal/provision';
import { createApprovalsWorker } from '../../workers/approvals-worker';

/**
 * A Temporal dev server of the bench's own (a temporary data folder, a free port; as
 * bench/case-throughput.ts) and the real approvals worker in this process on a queue of its own.
 */
export interface RunningEngine {
  address: string;
  taskQueue: string;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });

export async function startEngine(db: Knex): Promise<RunningEngine> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const config = loadConfig();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'psp-bench-decide-'));
  const temporal = await provisionTemporal({ log: createLogger('bench', 'warn'), namespace: 'default', dataDir, cacheDir: config.CACHE_DIR, port: await freePort(), uiPort: false, reuseRunning: false });
  const taskQueue = `bench-decide-${process.pid}`;
  const connection = await NativeConnection.connect({ address: temporal.address });
  const worker: Worker = await createApprovalsWorker({ connection, namespace: 'default', db, taskQueue });
  const running = worker.run();
  return {
    address: temporal.address,
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      await temporal.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
