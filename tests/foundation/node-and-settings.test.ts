/**
 * The platform under every process: the Node line (package.json engines, the Node that
 * tools/ensure-tools.sh pins and that npm test switches to, the image's), the one .env
 * reader that run.sh asks (common/env-file.ts run as a command), and .tools/env without the Java
 * test server (npm start installs none).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnvFile } from '../../common/env-file';
import { readToolsEnv } from '../../tools/tools-env';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');
const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'caseclock-platform-'));
const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;

/** Whether a version meets engines' caret ranges ("^24.11.0 || ^26.0.0"), the only form it uses. */
function satisfies(version: string, range: string): boolean {
  const [major, minor, patch] = version.split('.').map(Number);
  return range.split('||').some((part) => {
    const m = /^\s*\^(\d+)\.(\d+)\.(\d+)\s*$/.exec(part);
    if (!m) throw new Error(`engines range "${part.trim()}" is not a caret range`);
    const [want, atLeastMinor, atLeastPatch] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return major === want && (minor! > atLeastMinor || (minor === atLeastMinor && patch! >= atLeastPatch));
  });
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
}

describe('the Node line', () => {
  it('the tests run on a Node that package.json engines accepts (npm test switches to it)', () => {
    expect(satisfies(process.versions.node, engines), `Node ${process.versions.node} against "${engines}"`).toBe(true);
    // The line the machines had before, end of life in April 2026, and an odd line: refused.
    expect(satisfies('20.20.2', engines)).toBe(false);
    expect(satisfies('25.9.0', engines)).toBe(false);
  });

  it('ensure-tools pins a Node within engines, with a sha512 for each CPU, and the image uses the same', () => {
    const script = read('tools/ensure-tools.sh');
    const pinned = /^NODE_VERSION=(\d+\.\d+\.\d+)/m.exec(script)?.[1];
    expect(pinned).toBeDefined();
    expect(satisfies(pinned!, engines)).toBe(true);
    for (const cpu of ['X64', 'ARM64']) {
      expect(script).toMatch(new RegExp(`^NODE_INTEGRITY_${cpu}=sha512-[A-Za-z0-9+/]{86}==$`, 'm'));
    }
    const images = [...read('Dockerfile').matchAll(/^FROM node:(\S+?)-/gm)].map((m) => m[1]);
    expect(images.length).toBeGreaterThan(0);
    expect(new Set(images)).toEqual(new Set([pinned]));
  });

  it('ensure-tools refuses an unknown argument with its usage, before installing anything', async () => {
    const result = await run('bash', [path.join(ROOT, 'tools/ensure-tools.sh'), '--test-servr'], process.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('ensure-tools: unknown argument --test-servr (usage: ensure-tools.sh [--test-server])\n');
  });
});

describe('.env read by one reader', () => {
  const lines = ['# a comment', 'A=1', 'export B="two words"  ', "C='x#y'", 'D=', 'E=from-file', 'not a setting', '  F = spaced', 'G=a=b c\r', 'A=second'];

  it('prints, NUL-ended, exactly what loadEnvFile sets, and the environment wins', async () => {
    const file = path.join(tmp(), '.env');
    writeFileSync(file, lines.join('\n'));
    const env: NodeJS.ProcessEnv = { ...process.env, E: 'from-env' };
    delete env['A'];
    delete env['B'];
    delete env['C'];
    delete env['D'];
    delete env['G'];
    const result = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'common/env-file.ts'), file], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('A=1\0B=two words\0C=x#y\0D=\0G=a=b c\0');
    const loaded: Record<string, string | undefined> = { E: 'from-env' };
    const set = loadEnvFile(file, loaded) ?? [];
    expect(set.map((key) => `${key}=${loaded[key]}\0`).join('')).toBe(result.stdout);
  });

  it('names the file and fails when it cannot be read', async () => {
    const dir = tmp();
    const result = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'common/env-file.ts'), dir], process.env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`env-file: cannot read ${dir}: EISDIR: illegal operation on a directory, read\n`);
  });
});

describe('.tools/env', () => {
  it('without the test server: the CLI reads, and asking for the test server says how to install it', () => {
    const file = path.join(tmp(), 'env');
    writeFileSync(file, '# written by ensure-tools\nNODE_BIN=/x/node\nTEMPORAL_CLI=/x/temporal\nTEMPORAL_CLI_VERSION=1.9.1\n');
    const tools = readToolsEnv(file);
    expect(tools.TEMPORAL_CLI).toBe('/x/temporal');
    expect(() => tools.TEMPORAL_TEST_SERVER).toThrow(/test server is not installed .*ensure-tools\.sh --test-server/);
  });

  it('with it: both names', () => {
    const file = path.join(tmp(), 'env');
    writeFileSync(file, 'TEMPORAL_CLI=/x/temporal\nTEMPORAL_CLI_VERSION=1.9.1\nTEMPORAL_TEST_SERVER=/x/ts\nTEMPORAL_TEST_SERVER_VERSION=1.38.0\n');
    expect(readToolsEnv(file)).toMatchObject({ TEMPORAL_TEST_SERVER: '/x/ts', TEMPORAL_TEST_SERVER_VERSION: '1.38.0' });
  });
});
