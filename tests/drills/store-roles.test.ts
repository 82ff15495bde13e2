/**
 * The case record on PostgreSQL as `npm run start:cluster` sets it up (the `postgres` project's
 * global set-up does the same): the cluster asks every connection for a password, the store is
 * provisioned by store/provision.ts as its owner, and a worker on caseclock_worker finds nothing to
 * migrate rather than failing to. What each role may and may not do is proved in
 * tests/store/case-record-store.test.ts; this file proves the set-up around it. On the dev project
 * the record is the embedded store, private by its socket instead (tested there).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { migrateCaseRecordStore, pendingCaseRecordMigrations } from '../../store/case-record-store';
import { storeUrl } from '../support/case-record';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

/** The SQLSTATE (or message) a connection to `url` fails with, or 'connected'. */
async function connectOutcome(url: URL): Promise<string> {
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return 'connected';
  } catch (error) {
    const e = error as { code?: string; message: string };
    return e.code ?? e.message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function as(user: string, password: string): URL {
  const url = new URL(storeUrl());
  url.username = user;
  url.password = password;
  return url;
}

/** store/provision.ts as an administrator runs it; resolves to its exit code and output. */
async function provision(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'store/provision.ts')], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe.skipIf(inject('temporalKind') !== 'postgres')('the case record on PostgreSQL: credentials, roles and their set-up', () => {
  const workerUrl = () => new URL(inject('storeWorkerUrl'));
  const consoleUrl = () => new URL(inject('storeConsoleUrl'));
  const passwordOf = (url: URL) => decodeURIComponent(url.password);

  it('opens for nobody without the password: not the superuser, not either role, not a wrong password', async () => {
    for (const user of ['temporal', 'caseclock_worker', 'caseclock_console']) {
      // 28P01 invalid_password: the server asked for SCRAM and refused what it was given.
      expect([user, await connectOutcome(as(user, 'not-the-password-0000'))]).toEqual([user, '28P01']);
      expect([user, await connectOutcome(as(user, ''))]).not.toEqual([user, 'connected']);
    }
    expect(await connectOutcome(new URL(storeUrl()))).toBe('connected');
    expect(await connectOutcome(workerUrl())).toBe('connected');
    expect(await connectOutcome(consoleUrl())).toBe('connected');
    expect(workerUrl().username).toBe('caseclock_worker');
    expect(consoleUrl().username).toBe('caseclock_console');
  });

  it('provisioning runs again without harm, refuses bad settings by name, and is for the owner only', async () => {
    const settings = {
      CASECLOCK_STORE_OWNER_URL: storeUrl(),
      CASECLOCK_WORKER_DB_PASSWORD: passwordOf(workerUrl()),
      CASECLOCK_CONSOLE_DB_PASSWORD: passwordOf(consoleUrl()),
    };
    const again = await provision(settings);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toContain('migrations current');
    expect(again.stdout).not.toContain(settings.CASECLOCK_WORKER_DB_PASSWORD);

    const short = await provision({ ...settings, CASECLOCK_WORKER_DB_PASSWORD: 'short' });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('CASECLOCK_WORKER_DB_PASSWORD must be at least 16 characters');
    const missing = await provision({ CASECLOCK_WORKER_DB_PASSWORD: settings.CASECLOCK_WORKER_DB_PASSWORD, CASECLOCK_CONSOLE_DB_PASSWORD: settings.CASECLOCK_CONSOLE_DB_PASSWORD });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('CASECLOCK_STORE_OWNER_URL is not set');

    // The worker's role cannot provision (it may not create roles or grant): said, and nothing changes.
    const byWorker = await provision({ ...settings, CASECLOCK_STORE_OWNER_URL: workerUrl().toString(), CASECLOCK_WORKER_DB_PASSWORD: 'a-new-password-of-the-worker' });
    expect(byWorker.code).toBe(1);
    expect(byWorker.stderr).toContain("could not set up the store's roles");
    expect(byWorker.stderr).toContain('connect as the database');
    expect(byWorker.stderr).not.toContain(passwordOf(workerUrl()));
    // Both roles still connect with their passwords.
    expect(await connectOutcome(workerUrl())).toBe('connected');
    expect(await connectOutcome(consoleUrl())).toBe('connected');
  });

  it('a worker or console on its own role finds the store current and changes nothing (what worker/main.ts runs at start)', async () => {
    expect(await pendingCaseRecordMigrations(workerUrl().toString())).toEqual([]);
    await expect(migrateCaseRecordStore(workerUrl().toString())).resolves.toEqual([]);
    await expect(migrateCaseRecordStore(consoleUrl().toString())).resolves.toEqual([]);
  });
});
