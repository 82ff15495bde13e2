/**
 * Reads `.tools/env`, the file tools/ensure-tools.sh writes: one KEY=VALUE a line,
 * values unquoted, `#` comments. It names the Temporal CLI and, once `npm test` has installed it,
 * the time-skipping test server's wrapper (and NODE_BIN, the Node chosen, for run.sh and test.sh).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** The repository root (this file lives in tools/). */
export const REPO_ROOT = path.resolve(__dirname, '..');

export const TOOLS_ENV_FILE = path.join(REPO_ROOT, '.tools', 'env');

const ToolsEnvSchema = z.object({
  TEMPORAL_CLI: z.string().min(1),
  TEMPORAL_CLI_VERSION: z.string().min(1),
  // Only `ensure-tools.sh --test-server` (npm test) installs it: npm start needs no Java.
  TEMPORAL_TEST_SERVER: z.string().min(1).optional(),
  TEMPORAL_TEST_SERVER_VERSION: z.string().min(1).optional(),
});

export interface ToolsEnv {
  TEMPORAL_CLI: string;
  TEMPORAL_CLI_VERSION: string;
  /** Throws, saying how to install it, when the test server is not installed. */
  readonly TEMPORAL_TEST_SERVER: string;
  readonly TEMPORAL_TEST_SERVER_VERSION: string;
}

/** Parses `.tools/env`; throws a message that says how to create it when it is missing or incomplete. */
export function readToolsEnv(file: string = TOOLS_ENV_FILE): ToolsEnv {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${file} is missing: run \`bash tools/ensure-tools.sh\` first`, { cause: err });
  }
  const entries: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) continue;
    entries[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  const parsed = ToolsEnvSchema.safeParse(entries);
  if (!parsed.success) {
    const missing = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new Error(`${file} lacks ${missing}: run \`bash tools/ensure-tools.sh\` again`);
  }
  const { TEMPORAL_TEST_SERVER: testServer, TEMPORAL_TEST_SERVER_VERSION: testServerVersion, ...cli } = parsed.data;
  // The dev server (npm start) reads the CLI only, so a missing test server fails only the
  // tests that start one, with what to run.
  const needTestServer = (): never => {
    throw new Error(`the time-skipping test server is not installed (${file} names none): run \`bash tools/ensure-tools.sh --test-server\` (npm test does; it needs Java 17+ and Maven)`);
  };
  return {
    ...cli,
    get TEMPORAL_TEST_SERVER() {
      return testServer ?? needTestServer();
    },
    get TEMPORAL_TEST_SERVER_VERSION() {
      return testServerVersion ?? needTestServer();
    },
  };
}
