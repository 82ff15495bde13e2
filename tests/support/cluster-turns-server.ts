/**
 * vitest globalSetup of the `postgres` project (vitest.config.mts): who may use the run's one
 * Temporal cluster now. Its files run side by side with every other file, except the drills that
 * stop the cluster, use its production task queue or lock the record's tables: each of those has
 * the cluster to itself (see ./cluster-turns.ts, which takes the turns).
 *
 * A readers-writer lock over a local socket, first come first served: a file connects and writes
 * `shared` or `alone`, and holds its turn from the server's `go` until it disconnects (a test
 * process that dies gives its turn back with its socket).
 */
import net from 'node:net';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Port on 127.0.0.1 of this run's cluster turns (postgres project only). */
    clusterTurnsPort: number;
  }
}

interface Turn {
  alone: boolean;
  socket: net.Socket;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const waiting: Turn[] = [];
  const holding = new Set<Turn>();
  // In order of asking: a file that must be alone waits for the holders to finish, and the files
  // that ask after it wait for it, so it is never passed over.
  const pump = () => {
    for (let next = waiting[0]; next; next = waiting[0]) {
      const free = next.alone ? holding.size === 0 : ![...holding].some((t) => t.alone);
      if (!free) return;
      waiting.shift();
      holding.add(next);
      next.socket.write('go\n');
    }
  };
  const server = net.createServer((socket) => {
    let turn: Turn | undefined;
    socket.setEncoding('utf8');
    socket.once('data', (line: string) => {
      turn = { alone: line.trim() === 'alone', socket };
      waiting.push(turn);
      pump();
    });
    const giveBack = () => {
      if (!turn) return;
      holding.delete(turn);
      const i = waiting.indexOf(turn);
      if (i !== -1) waiting.splice(i, 1);
      turn = undefined;
      pump();
    };
    socket.on('close', giveBack);
    socket.on('error', giveBack);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  project.provide('clusterTurnsPort', (server.address() as net.AddressInfo).port);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
