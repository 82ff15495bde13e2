/**
 * How CaseClock's workflow code is bundled, defined once for the worker, the prebuilt bundle, the
 * tests and the benchmarks.
 *
 * The SDK runs every workflow in one reused V8 context, but gives each workflow its own copy of
 * every bundled module it loads, unless the module is preloaded: a preloaded module is loaded once,
 * deep-frozen, and shared by every workflow. The deadline engine (and luxon under it) is pure code
 * with no module-level state that a workflow could change, so it is shared, as is the library of
 * frozen policy versions (domain/policy-library.ts); each cached case then
 * holds its own state and the thin workflow modules only. zod is never preloaded: the SDK freezes
 * what it shares, and zod writes to its own objects as it parses (see
 * docs/decisions/0003-shared-workflow-modules.md); workflow code loads it only to validate an
 * update.
 */
import path from 'node:path';
import type { BundleOptions } from '@temporalio/worker';

/**
 * The workflow sources' own extension: `.ts` when run from the sources (tsx, vitest), `.js` when
 * run compiled from dist/ (npm run build), where the bundler then bundles the compiled workflows.
 */
const EXT = path.extname(__filename);

export const WORKFLOWS_PATH = path.resolve(__dirname, `../workflows/index${EXT}`);

/**
 * Modules every workflow shares: pure, free of zod (tests/domain/shared-modules.test.ts checks),
 * and holding no module-level state a workflow could change. The workflow modules themselves
 * (workflows/case.ts, with its activity proxies) are not shared.
 */
export const SHARED_WORKFLOW_MODULES = [
  'luxon',
  path.resolve(__dirname, `../domain/engine${EXT}`),
  path.resolve(__dirname, `../domain/consistency${EXT}`),
  // The frozen policy versions: one copy for every case that started on one of them.
  path.resolve(__dirname, `../domain/policy-library${EXT}`),
  // The case's state class and the workflow contract: code and constants only.
  path.resolve(__dirname, `../workflows/case-record${EXT}`),
  path.resolve(__dirname, `../workflows/messages${EXT}`),
  path.resolve(__dirname, `../workflows/search-attributes${EXT}`),
  path.resolve(__dirname, `../workflows/patches${EXT}`),
  path.resolve(__dirname, `../workflows/failure-types${EXT}`),
];

/** The bundle options of the case and incident workflows. */
export function caseBundleOptions(extra: Partial<BundleOptions> = {}): BundleOptions {
  return { workflowsPath: WORKFLOWS_PATH, preloadModules: SHARED_WORKFLOW_MODULES, ...extra };
}
