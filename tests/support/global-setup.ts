/**
 * vitest globalSetup, once per project (vitest.config.mts):
 * - `dev`: a throwaway Temporal dev server (SQLite in a temp dir, free ports, no Web UI) and an
 *   embedded case-record store (PGlite);
 * - `postgres`: the production-shaped cluster (Temporal server v1.32.0 on PostgreSQL, started by
 *   tools/temporal-cluster.sh in a temp dir), with the case record in a database of the
 *   same PostgreSQL.
 * Tests reach them through `devServerAddress()` in ./temporal-env and `storeUrl()` in ./case-record;
 * drills that restart the server use ./drill-server.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, startDevServer } from '../../tools/dev-server';
import { migrateCaseRecordStore, startEmbeddedStore } from '../../store/case-record-store';
import { provisionCaseRecordStore } from '../../store/provision';
import { startTemporalCluster } from './temporal-cluster';

declare module 'vitest' {
  export interface ProvidedContext {
    /** host:port of the Temporal server started for this test run. */
    temporalAddress: string;
    /** Which server that is: the CLI's dev server, or Temporal on PostgreSQL. */
    temporalKind: 'dev' | 'postgres';
    /** The cluster's state folder (postgres only; empty otherwise), for drills that restart it. */
    clusterDataDir: string;
    /** URL of the case-record store started for this test run (migrated). */
    storeUrl: string;
    /** The URL a worker process connects with: the caseclock_worker role on PostgreSQL. */
    storeWorkerUrl: string;
    /** The URL the console, codec server and command line connect with: caseclock_console on PostgreSQL. */
    storeConsoleUrl: string;
  }
}

const keep = Boolean(process.env.CASECLOCK_KEEP_TEST_TEMPORAL);

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (project.name === 'postgres') return setupCluster(project);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-test-temporal-'));
  const logFile = path.join(dir, 'temporal.log');
  const server = await startDevServer({
    dbFile: path.join(dir, 'temporal.sqlite'),
    port: await freePort(),
    logFile,
  });
  project.provide('temporalAddress', server.address);
  project.provide('temporalKind', 'dev');
  project.provide('clusterDataDir', '');
  // One store for the run, as one server serves every process in production; every test's case
  // ids are its own, so their records never mix.
  // On its Unix socket, as under npm start (in a 0700 folder: only this user's processes connect).
  const store = await startEmbeddedStore({ dataDir: path.join(dir, 'store') });
  await migrateCaseRecordStore(store.url);
  project.provide('storeUrl', store.url);
  // The embedded store has no roles (its socket is private instead): every process uses its one URL.
  project.provide('storeWorkerUrl', store.url);
  project.provide('storeConsoleUrl', store.url);
  return async () => {
    await store.stop();
    await server.stop();
    if (keep) process.stdout.write(`Temporal dev server files kept in ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  };
}

async function setupCluster(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-test-cluster-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as `postgres` when the tests run as root: it must reach its data
  const cluster = await startTemporalCluster(dir);
  project.provide('temporalAddress', cluster.address);
  project.provide('temporalKind', 'postgres');
  project.provide('clusterDataDir', dir);
  const storeUrl = await cluster.database('caseclock_record');
  // As `npm run start:cluster` sets it up: migrated by the owner, with the roles of store/roles.sql.
  // Tests keep the owner's URL (they read and clear what they wrote); the worker processes of the
  // drills connect as caseclock_worker, as production's do.
  const provisioned = await provisionCaseRecordStore({
    CASECLOCK_STORE_OWNER_URL: storeUrl,
    CASECLOCK_WORKER_DB_PASSWORD: randomBytes(18).toString('hex'),
    CASECLOCK_CONSOLE_DB_PASSWORD: randomBytes(18).toString('hex'),
  });
  project.provide('storeUrl', storeUrl);
  project.provide('storeWorkerUrl', provisioned.workerUrl);
  project.provide('storeConsoleUrl', provisioned.consoleUrl);
  return async () => {
    await cluster.stop();
    if (keep) process.stdout.write(`Temporal cluster files kept in ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  };
}
