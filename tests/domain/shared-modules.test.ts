/**
 * The modules every workflow shares (worker/workflow-bundle.ts) must never load zod: the SDK
 * deep-freezes shared modules, and zod writes to its own objects as it parses, so a shared zod
 * breaks every update validator. And the case workflow must not load zod until it validates an
 * update. Checked in fresh Node processes, by what each module graph loads.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SHARED_WORKFLOW_MODULES } from '../../worker/workflow-bundle';

const ROOT = path.resolve(__dirname, '../..');

/** The node_modules packages loaded by requiring `modules` in a fresh process. */
async function packagesLoadedBy(modules: string[]): Promise<string[]> {
  const script = `
    for (const m of ${JSON.stringify(modules)}) require(m);
    const names = Object.keys(require.cache).map((k) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(k)?.[1]).filter(Boolean);
    process.stdout.write(JSON.stringify([...new Set(names)].sort()));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT });
  // tsx (and esbuild under it) is the loader that runs TypeScript here, not a module of ours.
  return (JSON.parse(stdout) as string[]).filter((name) => name !== 'tsx' && name !== 'esbuild');
}

describe('modules shared by every workflow', () => {
  it('load no zod (luxon and the Temporal workflow SDK with its own dependencies)', async () => {
    const loaded = await packagesLoadedBy(SHARED_WORKFLOW_MODULES.map((m) => (m === 'luxon' ? m : path.resolve(m))));
    expect(loaded).toContain('luxon');
    expect(loaded).not.toContain('zod');
    // What the Temporal workflow SDK loads itself: the no-op workflow has them too.
    const sdk = await packagesLoadedBy(['@temporalio/workflow']);
    expect(loaded.filter((name) => name !== 'luxon' && !sdk.includes(name))).toEqual([]);
  });

  it('the case workflow loads zod only with its update checks', async () => {
    const workflow = await packagesLoadedBy([path.join(ROOT, 'workflows/case.ts')]);
    expect(workflow).not.toContain('zod');
    expect(await packagesLoadedBy([path.join(ROOT, 'workflows/update-checks.ts')])).toContain('zod');
  });
});
