/**
 * vitest setupFiles of the `postgres` project: each file takes its turn on the run's cluster
 * before its own set-up (./cluster-turns-server.ts) and gives it back after its own clean-up.
 * CLUSTER_ALONE names the files that must have the cluster to themselves; every other file on it
 * shares it with the others.
 */
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';

/**
 * - temporal-and-workers stops Temporal and PostgreSQL under the others;
 * - worker-killed and temporal-and-workers run worker/main.ts on the production task queue;
 * - store-held-transaction locks the console's sessions and the record's rows;
 * - store-roles changes the record database's roles and privileges.
 */
export const CLUSTER_ALONE = ['tests/drills/temporal-and-workers.test.ts', 'tests/drills/worker-killed.test.ts', 'tests/drills/store-held-transaction.test.ts', 'tests/drills/store-roles.test.ts'];

const ROOT = path.resolve(__dirname, '../..');
/** Long enough to wait out every drill ahead of it (the hook's own ceiling, not a speed goal). */
const WAIT_MS = 1_200_000;

let socket: net.Socket | undefined;

beforeAll(async ({}, suite) => {
  const filepath = 'filepath' in suite ? suite.filepath : suite.file.filepath;
  const alone = CLUSTER_ALONE.includes(path.relative(ROOT, filepath));
  socket = net.connect({ host: '127.0.0.1', port: inject('clusterTurnsPort') });
  const granted = new Promise<void>((resolve, reject) => {
    socket!.once('data', () => resolve());
    socket!.once('error', reject);
    socket!.once('close', () => reject(new Error('the cluster turns server went away')));
  });
  socket.write(alone ? 'alone\n' : 'shared\n');
  await granted;
}, WAIT_MS);

afterAll(() => {
  socket?.end();
  socket = undefined;
});
