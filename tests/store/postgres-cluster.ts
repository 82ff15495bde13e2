/**
 * A throwaway Debian PostgreSQL 15 cluster for the case-record store tests: initdb in a temp dir,
 * started with pg_ctl on a free port on 127.0.0.1 (trust authentication, fsync off), stopped and
 * removed afterwards. PostgreSQL refuses to run as root, so as root it runs as the `postgres`
 * user (runuser), in a directory chowned to it; as anyone else it runs as that user.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from '../../tools/dev-server';

const run = promisify(execFile);

export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';
export const postgresAvailable = (): boolean => existsSync(path.join(POSTGRES_BIN, 'postgres'));

export interface PostgresCluster {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  /** A new empty database on the cluster; resolves to its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server as an outage would (fast shutdown: sessions ended), keeping its data for `resume`. */
  halt(): Promise<void>;
  /** Starts the halted server again on the same port with the same data. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

async function asOwner(owner: { uid: number; gid: number } | undefined, file: string, args: string[]): Promise<string> {
  const command = owner ? 'runuser' : file;
  const argv = owner ? ['-u', 'postgres', '--', file, ...args] : args;
  const { stdout } = await run(command, argv, { timeout: 60_000 });
  return stdout;
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-test-pg-'));
  let owner: { uid: number; gid: number } | undefined;
  if (process.getuid?.() === 0) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    owner = { uid, gid };
    chownSync(dir, uid, gid);
  }
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'postgres.log');
  const port = await freePort();
  const pgCtl = path.join(POSTGRES_BIN, 'pg_ctl');
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const start = () => asOwner(owner, pgCtl, ['-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', serverOptions, 'start']);
  try {
    await asOwner(owner, path.join(POSTGRES_BIN, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
    await start();
  } catch (error) {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start PostgreSQL 15 in ${dir}: ${(error as Error).message}\n${log}`);
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let stopped: Promise<void> | undefined;
  return {
    url,
    port,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      await run(path.join(POSTGRES_BIN, 'psql'), [url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', `CREATE DATABASE ${name}`]);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async halt() {
      await asOwner(owner, pgCtl, ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    },
    async resume() {
      await start();
    },
    stop() {
      stopped ??= (async () => {
        try {
          // Already halted: nothing to stop, only the folder to remove.
          if (existsSync(path.join(dataDir, 'postmaster.pid'))) await asOwner(owner, pgCtl, ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      })();
      return stopped;
    },
  };
}

/** Runs `work` on a connection of its own to `url`, closed afterwards whatever happens. */
export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
