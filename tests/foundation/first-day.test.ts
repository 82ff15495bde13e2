/**
 * The README's first day, as it is written: `npm start`'s first run (the users file and its first
 * administrator as tools/run.sh makes them, the synthetic council's team directory from
 * tools/ssd/demo.ts), then the commands of "Try it"'s first block, read from the README's own text
 * and run as the real `caseclock` bin (the example import, then `overdue`), then signing in to
 * the console as the README says, choosing a password, and the dashboard it names showing each late
 * case the README names, with its allocated worker. Against the run's dev server with a worker on
 * the production queue (in a namespace of this file's own) and a case-record store of its own, as
 * a fresh checkout has: the example's case ids are fixed, so no other file's cases meet them.
 *
 * Where the README changes (a command, the file, who signs in, the page's name, a case or worker it
 * names) this test follows it, and fails when what it says no longer happens.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstAdminPasswordFile } from '../../client/identity/auth';
import { openTeamDirectory } from '../../store/team-directory';
import { runCaseclock, type CliRun } from '../support/caseclock-bin';
import { startCliWorker, throwawayEncryptionEnv, type CliWorker } from '../support/cli-worker';
import { ConsoleSession, startTestConsole, type TestConsole } from '../support/console';
import { startScriptStore } from '../support/script-store';
import { devServerAddress } from '../support/temporal-env';

const ROOT = path.resolve(__dirname, '../..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const RUN_SH = readFileSync(path.join(ROOT, 'tools/run.sh'), 'utf8');
const ENCRYPTION_ENV = throwawayEncryptionEnv();
/** The checkout's .data, for this file: the users file where npm start keeps it (CASECLOCK_USERS_FILE's default). */
const DATA = path.join(mkdtempSync(path.join(os.tmpdir(), 'caseclock-first-day-')), '.data');
const USERS_FILE = path.join(DATA, 'users.json');

// --- what the README says ------------------------------------------------------------------------

/** The README's "Try it" section. */
function tryIt(): string {
  const start = README.indexOf('\n## Try it\n');
  expect(start, 'the README has a "Try it" section').toBeGreaterThan(0);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

type Step = { kind: 'env'; name: string; value: string } | { kind: 'caseclock'; args: string[]; line: string };

/** The first shell block of "Try it" (the first day), line by line: its settings and its commands. */
function firstDaySteps(): Step[] {
  const block = /```sh\n([\s\S]*?)```/.exec(tryIt())?.[1];
  expect(block, 'Try it begins with a shell block').toBeDefined();
  return (block ?? '')
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '')
    .map((line): Step => {
      // Plain words only: a quote or a substitution would need a shell, and this reads no shell.
      expect(line, 'a first-day command in plain words').toMatch(/^[\w ./=:@-]+$/);
      const setting = /^export ([A-Z_]+)=(\S+)$/.exec(line);
      if (setting) return { kind: 'env', name: setting[1] ?? '', value: setting[2] ?? '' };
      const [npx, bin, ...args] = line.split(/\s+/);
      expect([npx, bin], `"${line}" is a caseclock command`).toEqual(['npx', 'caseclock']);
      return { kind: 'caseclock', args, line };
    });
}

/** "sign in at <url> as `<user>` with the password in `<file>`" and "open the **<page>**". */
function signInAsWritten(): { user: string; passwordFile: string; page: string } {
  const text = tryIt().replace(/\s+/g, ' ');
  const signIn = /sign in at http:\/\/localhost:8080 as `([^`]+)` with the password in `([^`]+)`/.exec(text);
  const page = /open the \*\*([^*]+)\*\*/.exec(text);
  expect(signIn, 'Try it says whom to sign in as, and where the password is').not.toBeNull();
  expect(page, 'Try it names the page that shows what is late').not.toBeNull();
  return { user: signIn?.[1] ?? '', passwordFile: signIn?.[2] ?? '', page: page?.[1] ?? '' };
}

/** The late cases the README names, each with its allocated worker: "WCF-10001, ... (Sam Worker's)". */
function lateAsWritten(): Array<{ caseId: string; worker: string }> {
  const text = tryIt().replace(/\s+/g, ' ');
  return [...text.matchAll(/\b(WCF-\d+)\b[^()]*\(([^()]+?)'s\)/g)].map((m) => ({ caseId: m[1] ?? '', worker: m[2] ?? '' }));
}

/** A case's row in `caseclock overdue`'s table (columns two spaces or more apart). */
function cliRow(output: string, caseId: string): { worker: string; mostOverdue: string } | undefined {
  const cells = output
    .split('\n')
    .find((line) => line.startsWith(`${caseId} `))
    ?.split(/\s{2,}/);
  // case, team, tier, overdue, most overdue, allocated worker, next deadline
  return cells ? { mostOverdue: cells[4] ?? '', worker: cells[5] ?? '' } : undefined;
}

// --- the system, started as npm start starts it -----------------------------------------------------

let cliWorker: CliWorker;
let store: Awaited<ReturnType<typeof startScriptStore>>;
let server: TestConsole;
/** What the README's `export` lines set, for every command after them. */
const exported: Record<string, string> = {};
/** The administrator's browser, signed in with the password they chose. */
const sessions: { admin?: ConsoleSession } = {};
/** The one line npm start prints about the users file, from its first start. */
let startLine = '';

/** A command of npm start's own (tools/run.sh), with the checkout's settings: its output, or why it failed. */
function tsxCommand(script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, script), ...args],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, CASECLOCK_USERS_FILE: USERS_FILE, CASECLOCK_STORE_URL: store.url } },
      (err, stdout, stderr) => (err ? reject(new Error(`${script} ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout.trim())),
    );
  });
}

/** `npx caseclock <args>` in another terminal of the same checkout, with what the README exported. */
function caseclock(args: readonly string[]): Promise<CliRun> {
  return runCaseclock(
    args,
    {
      ...ENCRYPTION_ENV,
      TEMPORAL_ADDRESS: devServerAddress(),
      TEMPORAL_NAMESPACE: cliWorker.namespace,
      CASECLOCK_STORE_URL: store.url,
      CASECLOCK_USERS_FILE: USERS_FILE,
      // Not an operator (the other tests' default): the README's user must be a console user.
      CASECLOCK_OPERATOR: '',
      CASECLOCK_USER: undefined,
      CASECLOCK_POLICY: '',
      SMTP_URL: cliWorker.mailbox.url,
      ...exported,
    },
    { timeoutMs: 60_000 },
  );
}

beforeAll(async () => {
  store = await startScriptStore();
  cliWorker = await startCliWorker(ENCRYPTION_ENV, { store: store.store });
  // As tools/run.sh does before the worker and console: the synthetic council's directories, then the users file.
  expect(RUN_SH).toContain('node --import tsx "$ROOT/tools/ssd/demo.ts" --dir "$ssd_dir"');
  expect(RUN_SH).toContain('node --import tsx "$ROOT/client/cli/users.ts" first-run');
  await tsxCommand('tools/ssd/demo.ts', ['--dir', path.join(DATA, 'ssd-demo')]);
  startLine = await tsxCommand('client/cli/users.ts', ['first-run']);
  server = await startTestConsole({ client: cliWorker.client, usersFile: USERS_FILE, storeUrl: store.url, teams: openTeamDirectory(store.url), answerTimeoutMs: 15_000 });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await cliWorker?.close();
  await store?.stop();
});

describe("the README's first day", () => {
  const overdueOutputs: string[] = [];

  it('npm start makes the first administrator, and says where the password is', () => {
    const { user, passwordFile } = signInAsWritten();
    expect(path.basename(passwordFile)).toBe(path.basename(firstAdminPasswordFile(USERS_FILE)));
    expect(startLine).toMatch(new RegExp(`^FIRST RUN: the console's first user is ${user}, its password in ${firstAdminPasswordFile(USERS_FILE)}`));
    expect(existsSync(firstAdminPasswordFile(USERS_FILE))).toBe(true);
  });

  it("Try it's first commands run as written: the example import, then overdue lists each late case with its worker", async () => {
    const steps = firstDaySteps();
    const commands = steps.filter((s) => s.kind === 'caseclock').map((s) => s.args[0]);
    expect(commands).toEqual(['import', 'overdue']);
    for (const step of steps) {
      if (step.kind === 'env') {
        exported[step.name] = step.value;
        continue;
      }
      if (step.args[0] === 'overdue') {
        // The worker writes each new case's summary a moment after it starts: someone typing the next command waits that long.
        let run = await caseclock(step.args);
        for (let i = 0; i < 30 && run.code === 0 && !lateAsWritten().every(({ caseId }) => run.stdout.includes(caseId)); i++) {
          await new Promise((r) => setTimeout(r, 500));
          run = await caseclock(step.args);
        }
        expect(run.code, `${step.line}\n${run.stderr}`).toBe(0);
        overdueOutputs.push(run.stdout);
        continue;
      }
      const run = await caseclock(step.args);
      expect(run.code, `${step.line}\n${run.stdout}\n${run.stderr}`).toBe(0);
      if (step.args[0] === 'import') expect(run.stdout).toMatch(/: 4 rows in [\d.]+s: 4 started, 0 already there, 0 refused/);
    }
    const late = lateAsWritten();
    expect(late.length, 'Try it names the late cases and whose they are').toBeGreaterThanOrEqual(2);
    const [overdue] = overdueOutputs;
    for (const { caseId, worker } of late) {
      const row = cliRow(overdue ?? '', caseId);
      expect(row, `${caseId} in:\n${overdue}`).toBeDefined();
      expect(row?.worker).toContain(worker);
      expect(row?.mostOverdue).toMatch(/^.+ \(.+ overdue\)$/);
    }
  });

  it('signing in as the README says asks for a new password, which deletes the password file and ends FIRST RUN', async () => {
    const { user, passwordFile } = signInAsWritten();
    const file = path.join(DATA, path.basename(passwordFile));
    const given = /^password: (.+)$/m.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
    expect(given).not.toBe('');
    const s = new ConsoleSession(server.url);
    await s.request('/login');
    const signedIn = await s.request('/login', { user, password: given, next: '/' });
    expect(signedIn.status, signedIn.body.slice(0, 500)).toBe(303);
    const home = await s.request('/');
    expect(home.status).toBe(303);
    expect(home.location).toMatch(/^\/account\/password/);
    const form = await s.request(home.location ?? '');
    expect(form.body).toContain('Choose your own password before going on');
    const chosen = 'lantern orchard, river maple';
    const changed = await s.request('/account/password', { current: given, password: chosen, again: chosen });
    expect(changed.status, changed.body.slice(0, 2000)).toBe(200);
    expect(changed.body).toContain('Your password was changed');
    expect(existsSync(file)).toBe(false);
    // The next npm start says how many users there are, and nothing of a first run.
    expect(await tsxCommand('client/cli/users.ts', ['first-run'])).toBe(`users file ${USERS_FILE}: 1 user`);
    sessions.admin = s;
  });

  it('the page the README names shows each late case it names, what is late on it and whose it is', async () => {
    const { page } = signInAsWritten();
    const s = sessions.admin;
    if (!s) throw new Error('not signed in');
    const home = await s.request('/');
    expect(home.status).toBe(200);
    const href = new RegExp(`<a [^>]*href="([^"]+)"[^>]*>\\s*${page}\\s*</a>`).exec(home.body)?.[1];
    expect(href, `a link to "${page}" on the console's pages`).toBeDefined();
    const answer = await s.request(href ?? '/');
    expect(answer.status).toBe(200);
    const rows = [...answer.body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((m) =>
      (m[1] ?? '')
        .replace(/<[^>]+>/g, ' ')
        .replace(/&#39;|&apos;/g, "'")
        .replace(/\s+/g, ' ')
        .trim(),
    );
    for (const { caseId, worker } of lateAsWritten()) {
      const row = rows.find((r) => r.startsWith(`${caseId} `));
      expect(row, `${caseId} on ${href}`).toBeDefined();
      expect(row).toContain(worker);
      expect(row).toMatch(/ overdue\b/);
      // What is late on it: the most overdue obligation, as `caseclock overdue` named it.
      const title = /^(.+) \(.+ overdue\)$/.exec(cliRow(overdueOutputs[0] ?? '', caseId)?.mostOverdue ?? '')?.[1];
      expect(title).toBeDefined();
      expect(row).toContain(title);
    }
  });
});
