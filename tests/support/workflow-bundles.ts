/**
 * vitest globalSetup (vitest.config.mts): CaseClock's case and incident workflows bundled once
 * per test run, plain and for an encrypting worker, written to files that every test file's
 * worker loads with `workflowBundle: { codePath }` (through bundleCaseWorkflows() in
 * ./temporal-env). Bundling takes webpack several seconds of CPU; done in each of some twenty
 * files it was minutes of every run. Tests of other workflow code (the foundation's proof
 * workflows) still bundle their own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { FAILURE_CONVERTER_PATH } from '../../common/temporal';
import { caseBundleOptions } from '../../worker/workflow-bundle';

export interface CaseBundlePaths {
  /** For a worker with the default data converter. */
  plain: string;
  /** For a worker whose data converter encrypts: its failure converter is in the bundle. */
  encrypted: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Files holding this run's workflow bundles (see CaseBundlePaths). */
    caseBundles: CaseBundlePaths;
  }
}

/**
 * Each project runs its global set-up, in the one vitest process: the bundles are made by the
 * first and shared with the others, and removed by the last to tear down.
 */
interface SharedBundles {
  paths: Promise<CaseBundlePaths>;
  dir: string;
  users: number;
}
const KEY = Symbol.for('caseclock.test.caseBundles');
const registry = globalThis as typeof globalThis & { [KEY]?: SharedBundles };

async function bundleInto(dir: string): Promise<CaseBundlePaths> {
  const logger = new DefaultLogger('WARN');
  const [plain, encrypted] = await Promise.all([bundleWorkflowCode(caseBundleOptions({ logger })), bundleWorkflowCode(caseBundleOptions({ logger, failureConverterPath: FAILURE_CONVERTER_PATH }))]);
  const paths = { plain: path.join(dir, 'case-workflows.js'), encrypted: path.join(dir, 'case-workflows-encrypted.js') };
  writeFileSync(paths.plain, plain.code);
  writeFileSync(paths.encrypted, encrypted.code);
  return paths;
}

export default async function setup(project: TestProject): Promise<() => void> {
  let shared = registry[KEY];
  if (!shared) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-test-bundles-'));
    shared = registry[KEY] = { dir, paths: bundleInto(dir), users: 0 };
  }
  shared.users += 1;
  project.provide('caseBundles', await shared.paths);
  return () => {
    const current = registry[KEY];
    if (!current || --current.users > 0) return;
    delete registry[KEY];
    rmSync(current.dir, { recursive: true, force: true });
  };
}
