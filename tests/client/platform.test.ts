/**
 * The platform around the processes: `.env.example` works as it is, every port is documented,
 * the console listens on 127.0.0.1 unless told otherwise, `npx caseclock` reads `.env` as
 * `npm start` does, and the worker's code never reaches into client/.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../common/config';
import { envFilePath, loadEnvFile, parseEnvText, REPO_ROOT } from '../../common/env-file';

const ROOT = path.resolve(__dirname, '../..');
const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'caseclock-platform-'));

describe('.env.example', () => {
  const example = Object.fromEntries(parseEnvText(read('.env.example')));

  it('is a working configuration as it is (MAIL_FROM=caseclock@localhost included)', () => {
    expect(example['MAIL_FROM']).toBe('caseclock@localhost');
    const config = parseConfig(example);
    expect(config.MAIL_FROM).toBe('caseclock@localhost');
    expect(config.CONSOLE_HOST).toBe('127.0.0.1');
  });

  it('still refuses what is not an address, and header tricks', () => {
    for (const bad of ['not-an-address', 'a b@council.example', 'x@-bad', '@council.example', 'a@council.example\r\nBcc: x@y.example']) {
      expect(() => parseConfig({ MAIL_FROM: bad }), bad).toThrow(/MAIL_FROM: must be an email address/);
    }
    expect(parseConfig({ MAIL_FROM: 'caseclock@council.example' }).MAIL_FROM).toBe('caseclock@council.example');
  });

  it('documents every port setting, as the README does', () => {
    const readme = read('README.md');
    const configuration = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
    for (const name of [
      'TEMPORAL_ADDRESS',
      'TEMPORAL_UI_PORT',
      'CASECLOCK_TEMPORAL_PORT',
      'CONSOLE_HOST',
      'CONSOLE_PORT',
      'CASECLOCK_CODEC_HOST',
      'CASECLOCK_CODEC_PORT',
      'CASECLOCK_STORE_URL',
      'SMTP_URL',
      'MAIL_CATCHER_PORT',
    ]) {
      expect(Object.keys(example), name).toContain(name);
      expect(configuration, name).toContain(`\`${name}\``);
    }
    // Every port variable the start scripts read is one of them.
    const scripts = ['tools/run.sh', 'tools/temporal-cluster.sh'].map(read).join('\n');
    for (const [, name] of scripts.matchAll(/\$\{?([A-Z][A-Z0-9_]*_PORT)\b/g)) {
      if (name === 'FRONTEND_PORT' || name === 'PG_PORT' || name === 'QUIET_PORTS') continue; // the cluster's own bookkeeping
      expect(Object.keys(example), `${name} (read by a start script)`).toContain(name);
    }
  });
});

describe('the console binds to this machine by default', () => {
  it('has CONSOLE_HOST, 127.0.0.1 unless set', () => {
    expect(parseConfig({}).CONSOLE_HOST).toBe('127.0.0.1');
    expect(parseConfig({ CONSOLE_HOST: '0.0.0.0' }).CONSOLE_HOST).toBe('0.0.0.0');
    expect(() => parseConfig({ CONSOLE_HOST: 'http://x/' })).toThrow(/CONSOLE_HOST: must be a host name or IP address/);
  });
});

describe('.env for processes started by hand', () => {
  it("reads it by run.sh's rules, the environment winning, and makes it private", () => {
    const file = path.join(tmp(), '.env');
    writeFileSync(file, ['# a comment', 'A=1', 'export B="two words"  ', "C='x#y'", 'D=', 'E=from-file', 'not a setting', '  F = spaced'].join('\n'), { mode: 0o644 });
    const env: Record<string, string | undefined> = { E: 'from-env', D: undefined };
    const set = loadEnvFile(file, env);
    expect(env).toMatchObject({ A: '1', B: 'two words', C: 'x#y', E: 'from-env' });
    expect('F' in env).toBe(false);
    expect(set).toEqual(['A', 'B', 'C']); // D was already there (even unset-as-undefined counts as present)
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadEnvFile(path.join(tmp(), 'missing.env'), {})).toBeUndefined();
  });

  it('looks at the top of the checkout unless CASECLOCK_ENV_FILE says otherwise', () => {
    expect(REPO_ROOT).toBe(ROOT);
    expect(envFilePath({})).toBe(path.join(ROOT, '.env'));
    expect(envFilePath({ CASECLOCK_ENV_FILE: '/etc/caseclock.env' })).toBe('/etc/caseclock.env');
  });

  it('is read by npx caseclock', async () => {
    const file = path.join(tmp(), '.env');
    // A setting only the .env has: the command line must see it (and name it when it is wrong).
    writeFileSync(file, 'TEMPORAL_ADDRESS=not an address\nCASECLOCK_OPERATOR=1\n');
    const env: Record<string, string | undefined> = { ...process.env, CASECLOCK_ENV_FILE: file };
    delete env['TEMPORAL_ADDRESS'];
    const run = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(process.execPath, [path.join(ROOT, 'client/cli/caseclock.js'), 'show', 'WCF-1'], { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000 }, (err, _stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stderr }),
      );
    });
    expect(run.stderr).toMatch(/^caseclock: configuration is not valid: TEMPORAL_ADDRESS: must be host:port/);
    expect(run.code).toBe(78);
  });
});

describe('the worker stands alone', () => {
  /** Every local module a file reaches through import, export ... from, require() and import(). */
  function reachable(entries: string[]): Set<string> {
    const seen = new Set<string>();
    const queue = [...entries];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const [, spec] of text.matchAll(/(?:from\s+|require\(\s*|import\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const base = path.resolve(path.dirname(file), spec!);
        const found = [base, `${base}.ts`, `${base}.tsx`, `${base}.js`, path.join(base, 'index.ts')].find((c) => existsSync(c) && statSync(c).isFile());
        if (found && /\.(ts|tsx|js)$/.test(found)) queue.push(found);
      }
    }
    return seen;
  }

  it('imports nothing from client/ (worker, activities, workflows)', () => {
    const entries = ['worker', 'activities', 'workflows'].flatMap((d) =>
      readdirSync(path.join(ROOT, d))
        .filter((f) => /\.(ts|js)$/.test(f))
        .map((f) => path.join(ROOT, d, f)),
    );
    const fromClient = [...reachable(entries)].filter((f) => f.startsWith(path.join(ROOT, 'client') + path.sep)).map((f) => path.relative(ROOT, f));
    expect(fromClient).toEqual([]);
  });
});
