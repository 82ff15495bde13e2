/**
 * vitest globalSetup: one throwaway Temporal dev server (SQLite in a temp dir, free ports, no
 * Web UI) for the whole run. Tests reach it through `devServerAddress()` in ./temporal-env.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, startDevServer } from '../../worker/tools/dev-server';
import { migrateCaseRecordStore, startEmbeddedStore } from '../../store/case-record-store';

declare module 'vitest' {
  export interface ProvidedContext {
    /** host:port of the dev server started for this test run. */
    temporalAddress: string;
    /** URL of the embedded case-record store started for this test run (migrated). */
    storeUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-test-temporal-'));
  const logFile = path.join(dir, 'temporal.log');
  const server = await startDevServer({
    dbFile: path.join(dir, 'temporal.sqlite'),
    port: await freePort(),
    logFile,
  });
  project.provide('temporalAddress', server.address);
  // One store for the run, as one server serves every process in production; every test's case
  // ids are its own, so their records never mix.
  const store = await startEmbeddedStore({ dataDir: path.join(dir, 'store'), port: await freePort() });
  await migrateCaseRecordStore(store.url);
  project.provide('storeUrl', store.url);
  return async () => {
    await store.stop();
    await server.stop();
    if (process.env.CASECLOCK_KEEP_TEST_TEMPORAL) {
      process.stdout.write(`Temporal dev server files kept in ${dir}\n`);
    } else {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
