import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The real-server tests that also run on the production-shaped Temporal (server v1.32.0 on
 * PostgreSQL, tools/temporal-cluster.sh): the case lifecycle on a real server, search
 * attributes in SQL visibility, the fault drills (worker killed mid-send, Temporal and PostgreSQL
 * restarted, two workers, the store and the mail server down, the record restored from a back-up),
 * forged input, and mTLS.
 */
export const POSTGRES_PROFILE = [
  'tests/foundation/dev-server.test.ts',
  'tests/case/listing.test.ts',
  'tests/drills/worker-killed.test.ts',
  'tests/drills/temporal-and-workers.test.ts',
  'tests/drills/mail-outage-dev-server.test.ts',
  'tests/drills/store-outage.test.ts',
  'tests/drills/store-held-transaction.test.ts',
  'tests/security/forged-update.test.ts',
  'tests/security/mtls.test.ts',
  'tests/drills/restore.test.ts',
  'tests/drills/store-roles.test.ts',
];

/**
 * Tests that need no server, no child process of their own and no browser: the engine, the
 * schemas, the rules of input and configuration. `npm run test:quick` runs these alone (the inner
 * loop, well under a minute); `npm test` runs them with everything else.
 */
export const QUICK = [
  'tests/domain/**/*.test.ts',
  'tests/case/case-record-cache.test.ts',
  'tests/case/consistency.test.ts',
  'tests/client/config.test.ts',
  'tests/client/kpi.test.ts',
  'tests/client/password-policy.test.ts',
  'tests/console/countdown.test.ts',
  'tests/console/feed-creator-access.test.ts',
  'tests/import/example.test.ts',
  'tests/import/rows.test.ts',
  'tests/input/api-bodies.test.ts',
  'tests/input/case-actions-placement-strategy-complaint.test.ts',
  'tests/input/case-actions.test.ts',
  'tests/input/form-fields.test.ts',
  'tests/input/schemas.test.ts',
  'tests/security/codec.test.ts',
  'tests/security/config.test.ts',
  'tests/ssd/council.test.ts',
  'tests/ssd/demo.test.ts',
];

/**
 * Test files at once. Each file has its own task queues, workflow ids, ports and (where it must
 * use the production task queue) its own namespace, so files run side by side. Measured on two
 * cores: the whole run 490 s with three, 500 s with four; twelve server files 138 s with two,
 * 101 s with three, 88 s with four. Three: most files spend much of their time waiting on
 * Temporal's timers and real-time deadlines, and three leave the real-time drills headroom
 * (CASECLOCK_TEST_WORKERS to choose another number).
 */
const WORKERS = Number(process.env.CASECLOCK_TEST_WORKERS ?? 3);

/**
 * The files that take longest, longest first (the slowest-files report at the end of `npm test`
 * names them), for a clean clone, which has no timings from a last run.
 */
export const LONG_FILES = [
  'tests/case/every-kind.test.ts',
  'tests/drills/worker-killed.test.ts',
  'tests/case/eighteen-years.test.ts',
  'tests/store/case-record-store.test.ts',
  'tests/security/forged-update.test.ts',
  'tests/drills/mail-outage-dev-server.test.ts',
  'tests/case/lifecycle.test.ts',
  'tests/import/import.test.ts',
  'tests/drills/temporal-and-workers.test.ts',
];

/**
 * Longest first across every project of a group (vitest's own order starts one project's files
 * before the next project's, which left the postgres project's drills to the end of the run):
 * by the file's time in the last run, else by LONG_FILES, else after those in vitest's order.
 */
class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const weight = (spec: TestSpecification): number => {
      const file = path.relative(this.ctx.config.root, spec.moduleId);
      const last = this.ctx.cache.getFileTestResults(`${spec.project.name}:${file}`);
      if (last) return last.duration;
      const i = LONG_FILES.indexOf(file);
      return i === -1 ? 0 : 1_000_000 - i;
    };
    const groupOf = (spec: TestSpecification) => spec.project.config.sequence.groupOrder;
    return sorted
      .map((spec, index) => ({ spec, index, weight: weight(spec) }))
      .sort((a, b) => groupOf(a.spec) - groupOf(b.spec) || b.weight - a.weight || a.index - b.index)
      .map(({ spec }) => spec);
  }
}

export default defineConfig({
  test: {
    environment: 'node',
    // Temporal tests start servers and workers: generous per-test ceilings, never speed goals.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    maxWorkers: WORKERS,
    // The long Temporal runs start first, even on a clean clone with no timings from a last run.
    sequence: { sequencer: LongFilesFirst },
    // The default report, then the ten slowest files.
    reporters: ['default', './tests/support/slowest-files-reporter.ts'],
    // The command line checks --as against the console's users file (.data/users.json by default,
    // which a developer's checkout may have): the tests act as operators unless a test says otherwise.
    env: { CASECLOCK_OPERATOR: '1' },
    projects: [
      // No servers: the engine and the rules, in process.
      { extends: true, test: { name: 'quick', include: QUICK } },
      // Every other test, on the Temporal CLI's dev server (SQLite) and the time-skipping test
      // server, files in parallel. Per project: a throwaway Temporal server and case-record store
      // for the run; tests get their addresses via inject('temporalAddress') and
      // inject('storeUrl'), and the workflow bundle made once for the run via bundleCaseWorkflows().
      {
        extends: true,
        test: {
          name: 'dev',
          include: ['tests/**/*.test.ts'],
          exclude: QUICK,
          globalSetup: ['tests/support/workflow-bundles.ts', 'tests/support/global-setup.ts'],
        },
      },
      // The real-server tests again on Temporal on PostgreSQL, with the record in PostgreSQL too,
      // beside the others; the drills that stop the run's one cluster, use its production task
      // queue or lock the record have it to themselves in turn (tests/support/cluster-turns.ts).
      {
        extends: true,
        test: {
          name: 'postgres',
          include: POSTGRES_PROFILE,
          globalSetup: ['tests/support/workflow-bundles.ts', 'tests/support/global-setup.ts', 'tests/support/cluster-turns-server.ts'],
          setupFiles: ['tests/support/cluster-turns.ts'],
        },
      },
    ],
  },
});
