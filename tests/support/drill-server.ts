/**
 * The Temporal server a real-time fault drill runs against, and stops and starts:
 * - in the `dev` project, a dev server of the drill's own (SQLite in the drill's folder), since
 *   the production worker polls the production task queue that no other test may share;
 * - in the `postgres` project, the run's cluster (Temporal on PostgreSQL): test files run one at a
 *   time, so the drill has it to itself, and it can stop Temporal or PostgreSQL alone.
 */
import path from 'node:path';
import { inject } from 'vitest';
import { freePort, startDevServer, type DevServer } from '../../tools/dev-server';
import { clusterScript } from './temporal-cluster';

export interface DrillServer {
  kind: 'dev' | 'postgres';
  /** host:port of Temporal's frontend; the same across restarts. */
  address: string;
  /** Temporal down: its database keeps every workflow. */
  stopTemporal(): Promise<void>;
  /** PostgreSQL down under a running Temporal (postgres only). */
  stopDatabase(): Promise<void>;
  /** Everything stopped started again, on the same data and port. */
  restart(): Promise<void>;
  /** Stops a server of the drill's own; leaves the run's cluster running. */
  close(): Promise<void>;
}

export async function startDrillServer(dir: string, name = 'temporal'): Promise<DrillServer> {
  if (inject('temporalKind') === 'postgres') {
    const dataDir = inject('clusterDataDir');
    return {
      kind: 'postgres',
      address: inject('temporalAddress'),
      stopTemporal: async () => void (await clusterScript(dataDir, 'stop', 'temporal')),
      stopDatabase: async () => void (await clusterScript(dataDir, 'stop', 'postgres')),
      restart: async () => void (await clusterScript(dataDir, 'start')),
      close: async () => undefined,
    };
  }
  const port = await freePort();
  const start = () => startDevServer({ dbFile: path.join(dir, `${name}.sqlite`), port, logFile: path.join(dir, `${name}.log`) });
  let server: DevServer | undefined = await start();
  const address = server.address;
  return {
    kind: 'dev',
    address,
    async stopTemporal() {
      await server?.stop();
      server = undefined;
    },
    stopDatabase: () => Promise.reject(new Error('the dev server keeps its database in its own process: stop Temporal instead')),
    async restart() {
      server ??= await start();
    },
    async close() {
      await server?.stop();
      server = undefined;
    },
  };
}
