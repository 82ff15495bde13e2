/**
 * What the staff and team directories' tests share (tests/client/cli-staff.test.ts and cli-teams,
 * tests/console/staff.test.ts and teams): a users file of the console's people, and an embedded
 * store of the file's own (a directory listing teams would refuse the other files' cases their
 * arbitrary team codes), with the command line run against it or the console in-process on it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { hashPassword, writeUsersFile, type Role } from '../../client/identity/auth';
import { migrateCaseRecordStore, startEmbeddedStore } from '../../store/case-record-store';
import { runCaseclock, type CliRun } from './caseclock-bin';
import { ConsoleSession, startTestConsole, type TestConsole } from './console';
import { startScriptStore } from './script-store';
import { connectDevServer } from './temporal-env';

export interface TestUser {
  id: string;
  name: string;
  role: Role;
  team?: string;
  password: string;
}

/** Writes the console's users file with each person's password hashed (once for a password several share). */
export async function writeTestUsers(file: string, users: TestUser[]): Promise<void> {
  const hashes = new Map<string, string>();
  for (const u of users) if (!hashes.has(u.password)) hashes.set(u.password, await hashPassword(u.password));
  writeUsersFile(file, { users: users.map(({ password, ...u }) => ({ ...u, passwordHash: hashes.get(password)! })) });
}

export interface DirectoryCli {
  storeUrl: string;
  /** The real bin in a child process, as ada unless `extra` says otherwise, with the users file checked. */
  caseclock(args: string[], extra?: Record<string, string>): Promise<CliRun>;
  stop(): Promise<void>;
}

/** An embedded store of the file's own and a users file of an administrator (ada), a manager of LOCALITY-NORTH (tess) and a viewer (val). */
export async function startDirectoryCli(name: string): Promise<DirectoryCli> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `caseclock-${name}-`));
  const usersFile = path.join(dir, 'users.json');
  const password = 'purple-tuesday-lamp';
  await writeTestUsers(usersFile, [
    { id: 'ada', name: 'Ada Administrator', role: 'administrator', password },
    { id: 'tess', name: 'Tess Manager', role: 'manager', team: 'LOCALITY-NORTH', password },
    { id: 'val', name: 'Val Viewer', role: 'viewer', password },
  ]);
  const store = await startEmbeddedStore({ dataDir: path.join(dir, 'store') });
  await migrateCaseRecordStore(store.url);
  return {
    storeUrl: store.url,
    caseclock: (args, extra = {}) => runCaseclock(args, { CASECLOCK_STORE_URL: store.url, CASECLOCK_USERS_FILE: usersFile, CASECLOCK_OPERATOR: '', CASECLOCK_USER: 'ada', ...extra }),
    async stop() {
      await store.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A refusal: a non-zero exit, nothing on stdout, and one line on stderr matching `pattern`. */
export function expectRefused(run: CliRun, pattern: RegExp): void {
  expect(run.code, run.stderr).not.toBe(0);
  expect(run.stdout).toBe('');
  expect(run.stderr.trim().split('\n'), run.stderr).toHaveLength(1);
  expect(run.stderr.trimEnd()).toMatch(pattern);
}

export interface DirectoryPage<D> {
  directory: D;
  server: TestConsole;
  signIn(user: string, password: string): Promise<ConsoleSession>;
  stop(): Promise<void>;
}

/**
 * A directory of the file's own and the console in-process with it (`consoleWith` says as which
 * option), signed into by an administrator (ada) and a manager (tess, of `managerTeam`).
 */
export async function startDirectoryPage<D extends { close(): Promise<void> }>(options: {
  name: string;
  open: (url: string) => D;
  consoleWith: (directory: D) => Partial<Parameters<typeof startTestConsole>[0]>;
  passwords: { admin: string; manager: string };
  managerTeam: string;
}): Promise<DirectoryPage<D>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `caseclock-${options.name}-`));
  const usersFile = path.join(dir, 'users.json');
  await writeTestUsers(usersFile, [
    { id: 'ada', name: 'Ada Administrator', role: 'administrator', password: options.passwords.admin },
    { id: 'tess', name: 'Tess Manager', role: 'manager', team: options.managerTeam, password: options.passwords.manager },
  ]);
  const dev = await connectDevServer();
  const store = await startScriptStore().catch(async (e: unknown) => {
    await dev.close();
    throw e;
  });
  const directory = options.open(store.url);
  const server = await startTestConsole({ client: dev.client, usersFile, ...options.consoleWith(directory) }).catch(async (e: unknown) => {
    await directory.close();
    await store.stop();
    await dev.close();
    throw e;
  });
  return {
    directory,
    server,
    signIn: (user, password) => ConsoleSession.signedIn(server.url, user, password),
    async stop() {
      await server.close();
      await directory.close();
      await store.stop();
      await dev.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
