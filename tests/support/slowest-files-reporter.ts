/**
 * A vitest reporter, beside the default one (vitest.config.mts): at the end of a run, the ten
 * slowest test files, so a file that grows slow is seen the day it does. A file's time is its
 * whole cost to the run: importing it (collect), its set-up files, and its tests and hooks.
 */
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

const SHOWN = 10;

export default class SlowestFilesReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const files = testModules
      .map((m) => {
        const d = m.diagnostic();
        const total = d.environmentSetupDuration + d.prepareDuration + d.setupDuration + d.collectDuration + d.duration;
        return { name: `${m.project.name} ${path.relative(process.cwd(), m.moduleId)}`, total, tests: d.duration };
      })
      .sort((a, b) => b.total - a.total)
      .slice(0, SHOWN);
    if (files.length === 0) return;
    const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`.padStart(8);
    const lines = files.map((f) => `${secs(f.total)}  (tests ${secs(f.tests).trim()})  ${f.name}`);
    process.stdout.write(`\nSlowest ${files.length} test files (import, set-up and tests):\n${lines.join('\n')}\n`);
  }
}
