/**
 * The production-shaped Temporal cluster (server v1.32.0 on PostgreSQL) for tests and benchmarks,
 * through worker/tools/temporal-cluster.sh with its state in a folder of the caller's, so a test
 * run never touches the cluster `npm run start:cluster` keeps in .data/.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const SCRIPT = path.resolve(__dirname, '../../worker/tools/temporal-cluster.sh');
const run = promisify(execFile);

export interface TemporalCluster {
  /** host:port of Temporal's frontend. */
  address: string;
  /** Creates (once) a database in the cluster's PostgreSQL; resolves to its URL. */
  database(name: string): Promise<string>;
  /** Stops Temporal only (the database stays up), or PostgreSQL only (Temporal stays up). */
  stopPart(part: 'temporal' | 'postgres'): Promise<void>;
  /** Starts whatever is stopped, and waits until Temporal serves. */
  start(): Promise<void>;
  /** Stops everything. */
  stop(): Promise<void>;
}

/** Runs the cluster script with its state in `dataDir`; rejects with its output when it fails. */
export async function clusterScript(dataDir: string, ...args: string[]): Promise<string> {
  return clusterScriptWith({}, dataDir, ...args);
}

async function clusterScriptWith(env: Record<string, string>, dataDir: string, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('bash', [SCRIPT, ...args], {
      // Never the default 7233: that is `npm start`'s (or `npm run start:cluster`'s) on this machine.
      env: { ...process.env, CASECLOCK_DATA_DIR: dataDir, CASECLOCK_TEMPORAL_PORT: 'any', ...env },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 900_000, // the first start may build the server from Go modules
    });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`temporal-cluster.sh ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

function ports(dataDir: string): Record<string, string> {
  const text = readFileSync(path.join(dataDir, 'temporal-pg', 'cluster.env'), 'utf8');
  return Object.fromEntries(text.split('\n').filter((l) => l.includes('=')).map((l) => l.split('=', 2) as [string, string]));
}

/**
 * Starts (or finds running) the cluster whose state is in `dataDir`; with `tls`, speaking mTLS only
 * (certificates in `dataDir`/temporal-pg/certs).
 */
export async function startTemporalCluster(dataDir: string, options: { tls?: boolean } = {}): Promise<TemporalCluster> {
  const clusterScript = (d: string, ...args: string[]) => clusterScriptWith(options.tls ? { CASECLOCK_TEMPORAL_TLS: '1' } : {}, d, ...args);
  await clusterScript(dataDir, 'start');
  const p = ports(dataDir);
  const pgUrl = (db: string) => `postgres://temporal@127.0.0.1:${p.PG_PORT}/${db}`;
  return {
    address: `127.0.0.1:${p.FRONTEND_PORT}`,
    async database(name) {
      const admin = new pg.Client({ connectionString: pgUrl('postgres') });
      await admin.connect();
      try {
        const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } finally {
        await admin.end();
      }
      return pgUrl(name);
    },
    stopPart: async (part) => void (await clusterScript(dataDir, 'stop', part)),
    start: async () => void (await clusterScript(dataDir, 'start')),
    stop: async () => void (await clusterScript(dataDir, 'stop')),
  };
}
