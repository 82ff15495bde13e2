/**
 * `.data` (case data, caught mail, logs, users, the first password) and `.env` (keys) are
 * readable by their owner only: the start and test scripts set umask 077 before making anything,
 * and tools/lib.sh's private_dir and private_file tighten what an older version left open. The functions run
 * here in bash against a throwaway folder.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const LIB = path.join(ROOT, 'tools/lib.sh');
const mode = (p: string) => statSync(p).mode & 0o777;
const bash = (script: string, ...args: string[]) => execFileSync('bash', ['-euo', 'pipefail', '-c', `source "${LIB}"; ${script}`, 'bash', ...args], { encoding: 'utf8' });

describe("tools/lib.sh's private data", () => {
  it('makes an old, world-readable data folder private, keeping executables executable', () => {
    const data = path.join(mkdtempSync(path.join(os.tmpdir(), 'caseclock-perm-')), '.data');
    mkdirSync(path.join(data, 'logs'), { recursive: true, mode: 0o755 });
    mkdirSync(path.join(data, 'mail'), { mode: 0o755 });
    chmodSync(data, 0o755);
    chmodSync(path.join(data, 'logs'), 0o755);
    writeFileSync(path.join(data, 'temporal.sqlite'), 'cases', { mode: 0o644 });
    writeFileSync(path.join(data, 'logs', 'console.log'), 'log', { mode: 0o666 });
    writeFileSync(path.join(data, 'mail', 'm.eml'), 'mail', { mode: 0o644 });
    writeFileSync(path.join(data, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    bash('private_dir "$1"', data);
    expect(mode(data)).toBe(0o700);
    expect(mode(path.join(data, 'logs'))).toBe(0o700);
    expect(mode(path.join(data, 'mail'))).toBe(0o700);
    expect(mode(path.join(data, 'temporal.sqlite'))).toBe(0o600);
    expect(mode(path.join(data, 'logs', 'console.log'))).toBe(0o600);
    expect(mode(path.join(data, 'mail', 'm.eml'))).toBe(0o600);
    expect(mode(path.join(data, 'tool'))).toBe(0o700);
  });

  it('creates a missing data folder private, and with umask 077 everything made in it', () => {
    const data = path.join(mkdtempSync(path.join(os.tmpdir(), 'caseclock-perm-')), 'new', '.data');
    bash('umask 077; private_dir "$1"; mkdir -p "$1/logs"; echo x >>"$1/logs/worker.log"', data);
    expect(mode(data)).toBe(0o700);
    expect(mode(path.join(data, 'logs'))).toBe(0o700);
    expect(mode(path.join(data, 'logs', 'worker.log'))).toBe(0o600);
  });

  it.runIf(process.getuid?.() === 0)("run as root, leaves the way to PostgreSQL's data passable (0711) and nothing readable", () => {
    const data = path.join(mkdtempSync(path.join(os.tmpdir(), 'caseclock-perm-')), '.data');
    mkdirSync(path.join(data, 'temporal-pg', 'pgdata'), { recursive: true, mode: 0o755 });
    writeFileSync(path.join(data, 'temporal-pg', 'postgres.log'), 'log', { mode: 0o644 });
    bash('private_dir "$1"', data);
    expect(mode(data)).toBe(0o711);
    expect(mode(path.join(data, 'temporal-pg'))).toBe(0o711);
    expect(mode(path.join(data, 'temporal-pg', 'pgdata'))).toBe(0o700);
    expect(mode(path.join(data, 'temporal-pg', 'postgres.log'))).toBe(0o600);
  });

  it('makes a copied .env private and says so once', () => {
    const env = path.join(mkdtempSync(path.join(os.tmpdir(), 'caseclock-perm-')), '.env');
    writeFileSync(env, 'CASECLOCK_ENCRYPTION_KEYS=k:x\n');
    chmodSync(env, 0o644); // as an older copy left it, whatever this process's umask (npm test runs under 077)
    expect(bash('private_file "$1"', env).trim()).toBe('tightened');
    expect(mode(env)).toBe(0o600);
    expect(bash('private_file "$1"', env).trim()).toBe('');
    expect(bash('private_file "$1"', `${env}.missing`).trim()).toBe('');
  });
});

describe('the scripts use it', () => {
  it('run.sh sets umask 077 and tightens .data and .env before starting anything', () => {
    const run = readFileSync(path.join(ROOT, 'tools/run.sh'), 'utf8');
    const umask = run.indexOf('\numask 077');
    expect(umask).toBeGreaterThan(0);
    expect(run.indexOf('source "$ROOT/tools/lib.sh"')).toBeGreaterThan(0);
    expect(run.indexOf('private_file "$env_file"')).toBeGreaterThan(umask);
    const privateData = run.indexOf('private_dir "$DATA"');
    expect(privateData).toBeGreaterThan(umask);
    expect(privateData).toBeLessThan(run.indexOf('mkdir -p "$LOGS"'));
    expect(privateData).toBeLessThan(run.indexOf('start dev-server'));
  });

  it('test.sh and temporal-cluster.sh set umask 077 too', () => {
    expect(readFileSync(path.join(ROOT, 'tools/test.sh'), 'utf8')).toMatch(/\numask 077\n/);
    expect(readFileSync(path.join(ROOT, 'tools/temporal-cluster.sh'), 'utf8')).toMatch(/\n\s+umask 077\n\s+mkdir -p "\$STATE"/);
  });
});
