/**
 * Who the command line says acted (`--as`, CASECLOCK_USER) is checked against the web console's
 * users file: a known user goes ahead, a stranger or a viewer is refused before anything is sent,
 * `--operator` (CASECLOCK_OPERATOR=1) records the name unchecked, and with no users file the
 * command says it acts as an operator.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, writeUsersFile } from '../../client/identity/auth';
import { CliError } from '../../client/cli/support';
import { actor, consoleUsersFile } from '../../client/cli/commands/common';
import { runCaseclock, type CliRun } from '../support/caseclock-bin';

const ROOT = path.resolve(__dirname, '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-identity-'));
const USERS = path.join(dir, 'users.json');
/** No operator by default here (vitest.config.mts makes the other tests operators). */
const env = (extra: Record<string, string | undefined> = {}) => ({ CASECLOCK_USERS_FILE: USERS, CASECLOCK_OPERATOR: '', ...extra });

beforeAll(async () => {
  const passwordHash = await hashPassword('purple-tuesday-lamp');
  writeUsersFile(USERS, {
    users: [
      { id: 'ada', name: 'Ada Administrator', role: 'administrator', passwordHash },
      { id: 'tess', name: 'Tess Manager', role: 'manager', team: 'NORTH', passwordHash },
      { id: 'val', name: 'Val Viewer', role: 'viewer', passwordHash },
    ],
  });
});

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('actor', () => {
  it('accepts a user the console knows, from --as or CASECLOCK_USER', () => {
    expect(actor({ as: 'ada' }, env())).toBe('ada');
    expect(actor({}, env({ CASECLOCK_USER: 'tess' }))).toBe('tess');
  });

  it('refuses a stranger, naming the users file and --operator', () => {
    const message = refusal(() => actor({ as: 'admn' }, env()));
    expect(message).toMatch(/^--as "admn" is not a user of the web console \(/);
    expect(message).toContain(USERS);
    expect(message).toContain('--operator');
    expect(refusal(() => actor({}, env({ CASECLOCK_USER: 'nobody' })))).toMatch(/^CASECLOCK_USER "nobody" is not a user of the web console/);
  });

  it('refuses a viewer, who may change nothing in the console either', () => {
    expect(refusal(() => actor({ as: 'val' }, env()))).toMatch(/"val" has read-only access .*nothing was changed/);
  });

  it('records any name as an operator with --operator or CASECLOCK_OPERATOR=1, quietly', () => {
    const notes: string[] = [];
    expect(actor({ as: 'ops-night', operator: true }, env(), (l) => notes.push(l))).toBe('ops-night');
    expect(actor({ as: 'ops-night' }, env({ CASECLOCK_OPERATOR: '1' }), (l) => notes.push(l))).toBe('ops-night');
    expect(notes).toEqual([]);
  });

  it('says it acts as an operator when there is no users file', () => {
    const notes: string[] = [];
    expect(actor({ as: 'ops-night' }, env({ CASECLOCK_USERS_FILE: path.join(dir, 'none.json') }), (l) => notes.push(l))).toBe('ops-night');
    expect(notes).toEqual([expect.stringMatching(/^caseclock: note: no web console users file at .*none\.json: acting as operator "ops-night"/)]);
  });

  it('refuses when the users file is damaged rather than guess', () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    expect(refusal(() => actor({ as: 'ada' }, env({ CASECLOCK_USERS_FILE: bad })))).toMatch(/^cannot check --as "ada": users file .*not valid JSON/);
  });

  it('finds a relative users file from the top of the checkout, where npm start runs the console', () => {
    expect(consoleUsersFile({})).toBe(path.join(ROOT, '.data/users.json'));
    expect(consoleUsersFile({ CASECLOCK_USERS_FILE: 'elsewhere/u.json' })).toBe(path.join(ROOT, 'elsewhere/u.json'));
    expect(consoleUsersFile({ CASECLOCK_USERS_FILE: USERS })).toBe(USERS);
  });
});

describe('the caseclock command', () => {
  function caseclock(args: string[], extra: Record<string, string>): Promise<CliRun> {
    // A closed Temporal port: a refusal must come before any connection is tried.
    return runCaseclock(args, { TEMPORAL_ADDRESS: '127.0.0.1:1', CASECLOCK_ENV_FILE: path.join(dir, 'no.env'), ...env(), ...extra });
  }

  it('refuses an unknown --as in one line, naming --operator, and changes nothing', async () => {
    const run = await caseclock(['visit', 'WCF-1', '--as', 'admn'], {});
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^caseclock: --as "admn" is not a user of the web console \(.*\): .*pass --operator .*\n$/);
  });

  it('goes on to Temporal for a known user, and for --operator', async () => {
    for (const args of [
      ['--as', 'ada'],
      ['--as', 'ops-night', '--operator'],
    ]) {
      const run = await caseclock(['visit', 'WCF-1', ...args], {});
      expect(run.stderr).toMatch(/^caseclock: cannot reach Temporal at 127\.0\.0\.1:1/);
    }
  });

  it('lists --operator in the help of a command that changes a case', async () => {
    const run = await caseclock(['visit', '--help'], {});
    expect(run.stdout).toMatch(/--operator/);
  });
});
