/**
 * Prebuilds the workflow bundle (dist/workflow-bundle.js) so production workers start without
 * bundling, and every replica runs byte-identical workflow code. `npm run build` runs it compiled
 * (dist/worker/build-bundle.js), so the bundle is made from the compiled workflows.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { REPO_ROOT } from '../common/env-file';
import { FAILURE_CONVERTER_PATH } from '../common/temporal';
import { caseBundleOptions } from './workflow-bundle';

/** At the top of the checkout's dist/, whether this runs from the sources or from dist/worker/. */
export const BUNDLE_PATH = path.join(REPO_ROOT, 'dist', 'workflow-bundle.js');

async function main(): Promise<void> {
  // The failure converter encrypts failure messages raised inside workflows too.
  const { code } = await bundleWorkflowCode(caseBundleOptions({ failureConverterPath: FAILURE_CONVERTER_PATH }));
  mkdirSync(path.dirname(BUNDLE_PATH), { recursive: true });
  writeFileSync(BUNDLE_PATH, code);
  process.stdout.write(`workflow bundle written to ${path.relative(process.cwd(), BUNDLE_PATH)} (${code.length} bytes)\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`bundle failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
