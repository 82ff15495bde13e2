import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    // Temporal tests start servers and workers: generous per-test ceilings, never speed goals.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: files run one at a time so Temporal servers do not starve each other.
    fileParallelism: false,
    // One throwaway Temporal dev server for the run; tests get its address via inject('temporalAddress').
    globalSetup: ['tests/support/global-setup.ts'],
  },
});
