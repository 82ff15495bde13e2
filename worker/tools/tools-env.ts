/**
 * Reads `.tools/env`, the file worker/tools/ensure-tools.sh writes: one KEY=VALUE a line,
 * values unquoted, `#` comments. It names the Temporal CLI and the test-server wrapper chosen.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** The repository root (this file lives in worker/tools/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export const TOOLS_ENV_FILE = path.join(REPO_ROOT, '.tools', 'env');

const ToolsEnvSchema = z.object({
  TEMPORAL_CLI: z.string().min(1),
  TEMPORAL_CLI_VERSION: z.string().min(1),
  TEMPORAL_TEST_SERVER: z.string().min(1),
  TEMPORAL_TEST_SERVER_VERSION: z.string().min(1),
});

export type ToolsEnv = z.infer<typeof ToolsEnvSchema>;

/** Parses `.tools/env`; throws a message that says how to create it when it is missing or incomplete. */
export function readToolsEnv(file: string = TOOLS_ENV_FILE): ToolsEnv {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${file} is missing: run \`bash worker/tools/ensure-tools.sh\` first`, { cause: err });
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
    throw new Error(`${file} lacks ${missing}: run \`bash worker/tools/ensure-tools.sh\` again`);
  }
  return parsed.data;
}
