/**
 * The `caseclock` command run in the test's own process (`main`), with `env` laid over
 * process.env for the run and stdout and stderr captured: faster than the bin in a child process
 * (./caseclock-bin.ts), and a spy on the client (Connection.connect) sees its calls.
 */
import { vi } from 'vitest';
import { main } from '../../client/cli/main';
import type { CliRun } from './caseclock-bin';

/** Runs `caseclock ...args` in this process; an `env` value of undefined unsets that variable for the run. */
export async function runCaseclockInProcess(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    const code = await main(['node', 'caseclock', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
