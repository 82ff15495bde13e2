import { defineConfig } from 'vitest/config';

/**
 * The real-server tests that also run on the production-shaped Temporal (server v1.32.0 on
 * PostgreSQL, worker/tools/temporal-cluster.sh): the case lifecycle on a real server, search
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
];

export default defineConfig({
  test: {
    environment: 'node',
    // Temporal tests start servers and workers: generous per-test ceilings, never speed goals.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Two cores: files run one at a time so Temporal servers do not starve each other.
    fileParallelism: false,
    // Per project: a throwaway Temporal server and case-record store for the run; tests get their
    // addresses via inject('temporalAddress') and inject('storeUrl').
    globalSetup: ['tests/support/global-setup.ts'],
    // The command line checks --as against the console's users file (.data/users.json by default,
    // which a developer's checkout may have): the tests act as operators unless a test says otherwise.
    env: { CASECLOCK_OPERATOR: '1' },
    projects: [
      // Every test, on the Temporal CLI's dev server (SQLite) and the time-skipping test server.
      { extends: true, test: { name: 'dev', include: ['tests/**/*.test.ts'] } },
      // Then the real-server tests again on Temporal on PostgreSQL, with the record in PostgreSQL too.
      { extends: true, test: { name: 'postgres', include: POSTGRES_PROFILE, sequence: { groupOrder: 1 } } },
    ],
  },
});
