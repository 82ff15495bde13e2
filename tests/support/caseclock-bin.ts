/**
 * The `caseclock` command as a person runs it: the real bin in a child process, run asynchronously
 * so that a worker in the test's own process keeps running meanwhile.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
export const CASECLOCK_BIN = path.join(ROOT, 'client/cli/caseclock.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `caseclock ...args` from the checkout with `env` over this process's environment: its exit code (-1 if killed or timed out) and output. */
export function runCaseclock(args: readonly string[], env: Record<string, string | undefined> = {}, options: { timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CASECLOCK_BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: options.timeoutMs ?? 60_000, maxBuffer: 10_000_000, env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}
